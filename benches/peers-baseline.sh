#!/usr/bin/env bash
# Runs the side-by-side baseline of issue 11 (benches/RESULTS.md, "siltdb,
# RocksDB and fjall side by side"): every workload on siltdb, RocksDB and
# fjall one after another (never concurrently), the whole set RUNS times.
#
#   cargo build --release -p siltdb-benches --features peers
#   benches/peers-baseline.sh [OUT_PREFIX] [RUNS]
#
# Writes OUT_PREFIX.log (everything printed, with `uptime` before each run)
# and OUT_PREFIX.jsonl (siltdb-bench --results), then draws OUT_PREFIX.svg.
# Environment: BIN_DIR (default target/release), DB (default
# /tmp/siltdb-bench-peers), NUM_SMALL (default 10000000), ENGINES.
set -euo pipefail

out=${1:-benches/results/baseline/baseline}
runs=${2:-2}
bin_dir=${BIN_DIR:-target/release}
db=${DB:-/tmp/siltdb-bench-peers}
num_small=${NUM_SMALL:-10000000}
engines=${ENGINES:-siltdb rocksdb fjall}
bench="$bin_dir/siltdb-bench"

mkdir -p "$(dirname "$out")"
: >"$out.log"
: >"$out.jsonl"

one() { # run label engine args...
    local run=$1 label=$2 engine=$3
    shift 3
    {
        echo "=== run $run, $label, $engine: $(date -u +%FT%TZ) $(uptime)"
        echo "\$ siltdb-bench --engine $engine $* --db $db --results $out.jsonl --label '$label' --run $run"
    } | tee -a "$out.log"
    if ! "$bench" --engine "$engine" "$@" --db "$db" --results "$out.jsonl" \
        --label "$label" --run "$run" 2>&1 | tee -a "$out.log"; then
        echo "=== FAILED: run $run, $label, $engine" | tee -a "$out.log"
    fi
    rm -rf "${db:?}/$engine"
}

for run in $(seq 1 "$runs"); do
    for engine in $engines; do
        one "$run" "$((num_small / 1000000))M x 100 B" "$engine" \
            --benchmarks fillrandom,settle,readrandom --num "$num_small" --reads 1000000 --compact false
    done
    for engine in $engines; do
        one "$run" "10k x 100 KB" "$engine" \
            --benchmarks fillrandom,settle,readrandom --num 10000 --value_size 102400 --compact false
    done
    for engine in $engines; do
        one "$run" "8 threads synced" "$engine" \
            --benchmarks fillrandom --num 200000 --threads 8 --sync true
    done
    for engine in $engines; do
        one "$run" "synced during 1M unsynced" "$engine" \
            --benchmarks fillsync_during_compaction --num 1000000
    done
done
"$bin_dir/siltdb-bench-chart" --results "$out.jsonl" --output "$out.svg"
echo "wrote $out.log $out.jsonl $out.svg"
