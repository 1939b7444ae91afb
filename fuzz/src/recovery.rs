//! The `recovery_open` target: a whole database directory, through the real
//! open path.
//!
//! The input is a sequence of files: a name length byte, the name (lossy
//! UTF-8; names with `/`, empty, `.` and `..` are skipped), a u16
//! little-endian length, then that many bytes (fewer if the input ends). A
//! later file of the same name replaces an earlier one. Seeds are real
//! directories (`gen_seeds`), so mutations start from working databases. The files are written to a [`MemFs`] directory, which then
//! goes through `siltdb check` ([`check_dir`]), recovery's decision
//! ([`examine`]) and [`Db::open`] — the same code a real open runs, MANIFEST
//! replay, WAL replay (separated values and the lost-blob-tail rule
//! included), the torn-tail rules and garbage removal included.
//! Run twice: on the raw bytes, and with the CRCs of every log, table and
//! blob file recomputed so mutations reach the decoders behind them.
//!
//! Properties, besides "never panic": a directory `check` calls clean
//! opens; an open that succeeds leaves a directory `check` still calls
//! clean (if it was); every error is corruption, an invalid argument (no
//! database) or I/O, never anything else.

use std::path::Path;
use std::sync::Arc;

use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::inspect::check_dir;
use siltdb::low_level::recovery::{examine, Found, Listing};
use siltdb::{Db, Error, Options};

use crate::blob::fix_blob_crcs;
use crate::{fix_log_crcs, fix_table_crcs};

/// Encodes files as an input of this target.
pub fn encode_dir(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        let name_len = u8::try_from(name.len()).expect("a short file name");
        let len = u16::try_from(data.len()).expect("a seed file fits in 64 KiB");
        out.push(name_len);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// The files an input describes.
pub fn decode_dir(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut rest = data;
    while let Some((&name_len, r)) = rest.split_first() {
        let Some((name, r)) = r.split_at_checked(name_len as usize) else {
            break;
        };
        let Some((len, r)) = r.split_at_checked(2) else {
            break;
        };
        let len = u16::from_le_bytes([len[0], len[1]]) as usize;
        let (body, r) = r.split_at(len.min(r.len()));
        rest = r;
        let name = String::from_utf8_lossy(name).into_owned();
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            continue;
        }
        files.retain(|(n, _)| *n != name);
        files.push((name, body.to_vec()));
    }
    files
}

fn once(files: &[(String, Vec<u8>)]) {
    let mem = MemFs::new();
    let dir = Path::new("/db");
    mem.create_dir_all(dir).expect("mkdir");
    for (name, data) in files {
        let mut f = mem.create(&dir.join(name)).expect("create");
        f.append(data).expect("append");
        f.sync().expect("sync");
    }
    mem.sync_dir(dir).expect("sync dir");

    let report = check_dir(&mem, dir).expect("the directory lists");
    let _ = report.to_string();
    let listing = Listing::read(&mem, dir).expect("the directory lists");
    if let Ok(Found::Database(plan)) = examine(&mem, dir, &listing) {
        let wals = plan.wals;
        assert!(wals.windows(2).all(|w| w[0] < w[1]), "WALs oldest first");
    }

    let opts = Options {
        fs: Arc::new(mem.clone()),
        create_if_missing: false,
        background_write_rate: 0,
        block_cache_bytes: 1 << 20,
        write_buffer_size: 1 << 20,
        ..Options::default()
    };
    match Db::open(dir, opts) {
        Ok(db) => {
            if let Ok(mut it) = db.iter() {
                let mut n = 0u64;
                let mut ok = it.seek_to_first().is_ok();
                while ok && it.valid() {
                    n += 1;
                    assert!(n < 10_000_000, "iteration did not terminate");
                    ok = it.next().is_ok();
                }
            }
            let closed = db.close();
            drop(db);
            if report.is_clean() {
                closed.expect("a clean directory closes cleanly");
                let after = check_dir(&mem, dir).expect("lists");
                assert!(
                    after.is_clean(),
                    "open turned a clean directory unclean:\n{report}\n---\n{after}"
                );
            }
        }
        Err(e) => {
            assert!(
                !report.is_clean(),
                "check says clean but open fails: {e}\n{report}"
            );
            assert!(
                matches!(
                    e,
                    Error::Corruption { .. } | Error::InvalidArgument(_) | Error::Io { .. }
                ),
                "unexpected error kind: {e:?}"
            );
        }
    }
}

/// `recovery_open`: the input as a database directory, through `check` and
/// the real open path.
pub fn run_recovery(data: &[u8]) {
    let files = decode_dir(data);
    once(&files);
    let fixed: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| {
            let fixed = if name.ends_with(".sst") {
                fix_table_crcs(bytes)
            } else if name.ends_with(".log") || name.starts_with("MANIFEST-") {
                fix_log_crcs(bytes)
            } else if name.ends_with(".blob") {
                fix_blob_crcs(bytes)
            } else {
                bytes.clone()
            };
            (name.clone(), fixed)
        })
        .collect();
    if fixed != files {
        once(&fixed);
    }
}
