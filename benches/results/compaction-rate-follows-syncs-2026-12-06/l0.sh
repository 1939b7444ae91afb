#!/bin/bash
cd /tmp/aimd
L=l0.log
run() { local label=$1; shift; rm -rf db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  "$@" --statistics --db /tmp/aimd/db 2>&1 | grep -E "^(syncwhile|fillsync)|^compactions yielded|stalled" >> $L; }
T8="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8"
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
for r in 1 2 3; do
 run "run $r l0=14 row" env SILT_BEHIND_L0=14 /tmp/bench-l0env --engine siltdb $ROW
 run "run $r l0=8 row" /tmp/bench-l0env --engine siltdb $ROW
 run "run $r l0=14 t8" env SILT_BEHIND_L0=14 /tmp/bench-l0env --engine siltdb $T8
 run "run $r l0=8 t8" /tmp/bench-l0env --engine siltdb $T8
done
echo "done $(date -u +%T)" >> $L
