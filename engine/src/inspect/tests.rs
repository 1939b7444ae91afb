//! Tests of the inspection tools against real databases built with [`Db`]
//! on [`MemFs`], against the spec's test vectors, and against damage.
#![expect(
    clippy::cast_possible_truncation,
    reason = "offsets and lengths here are of test data held in memory, far below u32::MAX"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::error::{Error, Result};
use crate::fs::{Fs, MemFs};
use crate::sstable::TableOptions;
use crate::testutil::decode_hex_vector;
use crate::wal::encode_record;
use crate::{Db, Options};

pub(super) const DIR: &str = "/db";

pub(super) fn dir() -> &'static Path {
    Path::new(DIR)
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:05}").into_bytes()
}

fn value(i: u32) -> Vec<u8> {
    format!("value-{i}").into_bytes()
}

/// A closed database with tables on two levels and writes still in its WAL:
/// - keys 0..300 written, flushed and compacted to the bottom;
/// - keys 0..300 step 3 deleted and 300..350 written, flushed to L0;
/// - keys 350..360 and a delete of key 1 left in the WAL (`"tail"` values).
fn build_db() -> MemFs {
    let mem = MemFs::new();
    let opts = Options {
        fs: Arc::new(mem.clone()),
        table: TableOptions {
            block_size: 256,
            ..TableOptions::default()
        },
        ..Options::default()
    };
    let db = Db::open(DIR, opts).expect("open");
    for i in 0..300 {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.compact_range(None, None).expect("compact");
    for i in (0..300).step_by(3) {
        db.delete(&key(i)).expect("delete");
    }
    for i in 300..350 {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.flush().expect("flush");
    for i in 350..360 {
        db.put(&key(i), b"tail").expect("put");
    }
    db.delete(&key(1)).expect("delete");
    db.close().expect("close");
    mem
}

/// The files of a database, to copy into fresh file systems.
pub(super) type Files = Vec<(String, Vec<u8>)>;

pub(super) fn snapshot(mem: &MemFs) -> Files {
    let mut out = Vec::new();
    for name in mem.list(dir()).expect("list") {
        let data = mem.read_all(&dir().join(&name)).expect("read");
        out.push((name, data));
    }
    out.sort();
    out
}

pub(super) fn restore(files: &Files) -> MemFs {
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    for (name, data) in files {
        write(&mem, name, data);
    }
    mem
}

pub(super) fn write(mem: &MemFs, name: &str, data: &[u8]) {
    let mut f = mem.create(&dir().join(name)).expect("create");
    f.append(data).expect("append");
    f.sync().expect("sync");
}

/// The label of a directory entry's kind (`"sst"`, `"wal"`, ...; `"other"`
/// for names that are not siltdb's).
fn label_of(name: &str) -> &'static str {
    FileKind::parse(name).map_or("other", |k| k.label())
}

fn names_of(files: &Files, label: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(n, _)| label_of(n) == label)
        .map(|(n, _)| n.clone())
        .collect()
}

fn fixture() -> &'static Files {
    static FILES: std::sync::OnceLock<Files> = std::sync::OnceLock::new();
    FILES.get_or_init(|| snapshot(&build_db()))
}

