#!/usr/bin/env bash
set -euo pipefail
cd /work/main
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-s0 AFTER=/tmp/siltdb-s0 AFTER_ARGS="--worker-threads 2" \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
