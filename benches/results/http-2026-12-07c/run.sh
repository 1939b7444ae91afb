#!/usr/bin/env bash
# Issue 12 over HTTP, 2026-12-07 (second session): before = 7fd9628 (the
# server of main's head 820b384 at the session's start), after = 4d601af
# (memtable point-lookup index, fewer allocations per request); both load
# generators, two rounds each. Release builds copied to /tmp first.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-after AFTER=/tmp/siltdb-4d601af \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load DATA=/tmp/hpd benches/http-peers.sh 2
done
