//! Draws a results file as an SVG: one panel per workload and metric
//! (throughput, write amplification, latency), engines side by side in
//! each, one bar per run.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

use crate::driver::BoxError;
use crate::engine::EngineKind;

/// One bar: an engine's figure in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Engine name.
    pub engine: String,
    /// Run label (`--run`), for the order of bars within an engine.
    pub run: String,
    /// The figure.
    pub value: f64,
}

/// One panel: a workload and a metric, with every engine's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Workload label and benchmark, e.g. `10M x 100 B: fillrandom`.
    pub workload: String,
    /// What is measured, with its unit.
    pub metric: String,
    /// Whether a lower figure is better (write amp, latency).
    pub lower_is_better: bool,
    /// Bars in file order.
    pub bars: Vec<Bar>,
}

/// The figures a record contributes: `(metric, value, lower is better)`.
fn figures(r: &Value) -> Vec<(String, f64, bool)> {
    let bench = r["benchmark"].as_str().unwrap_or_default();
    let num = |k: &str| r[k].as_f64();
    let value_size = r["value_size"].as_u64().unwrap_or(0);
    let threads = r["threads"].as_u64().unwrap_or(1);
    let sync = r["sync"].as_bool().unwrap_or(false);
    let mut out = Vec::new();
    match bench {
        "settle" => {
            if let Some(wa) = r["cumulative_write_amp"]["os"].as_f64() {
                out.push(("cumulative write amp (OS)".into(), wa, true));
            }
        }
        "fillsync_during_compaction" | "syncwhilesettling" | "syncwhilecompacting" => {
            if let Some(p50) = num("p50_us") {
                out.push(("synced write p50 (ms)".into(), p50 / 1000.0, true));
            }
            if let Some(p99) = num("p99_us") {
                out.push(("synced write p99 (ms)".into(), p99 / 1000.0, true));
            }
            if let Some(max) = num("max_us") {
                out.push(("synced write max (ms)".into(), max / 1000.0, true));
            }
        }
        _ => {
            let writes = bench.starts_with("fill") || bench == "overwrite";
            let what = match (writes && value_size >= 4096, sync, threads) {
                (true, _, _) => "MB/s",
                (false, true, t) if t > 1 => "ops/s (every write synced)",
                (false, true, _) => "ops/s (synced)",
                _ => "ops/s",
            };
            let v = if what == "MB/s" {
                num("mb_per_sec")
            } else {
                num("ops_per_sec")
            };
            if let Some(v) = v {
                let metric = if threads > 1 {
                    format!("{what}, {threads} threads")
                } else {
                    what.to_string()
                };
                out.push((metric, v, false));
            }
        }
    }
    out
}

/// Groups records into panels, in the order their workloads first appear.
pub fn panels(records: &[Value]) -> Vec<Panel> {
    let mut panels: Vec<Panel> = Vec::new();
    for r in records {
        let label = r["label"].as_str().unwrap_or_default();
        let bench = r["benchmark"].as_str().unwrap_or_default();
        let workload = if label.is_empty() {
            bench.to_string()
        } else {
            format!("{label}: {bench}")
        };
        let bar = |value| Bar {
            engine: r["engine"].as_str().unwrap_or_default().to_string(),
            run: r["run"].as_str().unwrap_or_default().to_string(),
            value,
        };
        for (metric, value, lower_is_better) in figures(r) {
            match panels
                .iter_mut()
                .find(|p| p.workload == workload && p.metric == metric)
            {
                Some(p) => p.bars.push(bar(value)),
                None => panels.push(Panel {
                    workload: workload.clone(),
                    metric,
                    lower_is_better,
                    bars: vec![bar(value)],
                }),
            }
        }
    }
    panels
}

/// The panels as a Markdown table: one row per workload and metric, one
/// column per engine (its runs separated by " / "), then siltdb's figure
/// over RocksDB's and over fjall's, run by run (matched by run name).
pub fn markdown(records: &[Value]) -> String {
    let engines: Vec<&str> = EngineKind::ALL.iter().map(|e| e.name()).collect();
    let mut out = String::from("| workload | metric |");
    for e in &engines {
        out += &format!(" {e} |");
    }
    out += " siltdb ÷ rocksdb | siltdb ÷ fjall |\n|---|---|";
    out += &"---|".repeat(engines.len() + 2);
    out.push('\n');
    for p in panels(records) {
        let runs =
            |engine: &str| -> Vec<&Bar> { p.bars.iter().filter(|b| b.engine == engine).collect() };
        out += &format!("| {} | {} |", p.workload, p.metric);
        for e in &engines {
            let figures: Vec<String> = runs(e).iter().map(|b| short(b.value)).collect();
            out += &format!(
                " {} |",
                if figures.is_empty() {
                    "–".into()
                } else {
                    figures.join(" / ")
                }
            );
        }
        for peer in ["rocksdb", "fjall"] {
            let ratios: Vec<String> = runs("siltdb")
                .iter()
                .filter_map(|s| {
                    let other = runs(peer).into_iter().find(|b| b.run == s.run)?;
                    (other.value > 0.0).then(|| format!("{:.2}", s.value / other.value))
                })
                .collect();
            out += &format!(
                " {} |",
                if ratios.is_empty() {
                    "–".into()
                } else {
                    ratios.join(" / ")
                }
            );
        }
        out.push('\n');
    }
    out
}

