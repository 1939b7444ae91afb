//! Damaged log files at open: a bad byte in a WAL record that is not the
//! log's last is `Corruption` naming the WAL and the record's start; a torn
//! tail of any WAL (cut short, or a bad final record) is dropped, and the
//! records of later WALs are then ignored (point-in-time recovery across
//! WALs; strict recovery refuses both); a damaged MANIFEST or CURRENT is
//! `Corruption` naming that file.
//!
//! Record offsets are computed from the framing in format-spec/wal.md: the
//! engine writes RECYCLABLE records to WALs, a 13-byte header (masked crc
//! u32, length u32, type u8, log u32) then the payload; a
//! put's write-batch payload is sequence u64, count u32, then kind u8,
//! varint key length, key, varint value length, value.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use siltdb::fs::{FaultFs, Fs, MemFs};
use siltdb::low_level::wal::{encode_record_of, log_tag};
use siltdb::{Db, Error, Options};

const DIR: &str = "/db";
const N: u32 = 6;

fn opts(fs: Arc<dyn Fs>) -> Options {
    Options {
        fs,
        sync: true,
        ..Options::default()
    }
}

/// [`opts`] with strict recovery, on `mem`.
fn strict_opts(mem: &MemFs) -> Options {
    Options {
        strict_recovery: true,
        ..opts(Arc::new(mem.clone()))
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("k{i}").into_bytes()
}

fn value(i: u32) -> Vec<u8> {
    format!("value-{i}").into_bytes()
}

/// Bytes one single-put record occupies: header + batch header + put.
/// (Keys and values here are shorter than 128 bytes: 1-byte varints.)
fn record_len(i: u32) -> u64 {
    (13 + 12 + 1 + 1 + key(i).len() + 1 + value(i).len()) as u64
}

/// Start offset of record `i` (the put of key `i`) in the WAL.
fn record_start(i: u32) -> u64 {
    (0..i).map(record_len).sum()
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

fn files_with(mem: &MemFs, pred: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    mem.file_names()
        .into_iter()
        .filter(|p| pred(&name_of(p)))
        .collect()
}

fn nonempty_logs(mem: &MemFs) -> Vec<PathBuf> {
    files_with(mem, |n| n.ends_with(".log"))
        .into_iter()
        .filter(|p| mem.file_size(p).expect("size") > 0)
        .collect()
}

/// A database whose `N` synced puts are all still in one WAL (closing syncs
/// the WAL; only a flush or the next open moves them into a table).
fn db_with_records_in_wal() -> (MemFs, PathBuf) {
    let mem = MemFs::new();
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
    for i in 0..N {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.close().expect("close");
    drop(db);
    let logs = nonempty_logs(&mem);
    assert_eq!(logs.len(), 1, "one WAL holds the records: {logs:?}");
    let wal = logs[0].clone();
    assert_eq!(
        mem.file_size(&wal).expect("size"),
        record_start(N),
        "the WAL holds exactly the {N} records the framing predicts"
    );
    (mem, wal)
}

fn expect_corruption(r: siltdb::Result<Db>, file: &str, offset: u64, ctx: &str) -> String {
    match r {
        Err(Error::Corruption {
            file: f,
            offset: o,
            reason,
        }) => {
            assert_eq!(f, file, "{ctx}: corruption names the file ({reason})");
            assert_eq!(o, offset, "{ctx}: corruption offset ({reason})");
            reason
        }
        Err(other) => panic!("{ctx}: expected Corruption in {file} at {offset}, got {other:?}"),
        Ok(_) => panic!("{ctx}: expected Corruption in {file} at {offset}, but open succeeded"),
    }
}

/// Opens and checks that exactly keys `0..present` are there.
fn expect_opens_with(mem: &MemFs, present: u32, ctx: &str) {
    let db = Db::open(DIR, opts(Arc::new(mem.clone())))
        .unwrap_or_else(|e| panic!("{ctx}: open must succeed, got {e}"));
    for i in 0..N {
        let want = (i < present).then(|| value(i));
        assert_eq!(db.get(&key(i)).expect("get"), want, "{ctx}: key {i}");
    }
    db.put(b"new", b"write").expect("put after recovery");
    db.close().expect("close");
    drop(db);
    // And the recovered state reopens cleanly.
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("second reopen");
    assert_eq!(
        db.get(b"new").expect("get"),
        Some(b"write".to_vec()),
        "{ctx}"
    );
}

#[test]
fn bad_byte_in_a_non_final_wal_record_is_corruption_at_the_record_start() {
    // (record, byte within the record, xor mask, what is hit)
    let cases: &[(u32, u64, u8, &str)] = &[
        (0, 0, 0x01, "crc of the first record"),
        (1, 3, 0x80, "crc"),
        (1, 4, 0x01, "length, still inside the file"),
        (1, 6, 0x80, "length, now past the end of the file"),
        (2, 8, 0x02, "type byte"),
        (2, 9, 0x01, "batch sequence"),
        (3, 17, 0x01, "batch count"),
        (3, 21, 0x01, "put kind"),
        (N - 2, 23, 0x20, "key"),
        (N - 2, record_len(N - 2) - 1, 0x01, "last value byte"),
    ];
    for &(rec, at, xor, what) in cases {
        let (mem, wal) = db_with_records_in_wal();
        let start = record_start(rec);
        mem.corrupt_byte(&wal, start + at, xor).expect("corrupt");
        let ctx = format!("record {rec}, byte {at} ({what})");
        let reason = expect_corruption(
            Db::open(DIR, opts(Arc::new(mem.clone()))),
            &name_of(&wal),
            start,
            &ctx,
        );
        println!("{ctx}: {reason}");
        // A failed open changes nothing: the same error again.
        expect_corruption(
            Db::open(DIR, opts(Arc::new(mem.clone()))),
            &name_of(&wal),
            start,
            &format!("{ctx}, second open"),
        );
    }
}

#[test]
fn newest_wal_cut_mid_record_is_a_torn_tail() {
    let last = record_start(N - 1);
    for cut in [last + 1, last + 8, last + 9, last + 20, record_start(N) - 1] {
        let (mem, wal) = db_with_records_in_wal();
        mem.truncate(&wal, cut).expect("truncate");
        expect_opens_with(&mem, N - 1, &format!("WAL cut at {cut}"));
    }
    // Cut exactly at a record boundary: a clean end.
    let (mem, wal) = db_with_records_in_wal();
    mem.truncate(&wal, record_start(N - 2)).expect("truncate");
    expect_opens_with(&mem, N - 2, "WAL cut at a record boundary");
}

/// Reported and dropped, or refused by strict recovery: a damaged type or
/// log byte too, which once read as a clean end (as where a reused file's
/// earlier use shows through), neither reported nor refused.
#[test]
fn bad_byte_in_the_final_record_of_the_newest_wal_is_a_torn_tail() {
    for (at, what) in [
        (0, "crc"),
        (8, "type"),
        (9, "log"),
        (12, "log"),
        (14, "sequence"),
        (27, "value"),
    ] {
        let ctx = format!("final record, {what} (byte {at})");
        let (mem, wal) = db_with_records_in_wal();
        mem.corrupt_byte(&wal, record_start(N - 1) + at, 0x04)
            .expect("corrupt");
        expect_corruption(
            Db::open(DIR, strict_opts(&mem)),
            &name_of(&wal),
            record_start(N - 1),
            &format!("strict: {ctx}"),
        );
        let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
        let report = db.recovery_report();
        assert_eq!(report.dropped.len(), 1, "{ctx}: {report}");
        drop(db);
        expect_opens_with(&mem, N - 1, &ctx);
    }
}

/// Two WALs at open: the older one holds the records, the newer is empty.
/// Made by a flush whose table cannot be created, which leaves the switch to
/// the new WAL done but the old WAL still needed.
fn db_with_records_in_older_wal() -> (MemFs, PathBuf) {
    let mem = MemFs::new();
    let fault = FaultFs::new(Arc::new(mem.clone()));
    let db = Db::open(DIR, opts(Arc::new(fault.clone()))).expect("open");
    for i in 0..N {
        db.put(&key(i), &value(i)).expect("put");
    }
    let wal = nonempty_logs(&mem).pop().expect("a WAL");
    // The new WAL is created and recorded in the MANIFEST (a create and an
    // append), the table is not.
    fault.fail_write_after(2);
    db.flush().expect_err("flush cannot create its table");
    drop(db);
    fault.clear();
    let logs = files_with(&mem, |n| n.ends_with(".log"));
    assert_eq!(logs.len(), 2, "old and new WAL: {logs:?}");
    assert_eq!(logs[0], wal, "the records are in the older WAL");
    assert_eq!(mem.file_size(&logs[1]).expect("size"), 0);
    (mem, wal)
}

/// The newer (empty) WAL of [`db_with_records_in_older_wal`], given a copy
/// of the older WAL's last record (its payload, in a record naming the
/// newer WAL): as if the kernel had written a newer WAL's records back
/// while the older one lost its tail.
fn copy_last_record_to_newer_wal(mem: &MemFs, older: &Path) {
    let logs = files_with(mem, |n| n.ends_with(".log"));
    let newer = logs.last().expect("newer WAL");
    assert_ne!(newer, older);
    let data = mem.read_all(older).expect("read");
    let payload = &data[record_start(N - 1) as usize + 13..record_start(N) as usize];
    let number: u64 = name_of(newer)
        .trim_end_matches(".log")
        .parse()
        .expect("WAL number");
    let mut last = Vec::new();
    encode_record_of(&mut last, payload, Some(log_tag(number))).expect("encode");
    let mut f = mem.create(newer).expect("create");
    f.append(&last).expect("append");
    f.sync().expect("sync");
}

#[test]
fn an_older_wal_may_end_in_a_torn_record_and_later_records_are_ignored() {
    let (mem, _) = db_with_records_in_older_wal();
    expect_opens_with(&mem, N, "undamaged older WAL");

    // A bad final record of an older WAL: dropped; strict recovery refuses.
    let (mem, wal) = db_with_records_in_older_wal();
    mem.corrupt_byte(&wal, record_start(N - 1) + 27, 0x04)
        .expect("corrupt");
    expect_corruption(
        Db::open(DIR, strict_opts(&mem)),
        &name_of(&wal),
        record_start(N - 1),
        "strict: bad final record of an older WAL",
    );
    expect_opens_with(&mem, N - 1, "bad final record of an older WAL");

    // Cut mid-record, with the cut record also in the newer WAL: the newer
    // WAL's record is ignored (replay stopped at the torn one). The cut
    // leaves the record's whole 13-byte header: a file that ends inside a
    // header reads as a clean end, as a reused file's earlier use does
    // (format-spec/wal.md, "Reading" step 1a).
    let (mem, wal) = db_with_records_in_older_wal();
    copy_last_record_to_newer_wal(&mem, &wal);
    mem.truncate(&wal, record_start(N - 1) + 20)
        .expect("truncate");
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
    let report = db.recovery_report();
    assert_eq!(report.dropped.len(), 1, "{report}");
    assert_eq!(report.ignored.len(), 1, "{report}");
    assert_eq!(report.ignored[0].records, 1, "{report}");
    assert!(report.to_string().contains("not replayed"), "{report}");
    drop(db);
    expect_opens_with(&mem, N - 1, "older WAL cut mid-record");
}

#[test]
fn a_newer_wal_replays_only_if_it_continues_the_older_ones_sequence() {
    // The older WAL lost its last record whole (a clean cut): the newer
    // WAL's copy of that record continues the sequence, so nothing is
    // missing and it replays.
    let (mem, wal) = db_with_records_in_older_wal();
    copy_last_record_to_newer_wal(&mem, &wal);
    mem.truncate(&wal, record_start(N - 1)).expect("truncate");
    expect_opens_with(&mem, N, "newer WAL continues the sequence");

    // The older WAL lost two records whole: the newer WAL's record leaves a
    // gap, so it is ignored, and strict recovery refuses to ignore it.
    let (mem, wal) = db_with_records_in_older_wal();
    copy_last_record_to_newer_wal(&mem, &wal);
    mem.truncate(&wal, record_start(N - 2)).expect("truncate");
    let reason = match Db::open(DIR, strict_opts(&mem)) {
        Err(Error::Corruption { reason, .. }) => reason,
        other => panic!("strict recovery must refuse, got {:?}", other.map(|_| ())),
    };
    assert!(reason.contains("strict recovery"), "{reason}");
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
    let ignored = &db.recovery_report().ignored;
    assert_eq!(ignored.len(), 1);
    assert!(
        ignored[0].cause.contains("sequence"),
        "{}",
        ignored[0].cause
    );
    drop(db);
    // Keys 0..N-2 from the older WAL; key N-1 only in the ignored record.
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("reopen");
    for i in 0..N {
        let want = (i < N - 2).then(|| value(i));
        assert_eq!(db.get(&key(i)).expect("get"), want, "key {i}");
    }
}

/// A closed database with a flushed table, so its MANIFEST holds the base
/// edit from open, the edit recording the WAL the flush switched to, and
/// the flush's edit.
fn db_with_a_flush_in_its_manifest() -> (MemFs, PathBuf, Vec<(u64, u64)>) {
    let mem = MemFs::new();
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
    for i in 0..N {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.flush().expect("flush");
    db.close().expect("close");
    drop(db);
    let manifests = files_with(&mem, |n| n.starts_with("MANIFEST-"));
    assert_eq!(manifests.len(), 1, "{manifests:?}");
    let m = manifests[0].clone();
    let records = common::disk::log_records(&mem.read_all(&m).expect("read MANIFEST"));
    assert_eq!(records.len(), 3, "base edit, new WAL's edit and flush edit");
    (mem, m, records)
}

#[test]
fn bad_byte_in_manifest_is_corruption_naming_it() {
    // The base edit, followed by an intact record: corruption at 0.
    for at in [0, 5, 8, 9, 12] {
        let (mem, m, recs) = db_with_a_flush_in_its_manifest();
        assert!(at < recs[0].1);
        mem.corrupt_byte(&m, at, 0x10).expect("corrupt");
        expect_corruption(
            Db::open(DIR, opts(Arc::new(mem.clone()))),
            &name_of(&m),
            0,
            &format!("MANIFEST byte {at}"),
        );
    }

    // A MANIFEST whose only record is damaged holds no edit at all.
    let mem = MemFs::new();
    let db = Db::open(DIR, opts(Arc::new(mem.clone()))).expect("open");
    db.put(b"a", b"b").expect("put");
    db.close().expect("close");
    drop(db);
    let m = files_with(&mem, |n| n.starts_with("MANIFEST-"))
        .pop()
        .expect("MANIFEST");
    mem.corrupt_byte(&m, 10, 0x01).expect("corrupt");
    expect_corruption(
        Db::open(DIR, opts(Arc::new(mem.clone()))),
        &name_of(&m),
        0,
        "only MANIFEST record damaged",
    );
}

fn overwrite(mem: &MemFs, path: &Path, bytes: &[u8]) {
    let mut f = mem.create(path).expect("create");
    f.append(bytes).expect("append");
    f.sync().expect("sync");
}

#[test]
fn garbage_current_is_corruption_naming_current() {
    let current = Path::new(DIR).join("CURRENT");
    for (contents, what) in [
        (&b""[..], "empty"),
        (b"garbage", "garbage, no newline"),
        (b"\xff\xfe\n", "not UTF-8"),
        (b"000005.log\n", "names a WAL"),
        (b"MANIFEST-000002", "no newline"),
        (b"MANIFEST-000002\n\n", "two newlines"),
    ] {
        let (mem, _) = db_with_records_in_wal();
        overwrite(&mem, &current, contents);
        expect_corruption(
            Db::open(DIR, opts(Arc::new(mem.clone()))),
            "CURRENT",
            0,
            &format!("CURRENT {what}"),
        );
    }
}

#[test]
fn current_naming_a_missing_manifest_is_corruption() {
    let (mem, _) = db_with_records_in_wal();
    overwrite(&mem, &Path::new(DIR).join("CURRENT"), b"MANIFEST-000099\n");
    match Db::open(DIR, opts(Arc::new(mem.clone()))) {
        Err(Error::Corruption { file, reason, .. }) => {
            assert!(
                file == "CURRENT" || file == "MANIFEST-000099",
                "names CURRENT or the missing MANIFEST, got {file}: {reason}"
            );
        }
        Err(other) => panic!("expected Corruption, got {other:?}"),
        Ok(_) => panic!("expected Corruption, open succeeded"),
    }
}

/// The flush's edit is the MANIFEST's final record. Damage to it looks like
/// a torn append, but the WAL the flush retired is gone, so dropping the
/// edit would silently lose every flushed key (and delete their table).
#[test]
fn damaged_final_manifest_edit_after_its_wal_was_retired_is_corruption() {
    for (what, damage) in [("bad byte", 0u8), ("cut short", 1u8)] {
        let (mem, m, recs) = db_with_a_flush_in_its_manifest();
        let (start, len) = recs[recs.len() - 1];
        if damage == 0 {
            mem.corrupt_byte(&m, start + len - 3, 0x01)
                .expect("corrupt");
        } else {
            mem.truncate(&m, start + len - 3).expect("truncate");
        }
        let tables_before = files_with(&mem, |n| n.ends_with(".sst"));
        assert_eq!(tables_before.len(), 1, "the flush made one table");
        let reason = expect_corruption(
            Db::open(DIR, opts(Arc::new(mem.clone()))),
            &name_of(&m),
            start,
            &format!("final MANIFEST record {what}"),
        );
        println!("final MANIFEST record {what}: {reason}");
        assert_eq!(
            files_with(&mem, |n| n.ends_with(".sst")),
            tables_before,
            "a failed open must not delete the table the lost edit named"
        );
    }
}

/// A crash while appending an edit can leave half a record; its WAL is still
/// there (nothing acts on an edit before it is synced), so the half record
/// is dropped and the WAL replayed.
#[test]
fn torn_final_manifest_append_is_dropped() {
    let (mem, _) = db_with_records_in_older_wal();
    let m = files_with(&mem, |n| n.starts_with("MANIFEST-"))
        .pop()
        .expect("MANIFEST");
    let mut data = mem.read_all(&m).expect("read");
    let mut half = vec![0xab, 0xcd, 0xef, 0x01];
    half.extend_from_slice(&100u32.to_le_bytes());
    half.push(1);
    half.extend_from_slice(&[0x55; 20]);
    data.extend_from_slice(&half);
    overwrite(&mem, &m, &data);
    expect_opens_with(&mem, N, "torn MANIFEST append");
}