pub(super) fn dump_to_string(fs: &dyn Fs, path: &Path) -> (String, Result<()>) {
    let mut out = Vec::new();
    let r = dump_file(fs, path, &mut out);
    (String::from_utf8(out).expect("dump output is UTF-8"), r)
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

pub(super) fn assert_has_line(text: &str, want: &str) {
    assert!(
        text.lines().any(|l| l == want),
        "missing line {want:?} in:\n{text}"
    );
}

pub(super) fn corrupt_status(report: &CheckReport, name: &str) -> Corruption {
    match report.file(name).map(|f| &f.status) {
        Some(FileStatus::Corrupt(c)) => c.clone(),
        other => panic!("expected {name} corrupt, got {other:?}\n{report}"),
    }
}

// ---- naming and escaping ----

#[test]
fn file_kinds_follow_the_db_naming() {
    assert_eq!(FileKind::parse("000007.log"), Some(FileKind::Wal(7)));
    assert_eq!(
        FileKind::parse("1234567.sst"),
        Some(FileKind::Table(1234567))
    );
    assert_eq!(
        FileKind::parse("MANIFEST-000003"),
        Some(FileKind::Manifest(3))
    );
    assert_eq!(FileKind::parse("CURRENT"), Some(FileKind::Current));
    for (name, label) in [
        ("000007.log", "wal"),
        ("000007.sst", "sst"),
        ("MANIFEST-000003", "manifest"),
        ("CURRENT", "current"),
        ("LOCK", "other"),
        ("CURRENT.tmp", "other"),
        ("x.sst", "other"),
        ("+5.log", "other"),
        ("MANIFEST-", "other"),
        ("notes", "other"),
    ] {
        assert_eq!(label_of(name), label, "{name}");
    }
}

/// A name the engine never writes is no WAL to `check` either: the engine
/// and `check` share one parser.
#[test]
fn a_name_the_engine_does_not_write_is_an_orphan() {
    let files = fixture();
    let mem = restore(files);
    let wal = names_of(files, "wal").remove(0);
    let data = &files.iter().find(|(n, _)| *n == wal).expect("wal").1;
    write(&mem, "+5.log", data);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        report.file("+5.log").map(|f| f.status.clone()),
        Some(FileStatus::Orphan("not a siltdb file".into()))
    );
}

#[test]
fn escape_shows_ascii_and_hex_and_truncates() {
    assert_eq!(escape(b"key1", 48), "\"key1\"");
    assert_eq!(escape(b"a\"b\\c", 48), "\"a\\\"b\\\\c\"");
    assert_eq!(escape(&[0, 0x7f, 0xff, b' '], 48), "\"\\x00\\x7f\\xff \"");
    assert_eq!(escape(b"abcdef", 3), "\"abc\"...(+3 bytes)");
    assert_eq!(escape(b"", 3), "\"\"");
    assert_eq!(
        internal_key(
            &crate::key::make_internal_key(b"k", 9, ValueKind::Deletion),
            48
        ),
        "\"k\"@9:del"
    );
    assert_eq!(internal_key(b"short", 48), "\"short\"!bad-internal-key");
}

// ---- check ----

#[test]
fn a_database_built_by_db_checks_clean() {
    let files = fixture();
    let mem = restore(files);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.orphans().count(), 0, "{report}");
    for f in &report.files {
        assert_eq!(f.status, FileStatus::Ok, "{}", f.name);
    }
    let m = report.manifest.as_ref().expect("manifest replayed");
    let ssts = names_of(files, "sst");
    assert_eq!(m.tables.len(), ssts.len());
    assert!(ssts.len() >= 2, "{ssts:?}");
    assert!(m.tables.iter().any(|t| t.level == 0));
    assert!(m.tables.iter().any(|t| t.level > 0));
    // The WAL holds the unflushed tail: 11 operations.
    let wals = names_of(files, "wal");
    let newest = wals.last().expect("a WAL");
    let notes = &report.file(newest).expect("wal report").notes;
    assert!(
        notes.iter().any(|n| n.contains("11 operations")),
        "{notes:?}"
    );
    let text = report.to_string();
    assert!(
        text.ends_with("result: clean: 0 damaged, 0 missing, 0 orphans"),
        "{text}"
    );
}

#[test]
fn check_is_read_only() {
    let files = fixture();
    let mem = restore(files);
    check_dir(&mem, dir()).expect("check");
    dir_stats(&mem, dir()).expect("stats");
    for (name, _) in files {
        dump_file(&mem, &dir().join(name), &mut std::io::sink()).expect("dump");
    }
    assert_eq!(&snapshot(&mem), files);
}

