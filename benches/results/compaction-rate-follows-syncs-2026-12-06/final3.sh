#!/bin/bash
cd /tmp/aimd
L=final3.log
run() { # label bin args...
  local label=$1 bin=$2; shift 2
  rm -rf db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  echo "\$ siltdb-bench $*" >> $L
  $bin "$@" --statistics --db /tmp/aimd/db 2>&1 | grep -E "^(syncwhile|fillsync)|^compactions yielded|stalled" >> $L
}
T8="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8"
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
for r in 3 4 5; do
  for v in a081332 aimdb; do run "run $r $v compacting10t8" /tmp/bench-$v --engine siltdb $T8; done
  for v in a081332 aimdb; do run "run $r $v fillsync_during_compaction" /tmp/bench-$v --engine siltdb $ROW; done
done
echo "done $(date -u +%T)" >> $L
