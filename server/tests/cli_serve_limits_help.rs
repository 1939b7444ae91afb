//! `siltdb serve --help` documents every limit on what clients may hold,
//! with its default, and the opt-in CORS flag.

mod cli_support;

use cli_support::siltdb;

#[test]
fn serve_help_documents_the_limits() {
    let run = siltdb(&["serve", "--help"]);
    assert!(run.success(), "{run:?}");
    for (flag, default) in [
        ("--max-request-memory <SIZE>", Some("[default: 512MiB]")),
        ("--max-connections <N>", Some("[default: 4096]")),
        ("--header-timeout <SECONDS>", Some("[default: 10]")),
        ("--body-timeout <SECONDS>", Some("[default: 60]")),
        ("--idle-timeout <SECONDS>", Some("[default: 60]")),
        ("--cors-origin <ORIGIN>", None),
    ] {
        let Some(at) = run.stdout.find(flag) else {
            panic!("{flag} missing from:\n{}", run.stdout);
        };
        let entry: String = run.stdout[at..]
            .lines()
            .take_while(|l| !l.trim_start().starts_with("--") || l.contains(flag))
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(default) = default {
            assert!(entry.contains(default), "{flag}: {entry}");
        }
    }
    assert!(
        run.stdout.contains("Off by default"),
        "CORS must say it is off by default:\n{}",
        run.stdout
    );
}
