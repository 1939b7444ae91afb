#!/bin/bash
cd /work/main
export OUT=benches/results/final-2026-12-06/final5 DB=${DB:-/tmp/final5/db} BENCH=${BENCH:-/tmp/bench-peers-walr}
benches/issue11-side-by-side.sh 1 m10 big sync8
benches/issue11-side-by-side.sh 2 m10 big sync8