#[test]
fn a_missing_table_is_reported() {
    let files = fixture();
    let mem = restore(files);
    let sst = names_of(files, "sst").remove(0);
    mem.remove(&dir().join(&sst)).expect("remove");
    let report = check_dir(&mem, dir()).expect("check");
    assert!(!report.is_clean());
    assert_eq!(report.missing.len(), 1, "{report}");
    assert_eq!(report.missing[0].name, sst);
    assert!(report.missing[0].reason.contains("MANIFEST-"));
    assert!(report
        .to_string()
        .contains(&format!("missing {sst}: level")));
}

#[test]
fn orphans_are_listed_but_are_not_damage() {
    let files = fixture();
    let mem = restore(files);
    let manifest = names_of(files, "manifest").remove(0);
    write(&mem, "999990.sst", b"half-written table");
    write(&mem, "000000.log", b"an old log below the log number");
    write(&mem, "MANIFEST-000000", b"an old manifest");
    write(&mem, "CURRENT.tmp", format!("{manifest}\n").as_bytes());
    write(&mem, "notes.txt", b"not ours");
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    let mut orphans: Vec<&str> = report.orphans().collect();
    orphans.sort_unstable();
    assert_eq!(
        orphans,
        [
            "000000.log",
            "999990.sst",
            "CURRENT.tmp",
            "MANIFEST-000000",
            "notes.txt"
        ]
    );
    // Numbered past next_file_number: debris of a crashed flush or compaction.
    match report.file("999990.sst").map(|f| &f.status) {
        Some(FileStatus::Orphan(why)) => assert!(why.starts_with("crash debris: "), "{why}"),
        other => panic!("999990.sst: {other:?}"),
    }
}

#[test]
fn a_torn_log_cuts_replay_of_every_later_one() {
    let files = fixture();
    let wal = names_of(files, "wal").remove(0);
    let data = &files.iter().find(|(n, _)| *n == wal).expect("wal").1;
    // Where its records end (a reused file holds its earlier use after).
    let number = wal.trim_end_matches(".log").parse().expect("number");
    let mut reader =
        crate::wal::LogReader::new(data, &wal, crate::wal::TailPolicy::Strict).of_wal(number);
    while reader.next_record().expect("read").is_some() {}
    let cut = reader.offset() as usize - 3;

    // The newest log torn: dropped, as recovery drops it.
    let mem = restore(files);
    mem.truncate(&dir().join(&wal), cut as u64)
        .expect("truncate");
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    let notes = &report.file(&wal).expect("wal").notes;
    assert!(
        notes.iter().any(|n| n.contains("torn final record")),
        "{notes:?}"
    );

    // A newer WAL the MANIFEST does not record is debris, not read: the
    // torn log is still the newest.
    write(&mem, "999999.log", &[]);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");

    // The same log with a newer live one after it, holding a record: the
    // record is noted as not replayed (point-in-time recovery), as open
    // ignores it; the report stays clean.
    let mut later = Vec::new();
    let mut batch = crate::batch::WriteBatch::new();
    batch.put(b"later", b"write");
    batch.set_sequence(1 << 40);
    encode_record(&mut later, batch.data()).expect("record");
    write(&mem, "999999.log", &later);
    let manifest = names_of(files, "manifest").remove(0);
    let mut m = files
        .iter()
        .find(|(n, _)| *n == manifest)
        .expect("m")
        .1
        .clone();
    let edit = crate::manifest::VersionEdit {
        new_wals: vec![999_999],
        next_file_number: Some(1_000_000),
        ..Default::default()
    };
    encode_record(&mut m, &edit.encoded()).expect("record");
    write(&mem, &manifest, &m);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    let notes = &report.file(&wal).expect("wal").notes;
    assert!(
        notes.iter().any(|n| n.contains("torn final record")),
        "{notes:?}"
    );
    let notes = &report.file("999999.log").expect("later wal").notes;
    assert!(
        notes.iter().any(|n| n.contains("1 complete records")
            && n.contains("not replayed")
            && n.contains(&wal)),
        "{notes:?}"
    );
}

