//! The `siltdb` command line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use siltdb_server::auth::Credentials;

/// What `siltdb --help` says siltdb is.
const ABOUT: &str = "siltdb: DynamoDB you can embed. A Rust library that implements Amazon \
DynamoDB's data model and API on its own storage engine, and this command: \
`siltdb serve` serves a data directory over DynamoDB's JSON protocol (aws-cli, boto3 and \
the AWS SDKs work unchanged with --endpoint-url); the other commands check, inspect, \
repair, export and import a data directory (default ./siltdb-data).";

/// siltdb: DynamoDB you can embed, served over DynamoDB's own protocol.
#[derive(Debug, Parser)]
#[command(name = "siltdb", version, about = ABOUT, long_about = None)]
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
    /// Verify every checksum of a database directory (offline).
    ///
    /// Reads CURRENT, replays the MANIFEST, verifies every live table block
    /// by block and every live WAL record by record, and prints one line per
    /// file, what is damaged or missing, and a verdict. Exit status 0 if the
    /// directory is clean, 1 if anything is damaged, unreadable or missing.
    /// Run it on a directory no server has open.
    Check(CheckArgs),
    /// Show tables, bytes and entries per level of a database directory.
    ///
    /// Per level of the LSM tree: tables, bytes, entries, tombstones and key
    /// range (from the MANIFEST and the tables' properties), then the WAL
    /// files. Offline and read-only.
    Stats(StatsArgs),
    /// Print what one database file holds, in the terms of format-spec/.
    ///
    /// A WAL record by record, a table block by block, a MANIFEST edit by
    /// edit, CURRENT. For a damaged file, everything before the damage is
    /// printed, then the error; the exit status is then 1.
    Dump(DumpArgs),
    /// Write a table's items as DynamoDB JSON lines.
    ///
    /// One `{"Item":{...}}` object per line, each attribute in DynamoDB's
    /// marshalled JSON: the DYNAMODB_JSON format of DynamoDB's export to S3,
    /// which DynamoDB's import from S3 and `siltdb import` read. The
    /// database is opened exclusively (stop the server first).
    Export(ExportArgs),
    /// Load DynamoDB JSON lines into a table.
    ///
    /// Reads what `siltdb export` and DynamoDB's export to S3 write (one
    /// `{"Item":{...}}` per line; DynamoDB's gzipped `.json.gz` data files
    /// are read as they are). The table must exist unless `--create-from` is given. Items
    /// go in 25 at a time (BatchWriteItem) with DynamoDB's validation; the
    /// import stops at the first bad line, naming it, after importing every
    /// line before it. The database is opened exclusively (stop the server
    /// first).
    Import(ImportArgs),
    /// Restore a lost or damaged CURRENT file (offline; deletes nothing).
    ///
    /// Points CURRENT at the newest MANIFEST that replays cleanly with every
    /// file it names present, or leaves it alone if it already names one.
    /// Refuses while a server has the directory open, and if a newer
    /// MANIFEST that does not recover might need tables the chosen one does
    /// not name. Exit status 0 if the directory now recovers, 1 otherwise.
    Repair(RepairArgs),
    /// Make an on-demand backup of a table (CreateBackup's code; offline).
    ///
    /// The backup is an engine checkpoint under `backups/` in the data
    /// directory, listed by ListBackups once a server opens it. Prints the
    /// backup's ARN.
    Backup(BackupArgs),
    /// Restore a backup into a new table (RestoreTableFromBackup's code;
    /// offline), waiting until the table is ACTIVE.
    Restore(RestoreArgs),
}

/// `siltdb backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Directory holding the database (it must exist, and no server may
    /// have it open).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The table to back up.
    #[arg(long)]
    pub table: String,
    /// The backup's name (3–255 of `[a-zA-Z0-9_.-]`).
    #[arg(long)]
    pub name: String,
}

/// `siltdb restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Directory holding the database (it must exist, and no server may
    /// have it open).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The backup's ARN (as `siltdb backup` printed it).
    #[arg(long)]
    pub backup_arn: String,
    /// The new table's name.
    #[arg(long)]
    pub target_table: String,
}

