#!/bin/bash
# A/B: $1 = list of variant names (binaries /tmp/bench-NAME), $2 = rounds
cd /tmp/aimd
for r in $(seq 1 $2); do
  for v in $1; do
    rm -rf db; echo "=== run $r $v compacting10t8 $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> ab.log
    /tmp/bench-$v --engine siltdb --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics --db /tmp/aimd/db 2>&1 | grep -E "^syncwhile|^compactions yielded" >> ab.log
  done
done
echo "done $(date -u +%T)" >> ab.log
