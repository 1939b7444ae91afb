#!/bin/bash
# each arg: "label|ENV=.. ENV=.." ; binary /tmp/bench-aimdenv unless label starts with bin:
cd /tmp/aimd
for r in $(seq 1 ${ROUNDS:-1}); do
for spec in "$@"; do
  label=${spec%%|*}; envs=${spec#*|}
  bin=/tmp/bench-aimdenv; case $label in bin:*) bin=/tmp/bench-${label#bin:};; esac
  rm -rf db; echo "=== run $r $label [$envs] compacting10t8 $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> sweep.log
  env $envs $bin --engine siltdb --benchmarks fillrandom,syncwhilecompacting --num 10000000 --compact false --threads 8 --statistics --db /tmp/aimd/db 2>&1 | grep -E "^syncwhile|^compactions yielded" >> sweep.log
done; done
echo "done $(date -u +%T)" >> sweep.log