/// `siltdb serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on: an IP address or a host name (`localhost`).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Directory holding the database (created if missing).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long, conflicts_with = "data_dir")]
    pub in_memory: bool,
    /// A directory standing for Amazon S3 in ExportTableToPointInTime and
    /// ImportTable: each bucket is a sub-directory, each object key a path
    /// in it. Exports are written in the layout DynamoDB writes to S3
    /// (`<prefix>/AWSDynamoDB/<export id>/...`, an incremental export's
    /// data files in the shared `<prefix>/AWSDynamoDB/data/`); imports read DynamoDB
    /// JSON, Ion and CSV objects, gzip, zstd or uncompressed. Without it
    /// those operations are refused.
    #[arg(long, value_name = "DIR")]
    pub s3_root: Option<PathBuf>,
    /// Check SigV4 signatures against ACCESS_KEY_ID:SECRET_ACCESS_KEY.
    /// Without it, any request carrying an Authorization header is accepted.
    #[arg(long, value_name = "AK:SECRET")]
    pub credentials: Option<Credentials>,
    /// Worker threads serving requests (default: one per CPU, at least 2). Item
    /// reads run on them; item writes are checked and staged on them, then
    /// awaited while the engine's commit thread syncs them, so no worker
    /// waits for an fsync and any number of writes share one.
    #[arg(long, default_value_t = siltdb_server::http::default_worker_threads() as u64, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub worker_threads: u64,
    /// Refuse to start rather than drop a complete final WAL or MANIFEST
    /// record whose checksum fails (by default it is dropped, the database
    /// recovers to the record before it, and the drop is logged).
    #[arg(long, conflicts_with = "in_memory")]
    pub strict_recovery: bool,
    /// The AWS account id in table, index and stream ARNs (12 digits). The
    /// region in them is each request's own (its SigV4 credential scope).
    #[arg(long, default_value = "000000000000", value_parser = parse_account_id)]
    pub account_id: String,
    /// Let web pages from ORIGIN (e.g. `http://localhost:3000`) call the
    /// server from a browser (CORS). Repeat for more origins; `*` allows
    /// every origin. Off by default: without it, browsers keep other
    /// sites' pages from reading or writing the database.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Memory all requests in flight may hold together (bodies and their
    /// parsed JSON), e.g. `512MiB`, `1GiB`. A request that would take more
    /// is answered ThrottlingException, which the AWS SDKs retry.
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = parse_size)]
    pub max_request_memory: usize,
    /// Connections held at most. At the limit, a new connection closes the
    /// one that has waited longest without a request in service (idle, or
    /// a request head not yet complete); if every one has a request in
    /// service, the new one gets HTTP 503. Kept 256 below the open-file
    /// limit, which the server raises to the hard limit at start.
    #[arg(long, value_name = "N", default_value_t = siltdb_server::http::DEFAULT_MAX_CONNECTIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// Seconds a client may take to send a request head, from its first
    /// byte; the connection is closed after that.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub header_timeout: Duration,
    /// Seconds a client may take to send a request body after its head;
    /// after that it gets HTTP 408 and the connection is closed.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_seconds)]
    pub body_timeout: Duration,
    /// Seconds a connection may stay without traffic while no request on it
    /// is being served (idle keep-alive, or a response left unread).
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_seconds)]
    pub idle_timeout: Duration,
    /// Seconds between two log lines saying what the engine's memory holds
    /// (block cache, memtables, open tables' indexes and filters).
    #[arg(long, value_name = "SECONDS", default_value = "600", value_parser = parse_seconds)]
    pub stats_every: Duration,
    /// Seconds between two calls that give the memory malloc holds free
    /// inside its heaps back to the system (glibc only).
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub malloc_trim_every: Duration,
}

/// A duration in seconds, fractions allowed (`0.5`), more than zero.
fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0 * 365.0) {
        return Err(format!("'{s}': give more than 0 seconds, at most a year"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A size in bytes: a number with an optional unit `B`, `KiB`, `MiB`,
/// `GiB` (or `K`, `M`, `G`, also powers of 1024).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a size such as 512MiB"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        other => {
            return Err(format!(
                "'{s}': unknown unit '{other}' (use B, KiB, MiB or GiB)"
            ))
        }
    };
    let bytes = n
        .checked_mul(scale)
        .and_then(|b| usize::try_from(b).ok())
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("'{s}': give a size above 0 that fits in memory"))?;
    Ok(bytes)
}

/// An AWS account id: exactly 12 decimal digits.
fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}': an account id is 12 digits"))
    }
}

