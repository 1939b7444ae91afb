#!/bin/bash
# Before (a081332, fixed eighth) and after (adaptive, STEP_DIVISOR 256), alternating, same window.
cd /tmp/aimd
L=final.log
run() { # label bin args...
  local label=$1 bin=$2; shift 2
  rm -rf db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  echo "\$ siltdb-bench $*" >> $L
  $bin "$@" --statistics --db /tmp/aimd/db 2>&1 | grep -E "^(syncwhile|fillsync|fillrandom)|^compactions yielded" >> $L
}
T8="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8"
T1="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false"
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
S8="--benchmarks fillrandom --num 200000 --threads 8 --sync true"
for r in 1 2 3; do
  for v in a081332 aimd256; do run "run $r $v compacting10t8" /tmp/bench-$v --engine siltdb $T8; done
done
for r in 1 2; do
  for v in a081332 aimd256; do run "run $r $v fillsync_during_compaction" /tmp/bench-$v --engine siltdb $ROW; done
  for v in a081332 aimd256; do run "run $r $v sync8" /tmp/bench-$v --engine siltdb $S8; done
done
for v in a081332 aimd256; do run "run 1 $v compacting10" /tmp/bench-$v --engine siltdb $T1; done
run "rocksdb compacting10t8" /tmp/bench-a081332 --engine rocksdb $T8
run "rocksdb fillsync_during_compaction" /tmp/bench-a081332 --engine rocksdb $ROW
run "rocksdb sync8" /tmp/bench-a081332 --engine rocksdb $S8
echo "done $(date -u +%T)" >> $L