#[test]
fn a_flipped_wal_payload_byte_is_corruption() {
    let files = fixture();
    let wal = names_of(files, "wal").remove(0);
    let mem = restore(files);
    // Byte 12 is inside the first record's payload; the record is not the
    // last one, so its checksum failure is corruption at offset 0.
    mem.corrupt_byte(&dir().join(&wal), 12, 0x40).expect("flip");
    let report = check_dir(&mem, dir()).expect("check");
    let c = corrupt_status(&report, &wal);
    assert_eq!((c.offset, c.reason.as_str()), (0, "checksum mismatch"));
}

#[test]
fn bad_or_missing_current() {
    let files = fixture();
    let mem = restore(files);
    write(&mem, "CURRENT", b"MANIFEST-000001");
    let report = check_dir(&mem, dir()).expect("check");
    assert!(!report.is_clean());
    let c = corrupt_status(&report, "CURRENT");
    assert_eq!(c.file, "CURRENT");
    assert!(report.manifest.is_none());
    // Without a MANIFEST, tables and logs are checked on their own.
    for sst in names_of(files, "sst") {
        let r = report.file(&sst).expect("sst");
        assert_eq!(r.status, FileStatus::Ok);
        assert!(r.notes.iter().any(|n| n.contains("not checked against")));
    }
    assert_eq!(report.orphans().count(), 0);

    write(&mem, "CURRENT", b"MANIFEST-999999\n");
    let report = check_dir(&mem, dir()).expect("check");
    assert_eq!(report.missing.len(), 1);
    assert_eq!(report.missing[0].name, "MANIFEST-999999");

    mem.remove(&dir().join("CURRENT")).expect("remove");
    let report = check_dir(&mem, dir()).expect("check");
    assert_eq!(report.missing[0].name, "CURRENT");
    assert!(!report.is_clean());
}

#[test]
fn a_torn_manifest_tail_needs_its_wal() {
    let files = fixture();
    let manifest = names_of(files, "manifest").remove(0);
    let mut data = files
        .iter()
        .find(|(n, _)| *n == manifest)
        .expect("m")
        .1
        .clone();
    let end = data.len() as u64;
    // A torn final record: a header promising more bytes than follow.
    data.extend_from_slice(&[1, 2, 3, 4, 100, 0, 0, 0, 1, 9, 9]);
    let mem = restore(files);
    write(&mem, &manifest, &data);
    let report = check_dir(&mem, dir()).expect("check");
    assert!(report.is_clean(), "{report}");
    let notes = &report.file(&manifest).expect("manifest").notes;
    assert!(
        notes.iter().any(|n| n.contains(&format!("offset {end}"))),
        "{notes:?}"
    );

    // With the WAL of the log number gone, the dropped record may have been
    // a synced edit: corruption, as at open.
    for wal in names_of(files, "wal") {
        mem.remove(&dir().join(wal)).expect("remove");
    }
    let report = check_dir(&mem, dir()).expect("check");
    let c = corrupt_status(&report, &manifest);
    assert_eq!(c.offset, end);
    assert!(c.reason.contains("a synced edit was lost"), "{c:?}");
}

#[test]
fn a_table_that_disagrees_with_the_manifest_is_corrupt() {
    let files = fixture();
    let ssts = names_of(files, "sst");
    let (a, b) = (&ssts[0], &ssts[1]);
    let bytes_b = &files.iter().find(|(n, _)| n == b).expect("b").1;
    let mem = restore(files);
    // An intact table, but not the one the MANIFEST recorded under this name.
    write(&mem, a, bytes_b);
    let report = check_dir(&mem, dir()).expect("check");
    let c = corrupt_status(&report, a);
    assert!(c.reason.contains("the MANIFEST says"), "{c:?}");
}

#[test]
fn listing_a_missing_directory_is_an_error() {
    let mem = MemFs::new();
    assert!(check_dir(&mem, Path::new("/nowhere")).is_err());
    assert!(dir_stats(&mem, Path::new("/nowhere")).is_err());
}

