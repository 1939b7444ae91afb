#!/bin/bash
# main before this session (a081332) and main after (ef3fc62), alternating; RocksDB once.
cd /tmp/aimd
L=final4.log
run() { local label=$1; shift; rm -rf db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  echo "\$ siltdb-bench ${*:2}" >> $L
  "$@" --statistics --db /tmp/aimd/db 2>&1 | grep -E "^(syncwhile|fillsync)|^compactions yielded|stalled" >> $L; }
T8="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8"
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
for r in 1 2 3; do
 for v in a081332 final; do run "run $r $v compacting10t8" /tmp/bench-$v --engine siltdb $T8; done
 for v in a081332 final; do run "run $r $v fillsync_during_compaction" /tmp/bench-$v --engine siltdb $ROW; done
done
run "rocksdb compacting10t8" /tmp/bench-a081332 --engine rocksdb $T8
run "rocksdb fillsync_during_compaction" /tmp/bench-a081332 --engine rocksdb $ROW
echo "done $(date -u +%T)" >> $L
