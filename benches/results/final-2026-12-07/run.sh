#!/bin/bash
# Issue 11's targets on main (212c186; the engine unchanged since e27e408 but for
# comments and a reader refactor), peers build (RocksDB 11.8.1 via rust-rocksdb
# 0.25, fjall 3.1), two runs, one engine at a time.
cd /work/main
export OUT=benches/results/final-2026-12-07/final7 DB=${DB:-/tmp/final7/db} \
    BENCH=${BENCH:-/work/wt/bench-peers/target/release/siltdb-bench}
benches/issue11-side-by-side.sh 1 m10 big sync8 compacting10t8
benches/issue11-side-by-side.sh 2 m10 big sync8 compacting10t8
