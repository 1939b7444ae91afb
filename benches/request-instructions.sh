#!/usr/bin/env bash
# User-space instructions per HTTP request of `siltdb serve`, counted by
# valgrind's callgrind: a measure of a change to the request path that the
# shared machine's noise does not move (benches/RESULTS.md, "Per-request
# instructions"). Wall-clock throughput is still measured side by side
# (http-peers.sh); this tells whether a change removed work at all, and
# where the work is (callgrind_annotate on the kept profile).
#
#   benches/request-instructions.sh SILTDB [OPS] [REQUESTS]
#
# For each operation of OPS (default "get put"; siltdb-load's names): a
# fresh server under callgrind with instrumentation off, 3,000 puts to
# fill the table, instrumentation on, REQUESTS (default 5,000) requests of
# the operation over 32 connections, a dump. Prints the instructions per
# request; the profiles stay in OUT (default target/request-instructions).
# The count includes the one DescribeTable siltdb-load sends first (about
# 2,500 instructions per request at 5,000 requests) and the kernel's work
# is not counted.
#
# Environment: LOAD (siltdb-load, default target/release/siltdb-load),
# PORT (18390), OUT. Needs valgrind (`apt-get install valgrind`).
set -euo pipefail

siltdb=${1:?usage: request-instructions.sh SILTDB [OPS] [REQUESTS]}
ops=${2:-get put}
requests=${3:-5000}
load=${LOAD:-target/release/siltdb-load}
port=${PORT:-18390}
out=${OUT:-target/request-instructions}
endpoint="http://127.0.0.1:$port"
mkdir -p "$out"

for op in $ops; do
    data="$out/data-$op"
    profile="$out/$op.callgrind"
    rm -rf "$data" "$profile" "$profile".*
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$profile" \
        "$siltdb" serve --port "$port" --data-dir "$data" >"$out/$op.log" 2>&1 &
    pid=$!
    for _ in $(seq 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    "$load" --endpoint "$endpoint" --connections 32 --requests 3000 --ops put >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    "$load" --endpoint "$endpoint" --connections 32 --requests "$requests" --ops "$op" \
        --keys 3000 >/dev/null
    # The dump goes to "$profile.1"; the file written at exit holds only
    # what ran after it.
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    total=$(callgrind_annotate "$profile.1" 2>/dev/null |
        awk '/PROGRAM TOTALS/ && !seen { gsub(",", "", $1); print $1; seen = 1 }')
    echo "$op: $total instructions for $requests requests, $((total / requests)) per request ($profile.1)"
    rm -rf "$data"
done
