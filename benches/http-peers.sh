#!/usr/bin/env bash
# Side by side over HTTP (benches/RESULTS.md, "Commit that a server can
# await"): siltdb before and after a change, Dynoxide and dynalite, one
# server at a time on the same port, each driven by the same `siltdb-load`
# (PutItem phase, then GetItem over the items it wrote), the whole set RUNS
# times. Prints each phase's line with the server's CPU time per request
# (utime+stime from /proc/PID/stat) and the load average before it.
#
#   benches/http-peers.sh [RUNS]
#
# Environment: BEFORE, AFTER (siltdb binaries; AFTER_ARGS extra `serve`
# arguments), FLOOR (siltdb-http-floor), DYNOXIDE (binary), DYNALITE (its cli.js, run with node), LOAD
# (siltdb-load), LOADGEN (`siltdb-load`, the default, or `wrk`: wrk 4 with
# benches/wrk/dynamodb.lua and WRK_THREADS threads, default 1, the same
# items and keys; siltdb-load then only creates the table), SECS (seconds
# per phase, default 6), CONNECTIONS (32),
# DATA (scratch directory, removed after each server), PORT (18100),
# SERVERS (default "before after dynoxide dynoxide-mem dynalite
# dynalite-mem"; also "after-mem", AFTER with --in-memory, and "floor"
# and "floor-raw", FLOOR (siltdb-http-floor) answering fixed bytes over
# hyper or a bare socket loop: the transport's own cost; the -mem
# variants keep everything in memory, the others write to DATA: siltdb
# fsyncs every acknowledged write, Dynoxide commits each write to SQLite,
# dynalite writes LevelDB without syncing).
set -euo pipefail

runs=${1:-2}
secs=${SECS:-6}
connections=${CONNECTIONS:-32}
data=${DATA:-target/http-peers-data}
port=${PORT:-18100}
load=${LOAD:-target/release/siltdb-load}
loadgen=${LOADGEN:-siltdb-load}
servers=${SERVERS:-before after dynoxide dynoxide-mem dynalite dynalite-mem}
endpoint="http://127.0.0.1:$port"

start() { # name -> sets pid
    mkdir -p "$data/$1"
    case $1 in
    before) "$BEFORE" serve --port "$port" --data-dir "$data/before" >"$data/$1.log" 2>&1 & ;;
    after) "$AFTER" serve --port "$port" --data-dir "$data/after" ${AFTER_ARGS:-} >"$data/$1.log" 2>&1 & ;;
    after-mem) "$AFTER" serve --port "$port" --in-memory ${AFTER_ARGS:-} >"$data/$1.log" 2>&1 & ;;
    dynoxide) "$DYNOXIDE" serve --port "$port" --db-path "$data/dynoxide/db.sqlite" --log quiet >"$data/$1.log" 2>&1 & ;;
    dynoxide-mem) "$DYNOXIDE" serve --port "$port" --log quiet >"$data/$1.log" 2>&1 & ;;
    dynalite) node "$DYNALITE" --port "$port" --path "$data/dynalite" >"$data/$1.log" 2>&1 & ;;
    dynalite-mem) node "$DYNALITE" --port "$port" >"$data/$1.log" 2>&1 & ;;
    floor) "$FLOOR" --port "$port" --transport hyper >"$data/$1.log" 2>&1 & ;;
    floor-raw) "$FLOOR" --port "$port" --transport raw >"$data/$1.log" 2>&1 & ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
    esac
    pid=$!
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$1 did not start" >&2
    cat "$data/$1.log" >&2
    exit 1
}

cpu_ticks() { # pid -> utime+stime in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# wrk's latency figure (e.g. 667.00us, 2.08ms, 1.01s) in ms.
wrk_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; unit = v; sub(/^[0-9.]+/, "", unit)
        if (unit == "us") n /= 1000; else if (unit == "s") n *= 1000
        printf "%.3f", n }'
}

# One phase through wrk, printed as siltdb-load prints one (requests,
# non-2xx responses, -, seconds, req/s, -, p50, p99, -, max).
wrk_phase() { # op [keys]
    local op=$1 keys=${2:-1} threads=${WRK_THREADS:-1} out
    out=$(wrk -t"$threads" -c"$connections" -d"${secs}s" --latency \
        -s "$(dirname "$0")/wrk/dynamodb.lua" "$endpoint" -- "$op" "$keys" "$threads")
    local requests seconds rate non2xx p50 p99 max name
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    seconds=$(echo "$out" | awk '/requests in/ { sub(/s,$/, "", $4); print $4 }')
    rate=$(echo "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
    non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
    p50=$(wrk_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
    p99=$(wrk_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
    max=$(wrk_ms "$(echo "$out" | awk '$1 == "Latency" { print $4 }')")
    name=$([ "$op" = put ] && echo PutItem || echo GetItem)
    printf '%-8s %9s %7s %7s %8s %10s %8s %8s %8s %8s %8s\n' \
        "$name" "$requests" "${non2xx:-0}" - "$seconds" "$rate" - "$p50" "$p99" - "$max"
}

phase() { # name op [args...]
    local name=$1 op=$2
    shift 2
    local before after out requests
    if [ "$loadgen" = wrk ] && [ "$op" = put ]; then
        "$load" --endpoint "$endpoint" --connections 1 --requests 1 --ops get >/dev/null
    fi
    before=$(cpu_ticks "$pid")
    if [ "$loadgen" = wrk ]; then
        out=$(wrk_phase "$op" "${last_requests:-1}")
    else
        out=$("$load" --endpoint "$endpoint" --connections "$connections" --duration "$secs" --ops "$op" "$@" | tail -1)
    fi
    after=$(cpu_ticks "$pid")
    requests=$(echo "$out" | awk '{ print $2 }')
    printf '%-9s %s   cpu/req %.1fus\n' "$name" "$out" \
        "$(echo "($after - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)"
    last_requests=$requests
}

for run in $(seq 1 "$runs"); do
    for s in $servers; do
        echo "=== run $run, $s: $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
        start "$s"
        phase "$s" put
        phase "$s" get --keys "$last_requests"
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        rm -rf "${data:?}/$s"
    done
done
