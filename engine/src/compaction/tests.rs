//! Data-driven tests of the picker's decisions (`testdata/*.txt`).
//!
//! Test file format (one case after another):
//!
//! ```text
//! <command> [option=value | flag ...]
//! L<n>: <number>:<smallest>-<largest>:<size>[@<seq>] ...   (one line per level)
//! ----
//! <expected output, up to a blank line>
//! ```
//!
//! A file's user keys are the text given; its sequence numbers are
//! `seq - 1 ..= seq`, where `seq` defaults to `10 * number` (so in L0 a
//! higher number is newer). Lines starting with `#` where a command is
//! expected are comments.
//!
//! Commands: `pick` (the task [`pick`] chooses, or `none`), `targets` (the
//! base level and the target of each level from [`level_targets`]),
//! `pending` ([`pending_compaction_bytes`], [`write_pressure`] and [`behind`]), `manual
//! level=<n> [begin=<key>] [end=<key>]` (the task `compact_range` runs for
//! that level: [`manual_output_level`] and [`manual_task`]).
//!
//! Options (defaults in brackets): `l0` trigger [4], `l0_slowdown` [8],
//! `l0_stop` [12], `base` bytes [1000], `mult` [10], `tfs` target file size
//! [100], `mcb` max compaction bytes [2500], `soft`/`hard` pending-bytes
//! limits [0 = off], flag `dynamic` (dynamic level sizing).
//! Set `SILTDB_REWRITE=1` to rewrite expected outputs in place.
#![expect(
    clippy::cast_possible_truncation,
    reason = "sizes in the test data are small"
)]

use std::fmt::Write as _;
use std::sync::Arc;

use super::*;
use crate::manifest::{FileMeta, Version, VersionEdit, NUM_LEVELS};

fn options(args: &[&str]) -> (CompactionOptions, Vec<(String, String)>) {
    let mut o = CompactionOptions {
        l0_compaction_trigger: 4,
        l0_slowdown_trigger: 8,
        l0_stop_trigger: 12,
        base_level_bytes: 1000,
        level_multiplier: 10,
        dynamic_level_bytes: false,
        target_file_size: 100,
        max_compaction_bytes: 2500,
        soft_pending_bytes: 0,
        hard_pending_bytes: 0,
    };
    let mut rest = Vec::new();
    for a in args {
        if *a == "dynamic" {
            o.dynamic_level_bytes = true;
            continue;
        }
        let (k, v) = a
            .split_once('=')
            .unwrap_or_else(|| panic!("bad option {a:?}"));
        let n = || {
            v.parse::<u64>()
                .unwrap_or_else(|_| panic!("bad number in {a:?}"))
        };
        match k {
            "l0" => o.l0_compaction_trigger = n() as usize,
            "l0_slowdown" => o.l0_slowdown_trigger = n() as usize,
            "l0_stop" => o.l0_stop_trigger = n() as usize,
            "base" => o.base_level_bytes = n(),
            "mult" => o.level_multiplier = n(),
            "tfs" => o.target_file_size = n(),
            "mcb" => o.max_compaction_bytes = n(),
            "soft" => o.soft_pending_bytes = n(),
            "hard" => o.hard_pending_bytes = n(),
            _ => rest.push((k.to_string(), v.to_string())),
        }
    }
    (o, rest)
}

fn parse_file(spec: &str) -> FileMeta {
    let bad = || -> ! { panic!("bad file {spec:?}: want number:lo-hi:size[@seq]") };
    let (spec, seq) = match spec.split_once('@') {
        Some((s, q)) => (s, Some(q.parse::<u64>().unwrap_or_else(|_| bad()))),
        None => (spec, None),
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let [number, range, size] = parts[..] else {
        bad()
    };
    let number: u64 = number.parse().unwrap_or_else(|_| bad());
    let (lo, hi) = range.split_once('-').unwrap_or_else(|| bad());
    let size: u64 = size.parse().unwrap_or_else(|_| bad());
    crate::testutil::file_meta(number, lo, hi, seq.unwrap_or(10 * number), size)
}

fn parse_version(input: &str) -> Version {
    let mut new_files = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let (level, files) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("bad level line {line:?}"));
        let level: usize = level
            .trim()
            .strip_prefix('L')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad level in {line:?}"));
        for f in files.split_whitespace() {
            new_files.push((level, parse_file(f)));
        }
    }
    Version::new()
        .apply(&VersionEdit {
            new_files,
            ..VersionEdit::default()
        })
        .unwrap_or_else(|e| panic!("invalid version: {e}"))
}

fn numbers(files: &[Arc<FileMeta>]) -> String {
    if files.is_empty() {
        return "-".to_string();
    }
    let v: Vec<String> = files.iter().map(|f| f.number.to_string()).collect();
    v.join(" ")
}

fn show_task(t: Option<CompactionTask>) -> String {
    let Some(t) = t else {
        return "none".to_string();
    };
    let yn = |b: bool| if b { "yes" } else { "no" };
    format!(
        "L{} -> L{} score {:.2}\ninputs: {}\nnext: {}\ngrandparents: {}\ntrivial move: {}; bottommost: {}",
        t.level,
        t.output_level,
        t.score,
        numbers(&t.inputs),
        numbers(&t.next_inputs),
        numbers(&t.grandparents),
        yn(t.trivial_move),
        yn(t.bottommost)
    )
}

fn run_case(cmd: &str, input: &str) -> String {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let (name, args) = words.split_first().expect("command");
    let (opts, rest) = options(args);
    let arg = |k: &str| rest.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
    let version = parse_version(input);
    match *name {
        "pick" => show_task(pick(&version, &opts)),
        "targets" => {
            let t = level_targets(&version, &opts);
            let mut s = format!("base level: L{}", t.base_level);
            for level in 1..NUM_LEVELS {
                let target = match t.bytes[level] {
                    u64::MAX => "-".to_string(),
                    b => b.to_string(),
                };
                let _ = write!(
                    s,
                    "\nL{level}: {} bytes, target {target}",
                    version.level_bytes(level)
                );
            }
            s
        }
        "pending" => format!(
            "pending bytes: {}\npressure: {:?}\nbehind: {}",
            pending_compaction_bytes(&version, &opts),
            write_pressure(&version, &opts),
            behind(&version, &opts)
        ),
        "manual" => {
            let level: usize = arg("level")
                .and_then(|l| l.parse().ok())
                .expect("manual needs level=<n>");
            let output = manual_output_level(&version, level, &opts);
            let task = manual_task(
                &version,
                level,
                output,
                arg("begin").map(str::as_bytes),
                arg("end").map(str::as_bytes),
            );
            show_task(task)
        }
        other => panic!("unknown command {other:?}"),
    }
}

#[test]
fn testdata() {
    let total = crate::datadriven::run_dir("src/compaction/testdata", &run_case);
    assert!(total > 0);
}
