//! The inspection tools on separated values: `check_dir` verifies blob files,
//! the entries pointing into them and the MANIFEST's garbage accounting;
//! `dump_file` prints blob files, blob indexes and the value-log MANIFEST
//! fields.

use std::sync::Arc;

use super::tests::{
    assert_has_line, corrupt_status, dir, dump_to_string, restore, snapshot, write, Files, DIR,
};
use super::*;
use crate::fs::{Fs, MemFs};
use crate::manifest::{BlobGarbage, VersionEdit};
use crate::testutil::decode_hex_vector;
use crate::vlog::BlobOptions;
use crate::wal::encode_record;
use crate::{Db, Options};

/// A closed database with separated values: keys 0..6 flushed (one
/// registered blob file, every 3rd then overwritten and compacted, so it
/// carries garbage), and keys 6..8 still in the WAL with their own blob file.
fn build_blob_db() -> Files {
    let mem = MemFs::new();
    let opts = Options {
        fs: Arc::new(mem.clone()),
        blob: BlobOptions {
            min_blob_size: 100,
            ..BlobOptions::default()
        },
        ..Options::default()
    };
    let db = Db::open(DIR, opts).expect("open");
    let v = |i: u32, g: u32| format!("value {i} gen {g} ").repeat(20).into_bytes();
    for i in 0..6 {
        db.put(format!("k{i}").as_bytes(), &v(i, 0)).expect("put");
    }
    db.flush().expect("flush");
    for i in (0..6).step_by(3) {
        db.put(format!("k{i}").as_bytes(), &v(i, 1)).expect("put");
    }
    db.compact_range(None, None).expect("compact");
    for i in 6..8 {
        db.put(format!("k{i}").as_bytes(), &v(i, 0)).expect("put");
    }
    db.put(b"small", b"inline").expect("put");
    db.close().expect("close");
    snapshot(&mem)
}

fn blob_names(files: &Files) -> Vec<String> {
    files
        .iter()
        .filter(|(n, _)| matches!(FileKind::parse(n), Some(FileKind::Blob(_))))
        .map(|(n, _)| n.clone())
        .collect()
}

/// The blob file the MANIFEST lists with garbage (the first one written).
fn registered_blob(report: &CheckReport) -> String {
    let m = report.manifest.as_ref().expect("manifest");
    let b = m
        .blob_files
        .iter()
        .find(|b| b.garbage_records > 0)
        .expect("a blob file with garbage");
    FileKind::Blob(b.meta.number).name()
}

#[test]
fn a_database_with_blob_files_checks_clean() {
    let files = build_blob_db();
    let blobs = blob_names(&files);
    assert!(blobs.len() >= 3, "{blobs:?}");
    let mem = restore(&files);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.orphans().count(), 0, "{report}");
    let registered = registered_blob(&report);
    let notes = &report.file(&registered).expect("row").notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("6 referenced when registered, 4 live")),
        "{notes:?}"
    );
    let text = report.to_string();
    assert!(text.contains("blob files ("), "{text}");
    assert!(text.contains("points into"), "{text}");
    // The WAL's blob file is live though not registered.
    assert!(
        report
            .files
            .iter()
            .any(|f| matches!(f.kind, Some(FileKind::Blob(_)))
                && f.notes
                    .iter()
                    .any(|n| n.contains("not in the MANIFEST yet"))),
        "{report}"
    );
}

#[test]
fn garbage_accounting_that_disagrees_with_the_tables_is_corruption() {
    let files = build_blob_db();
    let mem = restore(&files);
    let report = check_dir(&mem, dir()).expect("check");
    let m = report.manifest.as_ref().expect("manifest");
    let registered = registered_blob(&report);
    let number = m
        .blob_files
        .iter()
        .find(|b| b.garbage_records > 0)
        .map(|b| b.meta.number)
        .expect("number");
    // Append a well-formed edit counting one more record as garbage.
    let manifest = dir().join(&m.name);
    let mut data = mem.read_all(&manifest).expect("read");
    let edit = VersionEdit {
        blob_garbage: vec![BlobGarbage {
            number,
            records: 1,
            record_bytes: 1,
        }],
        ..VersionEdit::default()
    };
    encode_record(&mut data, &edit.encoded()).expect("record");
    write(&mem, &m.name, &data);
    let report = check_dir(&mem, dir()).expect("check");
    let c = corrupt_status(&report, &registered);
    assert!(
        c.reason.contains("accounts 3 live records") && c.reason.contains("point to 4"),
        "{}",
        c.reason
    );
}

