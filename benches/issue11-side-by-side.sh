#!/usr/bin/env bash
# Issue 11's workloads side by side (benches/RESULTS.md): every engine one
# after another, never concurrently, each benchmark's command, `uptime`
# before and after, and its output appended to $OUT-run$RUN.log, its
# figures to $OUT.jsonl.
#
#   OUT=benches/results/issue11-w3/issue11-w3 benches/issue11-side-by-side.sh RUN PART...
#
# Needs a `--features peers` release build of siltdb-bench (BENCH). DB is
# the scratch root (each engine's database is removed after its benchmark).
set -uo pipefail
run=$1; shift
parts="$*"
out=${OUT:-benches/results/issue11-w3/issue11-w3}
db=${DB:-/tmp/bp3/w3db}
bench=${BENCH:-target/release/siltdb-bench}
one() { # label engine args...
    local label=$1 engine=$2
    shift 2
    {
        echo "=== run $run, $label, $engine: $(date -u +%FT%TZ) $(uptime)"
        echo "\$ siltdb-bench --engine $engine $* --db DIR --results $out.jsonl --label '$label' --run $run"
    } >>"$out-run$run.log"
    if ! "$bench" --engine "$engine" "$@" --db "$db" --results "$out.jsonl" \
        --label "$label" --run "$run" >>"$out-run$run.log" 2>&1; then
        echo "=== FAILED: run $run, $label, $engine" >>"$out-run$run.log"
    fi
    echo "end: $(uptime)" >>"$out-run$run.log"
    rm -rf "${db:?}/$engine"
}
for p in $parts; do
case $p in
sync1)
    one "1 thread synced, no WAL preallocation" siltdb --benchmarks fillrandom --num 20000 --sync true --wal_preallocate_bytes 0
    one "1 thread synced" siltdb --benchmarks fillrandom --num 20000 --sync true
    one "1 thread synced" rocksdb --benchmarks fillrandom --num 20000 --sync true
    ;;
sync8)
    for e in siltdb rocksdb; do one "8 threads synced" $e --benchmarks fillrandom --num 200000 --threads 8 --sync true; done
    ;;
during)
    for e in siltdb rocksdb; do one "synced during 1M unsynced" $e --benchmarks fillsync_during_compaction --num 1000000; done
    ;;
big)
    for e in siltdb rocksdb fjall; do one "10k x 100 KB" $e --benchmarks fillrandom,settle,readrandom --num 10000 --reads 200000 --value_size 102400 --compact false --statistics; done
    ;;
during10)
    for e in siltdb rocksdb; do one "synced during 10M unsynced" $e --benchmarks fillsync_during_compaction --num 10000000 --statistics; done
    ;;
settling10)
    for e in siltdb rocksdb; do one "synced while 10M unsynced writes compact" $e --benchmarks fillrandom,syncwhilesettling --num 10000000 --compact false --statistics; done
    ;;
compacting10)
    for e in siltdb rocksdb; do one "synced while 10M keys compact fully" $e --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --statistics; done
    ;;
compacting10t8)
    for e in siltdb rocksdb; do one "8 synced threads while 10M keys compact fully" $e --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics; done
    ;;
m10)
    for e in siltdb rocksdb; do one "10M x 100 B" $e --benchmarks fillrandom,settle,readrandom --num 10000000 --reads 1000000 --compact false --statistics; done
    ;;
m10fjall)
    one "10M x 100 B" fjall --benchmarks fillrandom,settle,readrandom --num 10000000 --reads 1000000 --compact false --statistics
    ;;
m30)
    for e in siltdb rocksdb; do one "30M x 100 B" $e --benchmarks fillrandom,settle,readrandom --num 30000000 --reads 1000000 --compact false --statistics; done
    ;;
esac
done
echo "=== done run $run $(date -u +%FT%TZ)" >>"$out-run$run.log"
