#!/usr/bin/env bash
# Issue 12 over HTTP, 2026-12-07 (third session): before = 1f41644 (main at
# the session's start), after = the jemalloc build (/tmp/siltdb-jconf: condvar wake-ups only
# with waiters, jemalloc as the server's allocator); siltdb-load is the lean
# HTTP/1.1 client of 7413ccf for every server; wrk as the second load
# generator. Release builds copied to /tmp first.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-head AFTER=/tmp/siltdb-jconf \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