#[test]
fn a_damaged_registered_blob_file_and_an_orphan_are_reported() {
    let files = build_blob_db();
    let mem = restore(&files);
    let registered = registered_blob(&check_dir(&mem, dir()).expect("check"));
    mem.corrupt_byte(&dir().join(&registered), 20, 0x40)
        .expect("flip");
    write(&mem, "999999.blob", b"siltdbVL\x01\x00\x00\x00");
    let report = check_dir(&mem, dir()).expect("check");
    let c = corrupt_status(&report, &registered);
    assert_eq!(c.offset, 12, "{}", c.reason);
    assert!(report.orphans().any(|o| o == "999999.blob"), "{report}");
}

#[test]
fn dump_prints_blob_files_indexes_and_manifest_fields() {
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    write(
        &mem,
        "000009.blob",
        &decode_hex_vector(include_str!("../../../format-spec/vectors/blob-file.hex")),
    );
    let (text, r) = dump_to_string(&mem, &dir().join("000009.blob"));
    r.expect("dump");
    assert_eq!(
        text,
        "000009.blob: blob, 47 bytes\n\
         header magic=siltdbVL format_version=1\n\
         record offset=12 key=\"k1\" value_len=5 value=\"hello\" crc=0xa9f45c27\n\
         record offset=31 key=\"key2\" value_len=0 value=\"\" crc=0xd250c45c\n\
         end offset=47 records=2\n"
    );
    // Version 2: the same records, XXH3 checksums.
    write(
        &mem,
        "000010.blob",
        &decode_hex_vector(include_str!(
            "../../../format-spec/vectors/blob-file-v2.hex"
        )),
    );
    let (text, r) = dump_to_string(&mem, &dir().join("000010.blob"));
    r.expect("dump");
    assert_eq!(
        text,
        "000010.blob: blob, 47 bytes\n\
         header magic=siltdbVL format_version=2\n\
         record offset=12 key=\"k1\" value_len=5 value=\"hello\" crc=0xf7899ef4\n\
         record offset=31 key=\"key2\" value_len=0 value=\"\" crc=0xf30ea306\n\
         end offset=47 records=2\n"
    );
    // Recognised by content under another name; a cut one is an error.
    let bytes = mem.read_all(&dir().join("000009.blob")).expect("read");
    write(&mem, "copy", &bytes[..40]);
    let (text, r) = dump_to_string(&mem, &dir().join("copy"));
    assert!(
        text.starts_with("copy: blob (by content), 40 bytes\n"),
        "{text}"
    );
    assert!(r.unwrap_err().is_corruption());

    let mut manifest = Vec::new();
    let edit = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/manifest-edit-blob.hex"
    ));
    encode_record(&mut manifest, &edit).expect("record");
    write(&mem, "MANIFEST-000002", &manifest);
    let (text, r) = dump_to_string(&mem, &dir().join("MANIFEST-000002"));
    r.expect("dump");
    assert_has_line(
        &text,
        "    new_blob_file number=12 records=3 record_bytes=307260 size=307272",
    );
    assert_has_line(
        &text,
        "    blob_garbage number=8 records=1 record_bytes=102420",
    );
    assert_has_line(&text, "    deleted_blob_file number=6");
    assert_has_line(&text, "    table_blob_refs table=13 blobs=8,12");

    let mut wal = Vec::new();
    let batch = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/batch-put-blob.hex"
    ));
    encode_record(&mut wal, &batch).expect("record");
    write(&mem, "000004.log", &wal);
    let (text, r) = dump_to_string(&mem, &dir().join("000004.log"));
    r.expect("dump");
    assert_has_line(
        &text,
        "    op seq=5 kind=blob key=\"big\" blob=(file=9,offset=300,value_len=102400,crc=0xa9f45c27)",
    );
}

#[test]
fn dump_of_a_table_shows_blob_indexes() {
    let files = build_blob_db();
    let mem = restore(&files);
    let report = check_dir(&mem, dir()).expect("check");
    let table = report
        .files
        .iter()
        .find(|f| {
            matches!(f.kind, Some(FileKind::Table(_)))
                && f.notes.iter().any(|n| n.contains("points into"))
        })
        .expect("a table with separated values");
    let (text, r) = dump_to_string(&mem, &dir().join(&table.name));
    r.expect("dump");
    assert!(
        text.lines()
            .any(|l| l.contains("kind=blob") && l.contains(" blob=(file=")),
        "{text}"
    );
    let stats = dir_stats(&mem, dir()).expect("stats");
    assert!(
        stats.blob_files >= 2 && stats.blob_garbage_bytes > 0,
        "{stats}"
    );
    assert!(stats.to_string().contains("\nblob "), "{stats}");
}