/// Peak RSS as a Markdown table: per workload label, each engine's
/// largest `peak_rss_bytes` over the benchmarks of a run, in MB, runs
/// separated by " / ".
pub fn rss_markdown(records: &[Value]) -> String {
    let engines: Vec<&str> = EngineKind::ALL.iter().map(|e| e.name()).collect();
    let mut labels: Vec<&str> = Vec::new();
    for r in records {
        let l = r["label"].as_str().unwrap_or_default();
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    let mut out = String::from("| workload | peak RSS, MB |");
    for e in &engines {
        out += &format!(" {e} |");
    }
    out += "\n|---|---|";
    out += &"---|".repeat(engines.len());
    out.push('\n');
    for l in labels {
        out += &format!("| {l} | max over its benchmarks |");
        for e in &engines {
            let mut runs: Vec<(&str, f64)> = Vec::new();
            for r in records
                .iter()
                .filter(|r| r["label"] == l && r["engine"] == *e)
            {
                let run = r["run"].as_str().unwrap_or_default();
                let mb = r["peak_rss_bytes"].as_f64().unwrap_or(0.0) / 1e6;
                match runs.iter_mut().find(|(name, _)| *name == run) {
                    Some((_, m)) => *m = m.max(mb),
                    None => runs.push((run, mb)),
                }
            }
            let figures: Vec<String> = runs.iter().map(|(_, mb)| format!("{mb:.0}")).collect();
            out += &format!(
                " {} |",
                if figures.is_empty() {
                    "–".into()
                } else {
                    figures.join(" / ")
                }
            );
        }
        out.push('\n');
    }
    out
}

/// Short figure text for a bar label: 240k, 17.5k, 254, 9.12.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e5 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn engine_color(engine: &str) -> RGBColor {
    match engine.parse::<EngineKind>() {
        Ok(EngineKind::Siltdb) => RGBColor(31, 119, 180),
        Ok(EngineKind::Rocksdb) => RGBColor(255, 127, 14),
        Ok(EngineKind::Fjall) => RGBColor(44, 160, 44),
        Err(_) => RGBColor(127, 127, 127),
    }
}

