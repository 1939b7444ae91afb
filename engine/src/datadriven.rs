//! The runner of data-driven test files (Pebble's `testdata/` style): a
//! case is a command line, input lines, `----`, and the expected output up
//! to a blank line; lines starting with `#` where a command is expected are
//! comments. Each test module supplies what a command does; a module whose
//! cases build up state (a database) gets a fresh runner per file through
//! [`run_dir_per_file`]. Set `SILTDB_REWRITE=1` to rewrite expected outputs
//! in place.

use std::fmt::Write as _;
use std::path::Path;

/// Runs one file's text; returns (cases, rewritten text, failures).
fn run_file(
    text: &str,
    run_case: &mut dyn FnMut(&str, &str) -> String,
) -> (usize, String, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            i += 1;
            continue;
        }
        let cmd = line.trim();
        let case_line = i + 1;
        i += 1;
        let mut input = Vec::new();
        while i < lines.len() && lines[i] != "----" {
            input.push(lines[i]);
            i += 1;
        }
        i += 1; // ----
        let mut expected = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            expected.push(lines[i]);
            i += 1;
        }
        let input = input.join("\n");
        let got = run_case(cmd, &input);
        cases += 1;
        if got != expected.join("\n") {
            failures.push(format!(
                "line {case_line}: {cmd}\n{input}\n--- expected\n{}\n--- got\n{got}\n",
                expected.join("\n")
            ));
        }
        let _ = write!(out, "{cmd}\n{input}\n----\n{got}\n");
    }
    (cases, out, failures)
}

/// Runs every `*.txt` file of `dir` (relative to the engine crate) with
/// `run_case` and fails on any difference (or rewrites the files); returns
/// how many cases ran.
pub(crate) fn run_dir(dir: &str, run_case: &dyn Fn(&str, &str) -> String) -> usize {
    run_dir_per_file(dir, || run_case)
}

/// [`run_dir`] for stateful cases: `runner` is called once per file (in name
/// order) and gives the function that runs that file's cases in order.
pub(crate) fn run_dir_per_file<F>(dir: &str, mut runner: impl FnMut() -> F) -> usize
where
    F: FnMut(&str, &str) -> String,
{
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let rewrite = std::env::var_os("SILTDB_REWRITE").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("testdata dir {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("read testdata");
        let mut run_case = runner();
        let (n, rewritten, fails) = run_file(&text, &mut run_case);
        total += n;
        if rewrite {
            std::fs::write(&path, rewritten).expect("rewrite testdata");
        }
        for f in fails {
            failures.push(format!("{}: {f}", path.display()));
        }
    }
    eprintln!("{}: {total} cases", dir.display());
    if !rewrite {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
    total
}
