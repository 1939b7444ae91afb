#!/usr/bin/env bash
# GetItem right after the data directory is dropped from the page cache,
# with 4 runtime workers (twice the CPUs, the old default) and 2 (one per
# CPU, the new), two rounds: a 30 s PutItem fill of 400-byte items (more
# than the 128 MiB block cache holds), then per round and worker count a
# fresh server (empty block cache) and a 4 s GetItem phase over 1M keys.
# BIN: the server binary (/tmp/siltdb-s0 = main at 5adc250).
set -u
BIN=${BIN:-/tmp/siltdb-s0}; PORT=18210; D=${DATA:-/tmp/io/data}
start() { $BIN serve --port $PORT --data-dir $D "$@" > /tmp/io/server.log 2>&1 & pid=$!; for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done; }
if [ ! -d $D ]; then
  mkdir -p $D; start
  /tmp/siltdb-load-lean --endpoint http://127.0.0.1:$PORT --connections 32 --duration 30 --ops put --item-bytes 400 | tail -1
  kill $pid; wait $pid
fi
du -sh $D
N=1000000
for r in 1 2; do for w in 4 2; do
  python3 "$(dirname "$0")/evict.py" $D > /dev/null
  start --worker-threads $w
  echo -n "w=$w "; /tmp/siltdb-load-lean --endpoint http://127.0.0.1:$PORT --connections 32 --duration 4 --ops get --keys $N --item-bytes 400 | tail -1
  kill $pid; wait $pid
done; done
