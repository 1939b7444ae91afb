#!/bin/bash
# one.sh TAG ENV... : runs compacting10t8 (siltdb, probe build) with ENV
tag=$1; shift
cd /tmp/p8 && rm -rf db
env SPIN_US=0 "$@" timeout 900 /work/wt/bench-peers/target/release/siltdb-bench --engine siltdb --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics --db /tmp/p8/db > out-$tag.txt 2> err-$tag.txt
echo "== $tag ($*) rc=$? $(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "syncwhile" out-$tag.txt | sed -E 's/; write-amp OS.*while/; while/' | cut -c1-300
python3 /work/main/benches/results/sync-tail-2026-12-06/classify.py err-$tag.txt | head -1 | cut -c1-120