/// If check says clean, the database opens.
fn assert_opens(mem: &MemFs) {
    let opts = Options {
        fs: Arc::new(mem.clone()),
        create_if_missing: false,
        ..Options::default()
    };
    let db = Db::open(DIR, opts).expect("a clean report means the database opens");
    db.close().expect("close");
}

#[test]
fn clean_reports_open() {
    assert_opens(&restore(fixture()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any single flipped byte of any table — in a data, filter, properties
    /// or index block, a block trailer or the footer — is reported as
    /// corruption of that table.
    #[test]
    fn a_flipped_byte_in_any_table_is_detected(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let files = fixture();
        let ssts = names_of(files, "sst");
        let name = which.get(&ssts);
        let len = files.iter().find(|(n, _)| n == name).map(|(_, d)| d.len()).unwrap_or(1);
        let offset = at.index(len) as u64;
        let mem = restore(files);
        mem.corrupt_byte(&dir().join(name), offset, mask).expect("flip");
        let report = check_dir(&mem, dir()).expect("check");
        prop_assert!(!report.is_clean());
        let c = corrupt_status(&report, name);
        prop_assert_eq!(&c.file, name);
        prop_assert!(c.offset <= len as u64, "{:?}", c);
        // Every other file is still fine.
        for f in report.files.iter().filter(|f| f.name != *name) {
            prop_assert_eq!(&f.status, &FileStatus::Ok, "{}", f.name);
        }
    }

    /// Random damage to any files — flipped bytes, cuts, appended garbage —
    /// never panics any tool; a clean report means the database opens.
    #[test]
    fn random_damage_never_panics(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>(), 0u8..4),
            1..4,
        ),
    ) {
        let files = fixture();
        let mem = restore(files);
        for (which, at, byte, op) in edits {
            let (name, data) = which.get(files);
            let path = dir().join(name);
            let len = mem.file_size(&path).unwrap_or(0);
            match op {
                0 | 1 if len > 0 => {
                    let offset = at.index(len as usize) as u64;
                    mem.corrupt_byte(&path, offset, byte.max(1)).expect("flip");
                }
                2 => mem.truncate(&path, at.index(data.len() + 1) as u64).expect("cut"),
                _ => {
                    let mut d = mem.read_all(&path).expect("read");
                    d.extend_from_slice(&[byte; 5]);
                    write(&mem, name, &d);
                }
            }
        }
        let report = check_dir(&mem, dir()).expect("check lists the directory");
        let _ = report.to_string();
        let _ = dir_stats(&mem, dir()).map(|s| s.to_string());
        for (name, _) in files {
            let _ = dump_file(&mem, &dir().join(name), &mut std::io::sink());
        }
        if report.is_clean() {
            assert_opens(&mem);
        }
    }
}

// ---- dump ----

#[test]
fn dump_the_sst_vector() {
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    let bytes = decode_hex_vector(include_str!("../../../format-spec/vectors/sst-small.hex"));
    write(&mem, "000001.sst", &bytes);
    let (text, r) = dump_to_string(&mem, &dir().join("000001.sst"));
    r.expect("dump");
    assert_eq!(
        lines(&text),
        [
            "000001.sst: sst, 236 bytes",
            "footer offset=172 index=(131,36) filter=(66,9) properties=(80,46) format_version=1 magic=siltdbST",
            "properties entries=3 deletions=1 raw_key_bytes=27 raw_value_bytes=4 seq=1..3 data_blocks=2 \
             bloom_bits_per_key=10 smallest=\"a\"@3:put largest=\"c\"@1:put creation_time=none",
            "filter size=9 bits=64 probes=7",
            "index entries=2",
            "  index key=\"b\"@2:del block=(0,34)",
            "  index key=\"c\"@1:put block=(39,22)",
            "block 0 offset=0 size=34",
            "  entry key=\"a\" seq=3 kind=put value_len=2 value=\"v1\"",
            "  entry key=\"b\" seq=2 kind=del value_len=0",
            "block 1 offset=39 size=22",
            "  entry key=\"c\" seq=1 kind=put value_len=2 value=\"v3\"",
            "end entries=3",
        ]
    );
}

