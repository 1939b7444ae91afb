//! `siltdb --help` lists every subcommand, and each answers `--help`.

mod cli_support;

use cli_support::siltdb;

const SUBCOMMANDS: [&str; 9] = [
    "serve", "check", "stats", "dump", "export", "import", "repair", "backup", "restore",
];

#[test]
fn help_lists_every_subcommand() {
    let run = siltdb(&["--help"]);
    assert!(run.success(), "{run:?}");
    let commands: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for sub in SUBCOMMANDS {
        assert!(
            commands.contains(&sub),
            "{sub} missing from:\n{}",
            run.stdout
        );
    }
    assert!(commands.contains(&"help"), "{}", run.stdout);
    assert_eq!(commands.len(), SUBCOMMANDS.len() + 1, "{}", run.stdout);
}

#[test]
fn every_subcommand_has_help() {
    for sub in SUBCOMMANDS {
        let run = siltdb(&[sub, "--help"]);
        assert!(run.success(), "{sub}: {run:?}");
        assert!(
            run.stdout.contains(&format!("Usage: siltdb {sub}")),
            "{sub}: {run:?}"
        );
    }
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let run = siltdb(&[]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("Usage: siltdb"), "{run:?}");
}
