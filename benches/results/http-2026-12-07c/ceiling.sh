#!/usr/bin/env bash
# The harness's ceiling on this machine: wrk (32 connections, one thread)
# against siltdb's cheapest answer, `GET /` (DynamoDB's health check: a
# 16-byte body, no JSON, no storage), beside GetItem on the same server,
# two rounds. Whatever a GetItem costs, it cannot go faster than this.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=${BIN:-/tmp/siltdb-4d601af}
port=18200
for round in 1 2; do
    rm -rf /tmp/ceiling && mkdir -p /tmp/ceiling
    "$bin" serve --port $port --data-dir /tmp/ceiling >/dev/null 2>&1 &
    pid=$!
    sleep 1
    /tmp/siltdb-load --endpoint http://127.0.0.1:$port --connections 1 --requests 1 --ops get >/dev/null
    n=$(wrk -t1 -c32 -d6s -s benches/wrk/dynamodb.lua http://127.0.0.1:$port -- put 1 1 | awk '/requests in/ {print $1}')
    for what in health get; do
        t0=$(awk '{print $14+$15}' /proc/$pid/stat)
        if [ $what = health ]; then
            out=$(wrk -t1 -c32 -d6s --latency http://127.0.0.1:$port/)
        else
            out=$(wrk -t1 -c32 -d6s --latency -s benches/wrk/dynamodb.lua http://127.0.0.1:$port -- get "$n" 1)
        fi
        t1=$(awk '{print $14+$15}' /proc/$pid/stat)
        m=$(echo "$out" | awk '/requests in/ {print $1}')
        printf 'round %s %-7s %s/s p99 %s cpu/req %.1fus\n' $round $what \
            "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
            "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
            "$(echo "($t1-$t0)*10000/$m" | bc -l)"
    done
    kill $pid; wait $pid 2>/dev/null || true
done
