#!/usr/bin/env bash
# Issue 12's HTTP targets after the per-request CPU cuts of 6e21989
# (2026-12-07, seventh session): before = cad702a (/tmp/siltdb-cad), after =
# 6e21989 (/tmp/siltdb-6e2), floor = siltdb-http-floor over hyper (the
# transport alone), Dynoxide and dynalite on disk and in memory. Lean
# siltdb-load and wrk, 32 connections, 6 s phases, two runs each. Ran three
# times: run.log, run-2.log, run-3.log.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for lg in wrk siltdb-load; do
    echo "##### LOADGEN=$lg"
    LOADGEN=$lg BEFORE=/tmp/siltdb-cad AFTER=/tmp/siltdb-6e2 FLOOR=/tmp/siltdb-http-floor \
        SERVERS="floor before after dynoxide dynoxide-mem dynalite dynalite-mem" \
        DYNOXIDE=/work/peers/dynoxide/bin/dynoxide \
        DYNALITE=/work/peers/dynalite/node_modules/dynalite/cli.js \
        LOAD=/tmp/siltdb-load-lean DATA=/tmp/hpd benches/http-peers.sh 2
done
