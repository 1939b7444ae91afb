#!/bin/bash
# WAL recycling, alternating in one window (siltdb only; one engine at a time):
#   before = main before the change (binary built at ef3fc62, same engine as d182789),
#   off    = the change with --wal_recycle_files 0 (RECYCLABLE records, no reuse),
#   after  = the change with its default (2 files kept for reuse).
# $1 = rounds. Binaries: $BEFORE, $AFTER. Log: $L.
set -u
L=${L:-/tmp/walr/walr.log}
DB=${DB:-/tmp/walr/db}
BEFORE=${BEFORE:-/tmp/bench-final}
AFTER=${AFTER:-/tmp/bench-walr}
mkdir -p "$(dirname "$L")"
run() { # label bin args...
  local label=$1 bin=$2; shift 2
  rm -rf "$DB"; echo "=== $label $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$L"
  echo "\$ siltdb-bench $*" >> "$L"
  "$bin" "$@" --statistics --db "$DB" 2>&1 | grep -E "^(fillsync|fillrandom)|os write|WAL files reused|^wal |sync" >> "$L"
}
SYNC1="--benchmarks fillrandom --num 30000 --sync true --write_buffer_size 262144"
ROW="--benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304"
for r in $(seq 1 "${1:-2}"); do
  run "run $r before sync1" "$BEFORE" --engine siltdb $SYNC1
  run "run $r off sync1" "$AFTER" --engine siltdb $SYNC1 --wal_recycle_files 0
  run "run $r after sync1" "$AFTER" --engine siltdb $SYNC1
  run "run $r before row" "$BEFORE" --engine siltdb $ROW
  run "run $r off row" "$AFTER" --engine siltdb $ROW --wal_recycle_files 0
  run "run $r after row" "$AFTER" --engine siltdb $ROW
done
echo "done $(date -u +%T)" >> "$L"
