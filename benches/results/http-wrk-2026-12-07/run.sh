#!/usr/bin/env bash
# Issue 12's HTTP comparison with both load generators, two rounds.
# BEFORE: release build of 035fc43; AFTER: release build of bfb1fc1;
# Dynoxide 3.2.0 (cargo install dynoxide-rs), dynalite 4.0.0 (npm), wrk 4.1.0 (apt).
set -u
cd "$(dirname "$0")/../../.."
for run in 1 2; do
    for lg in wrk siltdb-load; do
        echo "##### round $run, load generator $lg"
        LOADGEN=$lg BEFORE=/tmp/siltdb-before AFTER=/tmp/siltdb-bfb1fc1 \
            DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
            DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
            LOAD=/tmp/siltdb-load DATA=/tmp/hpfinal benches/http-peers.sh 1
    done
done