#[test]
fn dump_the_wal_vectors() {
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    let two = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/wal-two-records.hex"
    ));
    write(&mem, "000004.log", &two);
    let (text, r) = dump_to_string(&mem, &dir().join("000004.log"));
    r.expect("dump");
    assert_eq!(
        lines(&text),
        [
            "000004.log: wal, 61 bytes",
            "record offset=0 length=20 type=1 crc=ok",
            "  batch sequence=1 count=2",
            "    op seq=1 kind=put key=\"a\" value_len=1 value=\"1\"",
            "    op seq=2 kind=del key=\"b\"",
            "record offset=29 length=23 type=1 crc=ok",
            "  batch sequence=3 count=1",
            "    op seq=3 kind=put key=\"key\" value_len=5 value=\"value\"",
            "end offset=61 clean",
        ]
    );

    let torn = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/wal-torn-tail.hex"
    ));
    write(&mem, "000005.log", &torn);
    let (text, r) = dump_to_string(&mem, &dir().join("000005.log"));
    r.expect("a torn tail is not an error");
    assert_has_line(
        &text,
        "end offset=29 torn-tail dropped=19 reason=\"record length 23 runs past end of file at 48\"",
    );

    let bad = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/wal-bad-checksum.hex"
    ));
    write(&mem, "000006.log", &bad);
    let (text, r) = dump_to_string(&mem, &dir().join("000006.log"));
    assert!(
        matches!(r, Err(Error::Corruption { offset: 0, .. })),
        "{r:?}"
    );
    assert_eq!(
        lines(&text),
        [
            "000006.log: wal, 61 bytes",
            "record offset=0 length=20 type=1 crc=bad",
            "error: corruption in 000006.log at offset 0: checksum mismatch",
        ]
    );
}

#[test]
fn dump_the_manifest_edit_vector() {
    let edit = decode_hex_vector(include_str!(
        "../../../format-spec/vectors/manifest-edit.hex"
    ));
    let mut log = Vec::new();
    encode_record(&mut log, &edit).expect("frame");
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    write(&mem, "MANIFEST-000008", &log);
    let (text, r) = dump_to_string(&mem, &dir().join("MANIFEST-000008"));
    r.expect("dump");
    assert_eq!(
        lines(&text)[1..],
        [
            format!("record offset=0 length={} type=1 crc=ok", edit.len()).as_str(),
            "  edit",
            "    log_number=5",
            "    next_file_number=9",
            "    last_sequence=100",
            "    deleted_file level=0 number=3",
            "    new_file level=1 number=7 size=4096 smallest=\"apple\"@42:put \
             largest=\"pear\"@17:del seq=17..99 entries=120 deletions=3",
            format!("end offset={} clean", log.len()).as_str(),
        ]
    );
}

