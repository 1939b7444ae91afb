#!/bin/bash
# Before (rate back-off 4) and after (8), alternating, same window.
cd /tmp/p8/ba
for r in 1 2; do
  for v in before after; do
    rm -rf db; echo "=== run $r $v compacting10t8 $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> ba.log
    /tmp/p8/bench-$v --engine siltdb --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics --db /tmp/p8/ba/db 2>&1 | grep -E "^syncwhile|^compactions yielded" >> ba.log
  done
  for v in before after; do
    rm -rf db; echo "=== run $r $v fillsync_during_compaction $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> ba.log
    /tmp/p8/bench-$v --engine siltdb --benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304 --statistics --db /tmp/p8/ba/db 2>&1 | grep -E "^fillsync" >> ba.log
  done
done
rm -rf db; echo "=== rocksdb compacting10t8 $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> ba.log
/work/wt/bench-peers/target/release/siltdb-bench --engine rocksdb --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics --db /tmp/p8/ba/db 2>&1 | grep -E "^syncwhile" >> ba.log
rm -rf db; echo "=== rocksdb fillsync_during_compaction $(date -u +%T)" >> ba.log
/work/wt/bench-peers/target/release/siltdb-bench --engine rocksdb --benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304 --statistics --db /tmp/p8/ba/db 2>&1 | grep -E "^fillsync" >> ba.log
echo done >> ba.log
