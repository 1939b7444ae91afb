#!/usr/bin/env bash
# Issue 12 over HTTP, 2026-12-07 (third session): before = 1f41644 (main at
# the session's start, /tmp/siltdb-head), after = the server of 7b9c305
# (condvar waiters woken only when there are any; /tmp/siltdb-fx), with
# siltdb-load's lean HTTP/1.1 client of 7413ccf (/tmp/siltdb-load-lean) for
# every server and wrk as the second load generator. The jemalloc builds
# tried and reverted the same session ran through the same script with
# AFTER=/tmp/siltdb-jconf (http-peers-jemalloc-bg-threads.log) and
# AFTER=/tmp/siltdb-jfinal (http-peers-jemalloc.log).
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-head AFTER=${AFTER:-/tmp/siltdb-fx} \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
