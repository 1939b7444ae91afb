//! `siltdb`: the command-line entry point.

mod cli;
mod commands;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use siltdb::dynamo::{DynamoDb, DynamoError, DynamoOptions};
use siltdb::fs::MemFs;
use siltdb::low_level::wal::TornKind;
use siltdb::{Db, Options, RecoveryReport};
use siltdb_server::http::fd_limit::{connections_within, raise_open_file_limit};
use siltdb_server::http::{serve, Cors, ServerConfig};
use siltdb_server::memory_log::{log_budget, log_usage_every};
use siltdb_server::transfer::{Served, Transfers};
use siltdb_server::Backend;
use tokio::net::TcpListener;

use cli::{Cli, Command, ServeArgs};

fn main() -> ExitCode {
    // Before any thread starts (see the module).
    siltdb_server::malloc::arenas::limit();
    siltdb_server::malloc::mmap::fix_threshold();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Serve(args) => run_serve(args),
        Command::Check(args) => commands::check::run(args),
        Command::Stats(args) => commands::stats::run(args),
        Command::Dump(args) => commands::dump::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Repair(args) => commands::repair::run(args),
        Command::Backup(args) => commands::backup::run(args),
        Command::Restore(args) => commands::backup::restore(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("siltdb: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_serve(args: ServeArgs) -> Result<(), String> {
    let fds = raise_open_file_limit();
    let max_connections = connections_within(fds, args.max_connections);
    if max_connections < args.max_connections {
        tracing::warn!(
            "holding at most {max_connections} connections, not {}: the open-file limit is {}",
            args.max_connections,
            fds.unwrap_or_default()
        );
    }
    // Bind before the data directory is opened (or created): a refused
    // address leaves nothing behind.
    let listener = bind(&args.bind, args.port)?;
    let db = open_backend(&args)?;
    let backend: Arc<dyn Backend> = match &args.s3_root {
        Some(root) => {
            let data_dir = (!args.in_memory).then_some(args.data_dir.as_path());
            let transfers = Transfers::open(Arc::clone(&db), root, data_dir)?;
            tracing::info!("exports and imports use {} as S3", root.display());
            Arc::new(Served {
                db: Arc::clone(&db),
                transfers,
            })
        }
        None => Arc::clone(&db) as _,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::try_from(args.worker_threads).unwrap_or(1))
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = TcpListener::from_std(listener).map_err(|e| format!("listening: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("listening: {e}"))?;
        // Listen for signals before saying we serve: a SIGTERM sent as soon
        // as the address is announced must stop the server, not kill it.
        let shutdown = shutdown_signal();
        tracing::info!(
            "serving DynamoDB's protocol on http://{local} ({}; signatures {})",
            if args.in_memory {
                "in memory".to_string()
            } else {
                format!("data in {}", args.data_dir.display())
            },
            if args.credentials.is_some() {
                "checked"
            } else {
                "not checked"
            },
        );
        let cors = Cors::from_origins(&args.cors_origins);
        if cors != Cors::Off {
            tracing::info!("cross-origin requests allowed from {:?}", args.cors_origins);
        }
        tokio::spawn(log_usage_every(db, args.stats_every));
        tokio::spawn(siltdb_server::malloc::trim::trim_every(
            args.malloc_trim_every,
        ));
        let config = ServerConfig {
            credentials: args.credentials,
            max_request_memory: args.max_request_memory,
            cors,
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            idle_timeout: args.idle_timeout,
            max_connections,
            ..ServerConfig::default()
        };
        serve(listener, backend, config, shutdown)
            .await
            .map_err(|e| e.to_string())
    })?;
    tracing::info!("stopped");
    Ok(())
}

/// Listens on `host` (an IP address or a name such as `localhost`, resolved
/// to its first address) and `port`.
fn bind(host: &str, port: u16) -> Result<std::net::TcpListener, String> {
    let addr: SocketAddr = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .map_err(|e| format!("resolving --bind {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("--bind {host}: no address"))?;
    let listener =
        std::net::TcpListener::bind(addr).map_err(|e| format!("listening on {addr}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("listening on {addr}: {e}"))?;
    Ok(listener)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed
/// when this is called, not when the future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            match signals {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {},
                        _ = term.recv() => {},
                    }
                }
                (int, term) => {
                    for e in [int.err(), term.err()].into_iter().flatten() {
                        tracing::warn!("cannot listen for signals: {e}");
                    }
                    std::future::pending::<()>().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!("cannot listen for Ctrl-C: {e}");
                std::future::pending::<()>().await;
            }
        }
        tracing::info!("signal received");
    }
}

/// Opens the database `args` names: siltdb's `DynamoDb` in `--data-dir`
/// (created if missing), or in memory with `--in-memory`.
fn open_backend(args: &ServeArgs) -> Result<Arc<DynamoDb>, String> {
    let dynamo_options = DynamoOptions {
        account_id: args.account_id.clone(),
        ..DynamoOptions::default()
    };
    let db = if args.in_memory {
        let options = Options {
            fs: Arc::new(MemFs::new()),
            ..Options::default()
        };
        Db::open("/siltdb", options)
            .map_err(DynamoError::from)
            .and_then(|db| DynamoDb::with_db(db, dynamo_options))
            .map_err(|e| format!("opening an in-memory database: {e}"))?
    } else {
        let dir = &args.data_dir;
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let options = Options {
            strict_recovery: args.strict_recovery,
            ..Options::default()
        };
        log_budget(&options);
        let db = Db::open(dir, options)
            .map_err(DynamoError::from)
            .and_then(|db| DynamoDb::with_db(db, dynamo_options))
            .map_err(|e| format!("opening the database in {}: {e}", dir.display()))?;
        log_recovery(db.engine().recovery_report());
        db
    };
    Ok(Arc::new(db))
}

/// Logs what opening the database found: every dropped final record
/// (file, offset, bytes) as a warning, everything else as info.
fn log_recovery(report: &RecoveryReport) {
    if report.created {
        tracing::info!("created a new database");
        return;
    }
    tracing::info!(
        manifest = report.manifest.as_deref().unwrap_or("-"),
        wals = %report.wals_replayed.join(","),
        "recovered"
    );
    for d in &report.dropped {
        let what = match d.kind {
            TornKind::Truncated => {
                "torn final record (the written data ends, or may end, inside it)"
            }
            TornKind::ChecksumMismatch => {
                "complete final record failing its checksum (use --strict-recovery to refuse)"
            }
        };
        tracing::warn!(
            file = %d.file,
            offset = d.offset,
            bytes = d.bytes,
            "recovery dropped a {what}; the database is as of the record before it"
        );
    }
    for i in &report.ignored {
        tracing::warn!(
            file = %i.file,
            offset = i.offset,
            bytes = i.bytes,
            records = i.records,
            "recovery ignored unsynced records after an earlier WAL lost its tail: {}",
            i.cause
        );
    }
    for r in &report.removed {
        tracing::info!(file = %r.name, "removed garbage: {}", r.reason);
    }
}