/// `siltdb check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory holding the database. Check it while no server has it
    /// open: files being written would look damaged.
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The directory, given without `--data-dir` (as earlier versions took it).
    #[arg(value_name = "DIR", conflicts_with = "data_dir")]
    pub dir: Option<PathBuf>,
}

impl CheckArgs {
    /// The database directory: `DIR` if given, else `--data-dir`.
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().unwrap_or(&self.data_dir)
    }
}

/// `siltdb repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Directory holding the database (no server may have it open).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
}

/// `siltdb stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Directory holding the database. The per-table figures need it
    /// closed (no server may have it open); the levels are read either way.
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The directory, given without `--data-dir` (as earlier versions took it).
    #[arg(value_name = "DIR", conflicts_with = "data_dir")]
    pub dir: Option<PathBuf>,
}

impl StatsArgs {
    /// The database directory: `DIR` if given, else `--data-dir`.
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().unwrap_or(&self.data_dir)
    }
}

/// `siltdb dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Directory holding the database, where FILE is looked for when it is
    /// not a path to an existing file.
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The file: `NNNNNN.log`, `NNNNNN.sst`, `MANIFEST-NNNNNN` or `CURRENT`
    /// (a file named otherwise is recognised by its contents), as a path or
    /// as a name in the data directory.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Bytes of each key and value shown before it is cut short.
    #[arg(long, default_value_t = 48)]
    pub width: usize,
}

/// `siltdb export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory holding the database (it must exist, and no server may
    /// have it open).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The table to export.
    #[arg(long)]
    pub table: String,
    /// Where to write the items; `-` is standard output.
    #[arg(
        long,
        default_value = "-",
        value_name = "FILE|-",
        conflicts_with = "s3_root"
    )]
    pub out: PathBuf,
    /// Instead of `--out`: write the export as ExportTableToPointInTime
    /// does, in DynamoDB's S3 layout (`<prefix>/AWSDynamoDB/<id>/...`)
    /// under the bucket `--bucket`, a sub-directory of this directory.
    #[arg(long, value_name = "DIR", requires = "bucket")]
    pub s3_root: Option<PathBuf>,
    /// The bucket (a sub-directory of `--s3-root`, which must exist).
    #[arg(long, requires = "s3_root")]
    pub bucket: Option<String>,
    /// The S3 prefix of the export.
    #[arg(long, requires = "s3_root")]
    pub prefix: Option<String>,
    /// `DYNAMODB_JSON` or `ION` (with `--s3-root`).
    #[arg(long, default_value = "DYNAMODB_JSON", requires = "s3_root")]
    pub format: String,
}

