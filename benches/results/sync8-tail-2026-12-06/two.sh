#!/bin/bash
# two.sh TAG ENV... : the row fillsync_during_compaction (probe build)
tag=$1; shift
cd /tmp/p8 && rm -rf db2
env SPIN_US=0 "$@" timeout 900 /work/wt/bench-peers/target/release/siltdb-bench --engine siltdb --benchmarks fillsync_during_compaction --num 1000000 --write_buffer_size 4194304 --statistics --db /tmp/p8/db2 > out2-$tag.txt 2> err2-$tag.txt
echo "== $tag ($*) rc=$? $(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "fillsync|unsynced" out2-$tag.txt | sed -E 's/; write-amp OS[^;]*//' | cut -c1-300
