#!/bin/bash
# After the change against RocksDB 11.8.1 (peers build of a081332) in one window, then the
# 8-writer row (compacting10t8) with the change and with main before.
L=${L:-/tmp/walr/peers.log}
run() { local label=$1 bin=$2; shift 2; rm -rf /tmp/walr/db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  echo "\$ siltdb-bench $*" >> $L
  "$bin" "$@" --statistics --db /tmp/walr/db 2>&1 | grep -E "^(fillsync|fillrandom|syncwhile)|WAL files reused|^compactions yielded" >> $L; }
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
T8="--benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8"
for r in 1 2; do
  run "run $r after row" /tmp/bench-walr --engine siltdb $ROW
  run "run $r rocksdb row" /tmp/bench-a081332 --engine rocksdb $ROW
done
for r in 1 2; do
  run "run $r after compacting10t8" /tmp/bench-walr --engine siltdb $T8
  run "run $r before compacting10t8" /tmp/bench-final --engine siltdb $T8
done
run "run 1 rocksdb compacting10t8" /tmp/bench-a081332 --engine rocksdb $T8
echo "done $(date -u +%T)" >> $L
