#!/usr/bin/env bash
# The HTTP floor beside siltdb and the peers, 2026-12-07 (fifth session):
# floor / floor-raw = siltdb-http-floor answering fixed bytes over hyper /
# a bare socket loop (what the transport alone costs on this machine),
# after = main at c5e0c27 (/tmp/siltdb-c5e), after-mem = it with
# --in-memory, Dynoxide and dynalite on disk and in memory. Lean
# siltdb-load of 7413ccf and wrk, 32 connections, 6 s phases, two runs each.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-c5e AFTER=/tmp/siltdb-c5e FLOOR=/tmp/siltdb-http-floor \
        SERVERS="floor floor-raw after after-mem dynoxide dynoxide-mem dynalite dynalite-mem" \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