/// `siltdb import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory holding the database (it must exist, and no server may
    /// have it open).
    #[arg(long, default_value = "./siltdb-data")]
    pub data_dir: PathBuf,
    /// The table to load the items into. It must exist, unless
    /// `--create-from` is given.
    #[arg(long)]
    pub table: String,
    /// Where to read the items; `-` is standard input. A gzip-compressed
    /// file (DynamoDB's exports are) is decompressed as it is read.
    #[arg(long = "in", default_value = "-", value_name = "FILE|-")]
    pub input: PathBuf,
    /// Create the table first, from a CreateTable request in JSON (as
    /// `aws dynamodb create-table --cli-input-json` takes it); its
    /// `TableName` is replaced by `--table`. Fails if the table exists.
    /// The database directory is created too if missing.
    #[arg(long, value_name = "JSON_FILE")]
    pub create_from: Option<PathBuf>,
    /// Instead of `--in`: run ImportTable's code on the objects of bucket
    /// `--bucket` (a sub-directory of this directory) whose keys start
    /// with `--prefix`, into the new table `--create-from` describes.
    #[arg(long, value_name = "DIR", requires_all = ["bucket", "create_from"], conflicts_with = "input")]
    pub s3_root: Option<PathBuf>,
    /// The bucket (with `--s3-root`).
    #[arg(long, requires = "s3_root")]
    pub bucket: Option<String>,
    /// The key prefix (with `--s3-root`).
    #[arg(long, requires = "s3_root")]
    pub prefix: Option<String>,
    /// `DYNAMODB_JSON`, `ION` or `CSV` (with `--s3-root`).
    #[arg(long, default_value = "DYNAMODB_JSON", requires = "s3_root")]
    pub input_format: String,
    /// `GZIP`, `ZSTD` or `NONE` (with `--s3-root`).
    #[arg(long, default_value = "NONE", requires = "s3_root")]
    pub compression: String,
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
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(a.port, 8000);
        assert_eq!(a.bind, "127.0.0.1");
        assert_eq!(a.data_dir, PathBuf::from("./siltdb-data"));
        assert!(!a.in_memory);
        assert!(a.credentials.is_none());
        assert!(!a.strict_recovery);
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
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(a.port, 0);
        assert!(a.in_memory);
        assert_eq!(
            a.credentials.map(|c| c.secret_access_key),
            Some("SE:CRET".to_string())
        );
        assert!(Cli::try_parse_from(["siltdb", "serve", "--credentials", "nocolon"]).is_err());
        let cli = Cli::try_parse_from(["siltdb", "serve"]).expect("parses");
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert!(a.cors_origins.is_empty());
        assert_eq!(a.max_request_memory, 512 << 20);
        assert_eq!(a.max_connections, 4096);
        assert_eq!(a.header_timeout, Duration::from_secs(10));
        assert_eq!(a.body_timeout, Duration::from_secs(60));
        assert_eq!(a.idle_timeout, Duration::from_secs(60));
        assert_eq!(a.stats_every, Duration::from_secs(600));
        assert_eq!(a.malloc_trim_every, Duration::from_secs(10));
        let cli = Cli::try_parse_from([
            "siltdb",
            "serve",
            "--cors-origin",
            "http://localhost:3000",
            "--cors-origin",
            "https://app.example",
            "--max-request-memory",
            "1GiB",
            "--max-connections",
            "10",
            "--header-timeout",
            "0.5",
        ])
        .expect("parses");
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(a.cors_origins.len(), 2);
        assert_eq!(a.max_request_memory, 1 << 30);
        assert_eq!(a.max_connections, 10);
        assert_eq!(a.header_timeout, Duration::from_millis(500));
        for bad in [
            ["--header-timeout", "0"],
            ["--body-timeout", "x"],
            ["--max-request-memory", "12XB"],
            ["--max-request-memory", "0"],
            ["--max-connections", "0"],
        ] {
            assert!(
                Cli::try_parse_from(["siltdb", "serve", bad[0], bad[1]]).is_err(),
                "{bad:?}"
            );
        }
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64 KiB"), Ok(64 << 10));
        assert!(
            Cli::try_parse_from(["siltdb", "serve", "--in-memory", "--data-dir", "x"]).is_err()
        );
    }

    #[test]
    fn export_and_import_defaults_and_flags() {
        let cli = Cli::try_parse_from(["siltdb", "export", "--table", "T"]).expect("parses");
        let Command::Export(a) = cli.command else {
            panic!("not export")
        };
        assert_eq!(a.data_dir, PathBuf::from("./siltdb-data"));
        assert_eq!(a.out, PathBuf::from("-"));
        let cli = Cli::try_parse_from([
            "siltdb",
            "import",
            "--data-dir",
            "d",
            "--table",
            "T",
            "--in",
            "x.jsonl",
            "--create-from",
            "t.json",
        ])
        .expect("parses");
        let Command::Import(a) = cli.command else {
            panic!("not import")
        };
        assert_eq!(a.input, PathBuf::from("x.jsonl"));
        assert_eq!(a.create_from, Some(PathBuf::from("t.json")));
        assert!(
            Cli::try_parse_from(["siltdb", "import"]).is_err(),
            "--table is required"
        );
        let cli = Cli::try_parse_from(["siltdb", "dump", "f.sst"]).expect("parses");
        let Command::Dump(a) = cli.command else {
            panic!("not dump")
        };
        assert_eq!(a.width, 48);
    }

    #[test]
    fn strict_recovery_and_repair() {
        let cli = Cli::try_parse_from(["siltdb", "serve", "--strict-recovery"]).expect("parses");
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert!(a.strict_recovery);
        assert!(
            Cli::try_parse_from(["siltdb", "serve", "--strict-recovery", "--in-memory"]).is_err()
        );
        let cli = Cli::try_parse_from(["siltdb", "repair"]).expect("parses");
        let Command::Repair(r) = cli.command else {
            panic!("not repair")
        };
        assert_eq!(r.data_dir, PathBuf::from("./siltdb-data"));
    }
}