#[test]
fn dump_a_small_database() {
    let files = fixture();
    let mem = restore(files);

    let (text, r) = dump_to_string(&mem, &dir().join("CURRENT"));
    r.expect("dump CURRENT");
    let manifest = names_of(files, "manifest").remove(0);
    assert_has_line(&text, &format!("current manifest={manifest}"));

    let (text, r) = dump_to_string(&mem, &dir().join(&manifest));
    r.expect("dump MANIFEST");
    for sst in names_of(files, "sst") {
        let number: u64 = sst.trim_end_matches(".sst").parse().expect("number");
        assert!(
            text.lines().any(|l| l.starts_with("    new_file level=")
                && l.contains(&format!(" number={number} "))),
            "{sst} not in:\n{text}"
        );
    }

    let wal = names_of(files, "wal").remove(0);
    let (text, r) = dump_to_string(&mem, &dir().join(&wal));
    r.expect("dump WAL");
    assert!(text.starts_with(&format!("{wal}: wal, ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("    op seq=")
        && l.ends_with("kind=put key=\"key00355\" value_len=4 value=\"tail\"")));
    assert!(text
        .lines()
        .any(|l| l.starts_with("    op seq=") && l.ends_with("kind=del key=\"key00001\"")));
    // The engine writes RECYCLABLE records naming the WAL; this one may
    // reuse an obsolete WAL's file, whose earlier records end the log.
    let tag = wal.trim_end_matches(".log").parse::<u32>().expect("number");
    assert!(text
        .lines()
        .any(|l| l.starts_with("record offset=0 ")
            && l.contains(&format!(" type=2 log={tag} crc=ok"))));
    assert!(text
        .lines()
        .last()
        .is_some_and(|l| l.ends_with(" clean") || l.contains(" clean earlier-use=")));

    // Every table: the deleted keys of the L0 table appear as tombstones,
    // the compacted ones as values, and the entry count adds up.
    let mut all = String::new();
    for sst in names_of(files, "sst") {
        let (text, r) = dump_to_string(&mem, &dir().join(&sst));
        r.expect("dump table");
        let entries = text.lines().filter(|l| l.starts_with("  entry ")).count();
        assert_has_line(&text, &format!("end entries={entries}"));
        assert!(text
            .lines()
            .any(|l| l.starts_with(&format!("properties entries={entries} "))));
        all.push_str(&text);
    }
    assert!(all
        .lines()
        .any(|l| l.starts_with("  entry key=\"key00003\" seq=")
            && l.ends_with(" kind=del value_len=0")));
    assert!(all
        .lines()
        .any(|l| l.starts_with("  entry key=\"key00004\" seq=")
            && l.ends_with(" kind=put value_len=7 value=\"value-4\"")));
}

#[test]
fn dump_recognises_files_by_content() {
    let files = fixture();
    let mem = restore(files);
    for (kind, name) in [
        ("sst", "copy-of-table"),
        ("wal", "copy-of-wal"),
        ("manifest", "copy-of-manifest"),
        ("current", "copy-of-current"),
    ] {
        let src = names_of(files, kind).remove(0);
        let data = &files.iter().find(|(n, _)| *n == src).expect("src").1;
        write(&mem, name, data);
        let (text, r) = dump_to_string(&mem, &dir().join(name));
        r.expect("dump");
        assert!(
            text.starts_with(&format!("{name}: {kind} (by content), ")),
            "{text}"
        );
    }
    write(&mem, "noise", b"nothing siltdb would write");
    let (_, r) = dump_to_string(&mem, &dir().join("noise"));
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
}

#[test]
fn dump_prints_up_to_the_damage_and_fails() {
    let files = fixture();
    let sst = names_of(files, "sst").remove(0);
    let mem = restore(files);
    // Byte 0 is in the first data block: everything up to it is printed.
    mem.corrupt_byte(&dir().join(&sst), 0, 0x01).expect("flip");
    let (text, r) = dump_to_string(&mem, &dir().join(&sst));
    assert!(
        matches!(r, Err(Error::Corruption { offset: 0, .. })),
        "{r:?}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("block 0 offset=0 size=")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("index entries=")));
    let last = text.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!(
            "error: corruption in {sst} at offset 0: data block checksum mismatch"
        )),
        "{last}"
    );
}

#[test]
fn dump_width_truncates_keys_and_values() {
    let mem = MemFs::new();
    mem.create_dir_all(dir()).expect("mkdir");
    let mut b = crate::WriteBatch::new();
    b.set_sequence(7);
    b.put(b"a-rather-long-key", &[0xffu8; 100]);
    let mut log = Vec::new();
    encode_record(&mut log, b.data()).expect("frame");
    write(&mem, "000001.log", &log);
    let mut out = Vec::new();
    dump_file_with(
        &mem,
        &dir().join("000001.log"),
        &mut out,
        &DumpOptions { width: 4 },
    )
    .expect("dump");
    let text = String::from_utf8(out).expect("utf8");
    assert_has_line(
        &text,
        "    op seq=7 kind=put key=\"a-ra\"...(+13 bytes) value_len=100 \
         value=\"\\xff\\xff\\xff\\xff\"...(+96 bytes)",
    );
}

