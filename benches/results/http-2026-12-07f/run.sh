#!/usr/bin/env bash
# Issue 12 over HTTP, 2026-12-07 (fourth session): before = main at the
# session's start, 5adc250 (/tmp/siltdb-s0, 4 runtime workers by default),
# after = 43993f9 (/tmp/siltdb-final1: one worker per CPU, GetRecords
# written straight to bytes, the WAL reader fix), after-mem = the same
# binary with --in-memory (no fsync; the peer class of Dynoxide's and
# dynalite's in-memory modes). Lean siltdb-load of 7413ccf and wrk.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-s0 AFTER=${AFTER:-/tmp/siltdb-final1} \
        SERVERS="before after after-mem dynoxide dynoxide-mem dynalite dynalite-mem" \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
