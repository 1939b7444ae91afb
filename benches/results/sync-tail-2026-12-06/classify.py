#!/usr/bin/env python3
"""Sorts the probe's slow synced writes (lines `SLOW <total>: point@µs ...`,
printed by a build with probe.patch applied, for every synced write over
2 ms) by the step that took longest; the gap after the last point is
`after` (between the group's end and the write's return to the caller).
Also counts the slow fdatasyncs (over 1.5 ms) that followed a zero
extension of the WAL (over 100 µs between `frozen` and `prealloc`).

    python3 classify.py baseline-slow-writes.txt
"""
import re
import sys

steps, slow_syncs, after_extension, n = {}, 0, 0, 0
for line in open(sys.argv[1]):
    m = re.match(r"SLOW ([\d.]+)(ms|µs|s):(.*)", line)
    if not m:
        continue
    n += 1
    total = float(m.group(1)) * {"ms": 1000, "µs": 1, "s": 1e6}[m.group(2)]
    points = [(a, int(b)) for a, b in re.findall(r"(\S+)@(\d+)", m.group(3))]
    gaps, prev = {}, 0
    for name, at in points:
        gaps[name] = gaps.get(name, 0) + at - prev
        prev = at
    gaps["after"] = total - prev
    worst = max(gaps, key=gaps.get)
    steps[worst] = steps.get(worst, 0) + 1
    d = dict(points)
    if "synced" in d and "prealloc" in d and d["synced"] - d["prealloc"] > 1500:
        slow_syncs += 1
        if d["prealloc"] - d.get("frozen", d["prealloc"]) > 100:
            after_extension += 1
print(f"{n} synced writes over 2 ms; longest step: {dict(sorted(steps.items(), key=lambda kv: -kv[1]))}")
print(f"fdatasyncs over 1.5 ms: {slow_syncs}, of which after a zero extension: {after_extension}")
