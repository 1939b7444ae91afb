#!/usr/bin/env bash
# Issue 12 over HTTP, 2026-12-07: before = 0caf323 (the previous
# session's main), after = 7fd9628; both load generators, two rounds each.
# Release builds copied to /tmp first (paths below).
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-main AFTER=/tmp/siltdb-after \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load DATA=/tmp/hpd benches/http-peers.sh 2
done
