#!/usr/bin/env bash
# Synced fills of separated values (>= 4 KiB go to blob files), before and
# after the blob file's sync stopped starting a thread per group commit:
# before = siltdb-bench of a605df3 (/tmp/siltdb-bench-before), after = the
# same with BlobWriter::start_sync (/tmp/siltdb-bench-after). Interleaved,
# two rounds per value size; CPU from /usr/bin/time; thread starts counted
# with perf stat (clone3 calls).
set -u
for size in 4096 16384 65536; do
  case $size in 4096) num=40000 t=8;; 16384) num=20000 t=8;; 65536) num=6000 t=4;; esac
  for r in 1 2; do for b in before after; do
    echo -n "$b value_size=$size threads=$t: "
    /usr/bin/time -f "cpu %U+%S s" /tmp/siltdb-bench-$b --benchmarks fillrandom --num $num \
      --value_size $size --sync true --threads $t 2>&1 | grep -E "^fillrandom|^cpu" | tr '\n' ' '
    echo
  done; done
done
for b in before after; do
  echo -n "$b value_size=16384 threads=8 clone3: "
  perf stat -x, -e syscalls:sys_enter_clone3,syscalls:sys_enter_fdatasync /tmp/siltdb-bench-$b \
    --benchmarks fillrandom --num 20000 --value_size 16384 --sync true --threads 8 2>&1 >/dev/null \
    | awk -F, '/syscalls/ {printf "%s %s  ", $3, $1}'
  echo
done
