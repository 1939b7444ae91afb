//! The results file: one JSON object per benchmark line (JSON Lines), which
//! `siltdb-bench --results FILE` appends to and `siltdb-bench-chart` draws.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::driver::{BoxError, Config};
use crate::report::Report;

/// The JSON object for `report`, run as `cfg` says, under a workload
/// `label` and a `run` name (runs of one label are drawn side by side).
pub fn record(label: &str, run: &str, cfg: &Config, report: &Report) -> Value {
    let wa = |w: Option<&crate::report::WriteAmp>| {
        w.map(|w| {
            json!({
                "user_bytes": w.user_bytes,
                "device_bytes": w.device_bytes,
                "os": w.os(),
                "siltdb_stats": w.engine.map(|e| json!({
                    "total": e.total(),
                    "wal": e.wal,
                    "flush": e.flush,
                    "compaction": e.compaction,
                })),
            })
        })
    };
    let us = |ns: f64| ns / 1000.0;
    json!({
        "label": label,
        "run": run,
        "engine": report.engine.name(),
        "benchmark": report.name,
        "num": cfg.num,
        "reads": cfg.reads.unwrap_or(cfg.num),
        "key_size": cfg.key_size,
        "value_size": cfg.value_size,
        "threads": cfg.threads,
        "sync": cfg.sync,
        "ops": report.ops,
        "seconds": report.elapsed.as_secs_f64(),
        "ops_per_sec": if report.ops > 0 { Some(report.ops_per_sec()) } else { None },
        "mb_per_sec": if report.ops > 0 { Some(report.mb_per_sec()) } else { None },
        "p50_us": (report.ops > 0).then(|| us(report.hist.percentile(50.0))),
        "p99_us": (report.ops > 0).then(|| us(report.hist.percentile(99.0))),
        "max_us": (report.ops > 0).then(|| us(report.hist.max() as f64)),
        "found": report.found.map(|(f, _)| f),
        "write_amp": wa(report.write_amp.as_ref()),
        "cumulative_write_amp": wa(report.cumulative.as_ref()),
        "peak_rss_bytes": report.peak_rss,
        "load": report.load,
        "extra": report.extra,
    })
}

/// Appends `records` to the file at `path` (created if missing).
pub fn append(path: &Path, records: &[Value]) -> Result<(), BoxError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut text = String::new();
    for r in records {
        text += &serde_json::to_string(r)?;
        text.push('\n');
    }
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// Every record of a results file; blank lines are skipped, a line that is
/// not a JSON object is an error naming the line.
pub fn read(path: &Path) -> Result<Vec<Value>, BoxError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if !v.is_object() {
            return Err(format!("{}:{}: not a JSON object", path.display(), i + 1).into());
        }
        out.push(v);
    }
    Ok(out)
}