// ---- stats ----

#[test]
fn stats_of_a_small_database() {
    let files = fixture();
    let mem = restore(files);
    let stats = dir_stats(&mem, dir()).expect("stats");
    assert_eq!(stats.levels.len(), crate::manifest::NUM_LEVELS);
    assert!(stats.unreadable.is_empty());
    let total = stats.total();
    assert_eq!(total.files, names_of(files, "sst").len());
    let sst_bytes: u64 = files
        .iter()
        .filter(|(n, _)| label_of(n) == "sst")
        .map(|(_, d)| d.len() as u64)
        .sum();
    assert_eq!(total.bytes, sst_bytes);
    // 300 compacted values; then 100 tombstones and 50 values flushed to L0.
    let l0 = &stats.levels[0];
    assert_eq!((l0.files, l0.entries, l0.tombstones), (1, 150, 100));
    assert_eq!(l0.smallest.as_deref(), Some(&key(0)[..]));
    assert_eq!(l0.largest.as_deref(), Some(&key(349)[..]));
    assert_eq!((total.entries, total.tombstones), (450, 100));
    let wal_bytes: u64 = files
        .iter()
        .filter(|(n, _)| label_of(n) == "wal")
        .map(|(_, d)| d.len() as u64)
        .sum();
    assert!(wal_bytes > 0);
    assert_eq!((stats.wal_files, stats.wal_bytes), (1, wal_bytes));

    let text = stats.to_string();
    let rows = lines(&text);
    assert!(rows[0].starts_with("MANIFEST-"), "{text}");
    assert_eq!(
        rows[1],
        "level  files      bytes    entries  tombstones  key range"
    );
    assert!(
        rows.iter().any(|l| l.starts_with("L0 ")
            && l.ends_with("150         100  \"key00000\" .. \"key00349\"")),
        "{text}"
    );
    assert!(rows.iter().any(|l| l.starts_with("total ")), "{text}");
    assert!(rows.last().is_some_and(|l| l.starts_with("wal ")), "{text}");
}

#[test]
fn stats_fall_back_on_the_manifest_for_an_unreadable_table() {
    let files = fixture();
    let mem = restore(files);
    let want = dir_stats(&mem, dir()).expect("stats");
    let sst = names_of(files, "sst").remove(0);
    let len = mem.file_size(&dir().join(&sst)).expect("size");
    mem.corrupt_byte(&dir().join(&sst), len - 1, 0x20)
        .expect("flip magic");
    let stats = dir_stats(&mem, dir()).expect("stats");
    assert_eq!(stats.unreadable.len(), 1);
    assert_eq!(stats.unreadable[0].0, sst);
    assert_eq!(stats.total(), want.total());
    assert!(stats.to_string().contains(&format!("unreadable {sst}: ")));
}

#[test]
fn stats_need_current_and_the_manifest() {
    let files = fixture();
    let mem = restore(files);
    mem.remove(&dir().join("CURRENT")).expect("remove");
    assert!(dir_stats(&mem, dir()).is_err());
    write(&mem, "CURRENT", b"MANIFEST-999999\n");
    assert!(matches!(
        dir_stats(&mem, dir()),
        Err(Error::Corruption { .. })
    ));
}

#[test]
fn paths_are_taken_as_given() {
    // A relative directory works the same as an absolute one.
    let files = fixture();
    let mem = MemFs::new();
    let rel = PathBuf::from("rel/db");
    mem.create_dir_all(&rel).expect("mkdir");
    for (name, data) in files {
        let mut f = mem.create(&rel.join(name)).expect("create");
        f.append(data).expect("append");
        f.sync().expect("sync");
    }
    assert!(check_dir(&mem, &rel).expect("check").is_clean());
}
