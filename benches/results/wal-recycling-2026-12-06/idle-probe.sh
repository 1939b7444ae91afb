#!/bin/bash
L=/tmp/walr/idle.log
run() { local label=$1; shift; rm -rf /tmp/walr/db; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> $L
  "$@" --statistics --db /tmp/walr/db 2>&1 | grep -E "^(fillsync|fillrandom|syncwhile)|probe|stalled" >> $L; }
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
for r in 1 2; do
  run "run $r walr row" /tmp/bench-walr --engine siltdb $ROW
  run "run $r idle-c row" env SILT_BG_IDLE=c /tmp/bench-idle --engine siltdb $ROW
  run "run $r idle-fc row" env SILT_BG_IDLE=fc /tmp/bench-idle --engine siltdb $ROW
done
echo "done $(date -u +%T)" >> $L