/// `c` mixed with white: `k` = 0 keeps it, 1 is white.
fn lighter(c: RGBColor, k: f64) -> RGBColor {
    let m = |x: u8| (f64::from(x) + (255.0 - f64::from(x)) * k).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Draws `records` to an SVG file at `out`, three panels a row.
pub fn draw(records: &[Value], out: &Path, title: &str) -> Result<(), BoxError> {
    let panels = panels(records);
    if panels.is_empty() {
        return Err("no figures to draw in the results".into());
    }
    const COLS: usize = 3;
    let rows = panels.len().div_ceil(COLS);
    let (w, h) = (420 * COLS as u32, 80 + 300 * rows as u32);
    let root = SVGBackend::new(out, (w, h)).into_drawing_area();
    root.fill(&WHITE)?;
    let (head, body) = root.split_vertically(80);
    head.draw(&Text::new(
        title.to_string(),
        (12, 10),
        ("sans-serif", 20).into_font(),
    ))?;
    // Legend: engines in their colours; runs as shades.
    let mut x = 12;
    for e in EngineKind::ALL {
        let c = engine_color(e.name());
        head.draw(&Rectangle::new([(x, 44), (x + 14, 58)], c.filled()))?;
        head.draw(&Text::new(
            e.name().to_string(),
            (x + 18, 45),
            ("sans-serif", 13).into_font(),
        ))?;
        x += 100;
    }
    head.draw(&Text::new(
        "bars: run 1, run 2, ... left to right (later runs lighter); write amp (OS) = \
         /proc/self/io write_bytes - cancelled_write_bytes over key+value bytes written"
            .to_string(),
        (x + 10, 45),
        ("sans-serif", 12).into_font(),
    ))?;

    let areas = body.split_evenly((rows, COLS));
    for (panel, area) in panels.iter().zip(areas.iter()) {
        draw_panel(panel, area)?;
    }
    root.present()?;
    Ok(())
}

fn draw_panel(
    panel: &Panel,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> Result<(), BoxError> {
    // Engines in the usual order, then any unknown names.
    let mut engines: Vec<String> = EngineKind::ALL
        .iter()
        .map(|e| e.name().to_string())
        .filter(|e| panel.bars.iter().any(|b| &b.engine == e))
        .collect();
    for b in &panel.bars {
        if !engines.contains(&b.engine) {
            engines.push(b.engine.clone());
        }
    }
    let ymax = panel
        .bars
        .iter()
        .map(|b| b.value)
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.18;
    let (head, plot) = area.split_vertically(40);
    let (w, _) = head.dim_in_pixel();
    let centered = |size| {
        ("sans-serif", size)
            .into_font()
            .into_text_style(&head)
            .pos(Pos::new(HPos::Center, VPos::Top))
    };
    head.draw(&Text::new(
        panel.workload.clone(),
        (w as i32 / 2, 6),
        centered(14),
    ))?;
    head.draw(&Text::new(
        format!(
            "{}{}",
            panel.metric,
            if panel.lower_is_better {
                " (lower is better)"
            } else {
                ""
            }
        ),
        (w as i32 / 2, 23),
        centered(12),
    ))?;
    let area = &plot;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_top(4)
        .x_label_area_size(22)
        .y_label_area_size(52)
        .build_cartesian_2d(0f64..engines.len() as f64, 0f64..ymax)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&|v| short(*v))
        .draw()?;
    for (i, e) in engines.iter().enumerate() {
        let bars: Vec<&Bar> = panel.bars.iter().filter(|b| &b.engine == e).collect();
        let n = bars.len() as f64;
        let slot = 0.8 / n;
        let base = engine_color(e);
        for (j, b) in bars.iter().enumerate() {
            let x0 = i as f64 + 0.1 + slot * j as f64;
            let x1 = x0 + slot * 0.92;
            let color = lighter(base, 0.45 * j as f64 / n.max(1.0));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, b.value)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                short(b.value),
                ((x0 + x1) / 2.0, b.value),
                ("sans-serif", 11)
                    .into_font()
                    .into_text_style(area)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        let (ox, oy) = area.get_base_pixel();
        area.draw(&Text::new(
            e.clone(),
            (px - ox, py - oy + 6),
            ("sans-serif", 12)
                .into_font()
                .into_text_style(area)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_by_workload_and_metric_in_file_order() {
        let recs = vec![
            json!({"label": "10M", "engine": "siltdb", "run": "1", "benchmark": "fillrandom",
                   "value_size": 100, "threads": 1, "sync": false, "ops_per_sec": 240000.0}),
            json!({"label": "10M", "engine": "siltdb", "run": "1", "benchmark": "settle",
                   "cumulative_write_amp": {"os": 9.1}}),
            json!({"label": "10M", "engine": "rocksdb", "run": "1", "benchmark": "fillrandom",
                   "value_size": 100, "threads": 1, "sync": false, "ops_per_sec": 189000.0}),
            json!({"label": "100KB", "engine": "fjall", "run": "2", "benchmark": "fillrandom",
                   "value_size": 102400, "threads": 1, "sync": false, "mb_per_sec": 900.0,
                   "ops_per_sec": 9000.0}),
            json!({"label": "sync", "engine": "rocksdb", "run": "1",
                   "benchmark": "fillsync_during_compaction", "p99_us": 7500.0, "max_us": 17500.0}),
        ];
        let p = panels(&recs);
        let names: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.workload.as_str(), p.metric.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("10M: fillrandom", "ops/s"),
                ("10M: settle", "cumulative write amp (OS)"),
                ("100KB: fillrandom", "MB/s"),
                ("sync: fillsync_during_compaction", "synced write p99 (ms)"),
                ("sync: fillsync_during_compaction", "synced write max (ms)"),
            ]
        );
        assert_eq!(p[0].bars.len(), 2);
        assert_eq!(p[0].bars[1].engine, "rocksdb");
        assert!(p[1].lower_is_better && !p[0].lower_is_better);
        assert_eq!(p[2].bars[0].value, 900.0);
        assert_eq!(p[3].bars[0].value, 7.5);
    }

    #[test]
    fn markdown_table_has_runs_and_ratios() {
        let rec = |engine: &str, run: &str, ops: f64| {
            json!({"label": "L", "engine": engine, "run": run, "benchmark": "readrandom",
                   "value_size": 100, "threads": 1, "sync": false, "ops_per_sec": ops})
        };
        let recs = vec![
            rec("siltdb", "1", 200_000.0),
            rec("rocksdb", "1", 100_000.0),
            rec("siltdb", "2", 300_000.0),
            rec("rocksdb", "2", 200_000.0),
        ];
        let md = markdown(&recs);
        let row = md.lines().nth(2).expect("a data row");
        assert_eq!(
            row,
            "| L: readrandom | ops/s | 200k / 300k | 100k / 200k | – | 2.00 / 1.50 | – |"
        );
    }

    #[test]
    fn short_figures() {
        assert_eq!(short(240_123.0), "240k");
        assert_eq!(short(17_500.0), "17.5k");
        assert_eq!(short(254.4), "254");
        assert_eq!(short(9.123), "9.12");
        assert_eq!(short(2_500_000.0), "2.50M");
    }
}
