//! The `siltdb` command line.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use siltdb_server::auth::Credentials;

/// siltdb: DynamoDB you can embed, served over DynamoDB's own protocol.
#[derive(Debug, Parser)]
#[command(name = "siltdb", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a database over DynamoDB's JSON protocol (aws-cli, boto3 and
    /// the AWS SDKs work unchanged with `--endpoint-url`).
    Serve(ServeArgs),
}

/// `siltdb serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Directory holding the database (created if missing).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long, conflicts_with = "data_dir")]
    pub in_memory: bool,
    /// Check SigV4 signatures against ACCESS_KEY_ID:SECRET_ACCESS_KEY.
    /// Without it, any request carrying an Authorization header is accepted.
    #[arg(long, value_name = "AK:SECRET")]
    pub credentials: Option<Credentials>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_and_flags() {
        let cli = Cli::try_parse_from(["siltdb", "serve"]).expect("parses");
        let Command::Serve(a) = cli.command;
        assert_eq!(a.port, 8000);
        assert_eq!(a.bind.to_string(), "127.0.0.1");
        assert_eq!(a.data_dir, PathBuf::from("./siltdb-data"));
        assert!(!a.in_memory);
        assert!(a.credentials.is_none());
        let cli = Cli::try_parse_from([
            "siltdb",
            "serve",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--in-memory",
            "--credentials",
            "AK:SE:CRET",
        ])
        .expect("parses");
        let Command::Serve(a) = cli.command;
        assert_eq!(a.port, 0);
        assert!(a.in_memory);
        assert_eq!(
            a.credentials.map(|c| c.secret_access_key),
            Some("SE:CRET".to_string())
        );
        assert!(Cli::try_parse_from(["siltdb", "serve", "--credentials", "nocolon"]).is_err());
        assert!(
            Cli::try_parse_from(["siltdb", "serve", "--in-memory", "--data-dir", "x"]).is_err()
        );
    }
}
