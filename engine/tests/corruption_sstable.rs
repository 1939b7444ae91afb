//! Damaged tables: a bad byte, a cut-short file, a broken footer or a missing
//! file is reported as `Corruption` naming the table — never a panic, never
//! wrong data. Layout offsets come from the footer (format-spec/sstable.md):
//! the last 64 bytes hold the index, filter and properties handles as u64
//! pairs, then format version, crc and the magic `siltdbST`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use siltdb::fs::{Fs, MemFs};
use siltdb::low_level::sstable::TableOptions;
use siltdb::{Db, Error, Options};

const DIR: &str = "/db";

fn opts(mem: &MemFs) -> Options {
    Options {
        fs: Arc::new(mem.clone()),
        table: TableOptions {
            block_size: 256,
            ..TableOptions::default()
        },
        ..Options::default()
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:05}").into_bytes()
}

fn value(i: u32) -> Vec<u8> {
    format!("value-{i}-{}", "x".repeat((i % 7) as usize)).into_bytes()
}

/// A closed database whose `n` keys are all in one flushed table.
fn db_with_one_table(n: u32) -> (MemFs, PathBuf) {
    let mem = MemFs::new();
    let db = Db::open(DIR, opts(&mem)).expect("open");
    for i in 0..n {
        db.put(&key(i), &value(i)).expect("put");
    }
    db.flush().expect("flush");
    db.close().expect("close");
    drop(db);
    let tables: Vec<PathBuf> = mem
        .file_names()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sst"))
        .collect();
    assert_eq!(tables.len(), 1, "one table: {tables:?}");
    (mem, tables[0].clone())
}

fn name_of(p: &Path) -> String {
    p.file_name().expect("name").to_string_lossy().into_owned()
}

/// End of the data blocks: the smallest offset of a non-data block.
fn data_end(mem: &MemFs, table: &Path) -> u64 {
    let bytes = mem.read_all(table).expect("read table");
    let footer = &bytes[bytes.len() - 64..];
    let u = |at: usize| u64::from_le_bytes(footer[at..at + 8].try_into().expect("8 bytes"));
    let (index, filter, props) = (u(0), u(16), u(32));
    [index, props, if u(24) > 0 { filter } else { u64::MAX }]
        .into_iter()
        .min()
        .expect("min")
}

fn assert_corruption_in(e: &Error, file: &str, len: u64, ctx: &str) {
    match e {
        Error::Corruption {
            file: f, offset, ..
        } => {
            assert_eq!(f, file, "{ctx}: corruption names the table ({e})");
            assert!(
                *offset <= len,
                "{ctx}: offset {offset} within the file ({e})"
            );
        }
        other => panic!("{ctx}: expected Corruption in {file}, got {other:?}"),
    }
}

/// Scans everything; returns the first error or the entries read.
fn scan(db: &Db) -> siltdb::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut it = db.iter()?;
    it.seek_to_first()?;
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next()?;
    }
    Ok(out)
}

#[test]
fn bad_byte_in_a_data_block_is_corruption_on_read() {
    const N: u32 = 300;
    let (mem, table) = db_with_one_table(N);
    let len = mem.file_size(&table).expect("size");
    let end = data_end(&mem, &table);
    assert!(end > 1000, "several data blocks ({end} bytes)");
    mem.corrupt_byte(&table, 20, 0x40).expect("corrupt"); // inside block 0
    let name = name_of(&table);

    let db = Db::open(DIR, opts(&mem)).expect("open succeeds; blocks are read on demand");
    let err = db
        .get(&key(0))
        .expect_err("key 0 lives in the damaged block");
    assert_corruption_in(&err, &name, len, "get in damaged block");
    let err = scan(&db).expect_err("a full scan touches the damaged block");
    assert_corruption_in(&err, &name, len, "full scan");
    // Keys in other blocks still read correctly.
    assert_eq!(db.get(&key(N - 1)).expect("get"), Some(value(N - 1)));
    assert_eq!(db.get(b"zzz").expect("get"), None);
    // Still an error the second time (nothing cached the bad block as good).
    assert_corruption_in(
        &db.get(&key(0)).expect_err("again"),
        &name,
        len,
        "get again",
    );
    // Writes are unaffected, and compaction over the bad table fails
    // rather than writing out damaged data.
    db.put(b"new", b"v").expect("put");
    let err = db
        .compact_range(None, None)
        .expect_err("compaction reading the damaged block fails");
    assert!(
        err.is_corruption() || matches!(err, Error::Poisoned(_)),
        "compaction error: {err:?}"
    );
}

#[test]
fn truncated_table_is_corruption_naming_it() {
    for cut in [0u64, 10, 63, 64, 200] {
        let (mem, table) = db_with_one_table(100);
        let len = mem.file_size(&table).expect("size");
        let name = name_of(&table);
        let cut = if cut == 200 { len / 2 } else { cut };
        mem.truncate(&table, cut).expect("truncate");
        let ctx = format!("table cut to {cut} of {len} bytes");
        match Db::open(DIR, opts(&mem)) {
            Err(e) => assert_corruption_in(&e, &name, len, &ctx),
            Ok(db) => {
                let e = db.get(&key(1)).expect_err(&ctx);
                assert_corruption_in(&e, &name, len, &ctx);
                let e = scan(&db).expect_err(&ctx);
                assert_corruption_in(&e, &name, len, &ctx);
            }
        }
    }
}

#[test]
fn bad_footer_magic_is_corruption() {
    for back in [1u64, 8] {
        let (mem, table) = db_with_one_table(100);
        let len = mem.file_size(&table).expect("size");
        mem.corrupt_byte(&table, len - back, 0xff).expect("corrupt");
        let ctx = format!("magic byte {back} from the end");
        let name = name_of(&table);
        match Db::open(DIR, opts(&mem)) {
            Err(e) => assert_corruption_in(&e, &name, len, &ctx),
            Ok(db) => {
                let e = db.get(&key(1)).expect_err(&ctx);
                assert_corruption_in(&e, &name, len, &ctx);
                if let Error::Corruption { reason, .. } = &e {
                    assert!(
                        reason.contains("magic"),
                        "{ctx}: reason says magic: {reason}"
                    );
                }
            }
        }
    }
}

#[test]
fn missing_table_is_corruption_at_open() {
    let (mem, table) = db_with_one_table(100);
    mem.remove(&table).expect("remove");
    match Db::open(DIR, opts(&mem)) {
        Err(Error::Corruption { file, reason, .. }) => {
            assert_eq!(file, name_of(&table), "names the missing table: {reason}");
        }
        Err(other) => panic!("expected Corruption, got {other:?}"),
        Ok(_) => panic!("open must fail when a table the MANIFEST names is missing"),
    }
}

/// Flips every byte of a small table in turn (one at a time, restored after).
/// Every byte is under a block checksum, the footer checksum or the magic,
/// so a full scan must report Corruption for every flip; point reads either
/// return the right value or Corruption.
#[test]
fn every_single_byte_flip_is_detected() {
    const N: u32 = 40;
    let (mem, table) = db_with_one_table(N);
    let len = mem.file_size(&table).expect("size");
    let name = name_of(&table);
    let expected: Vec<(Vec<u8>, Vec<u8>)> = (0..N).map(|i| (key(i), value(i))).collect();
    println!("flipping each of {len} bytes of {name}");
    for at in 0..len {
        let xor = if at % 2 == 0 { 0x01 } else { 0x80 };
        mem.corrupt_byte(&table, at, xor).expect("corrupt");
        let ctx = format!("byte {at} of {len} flipped with {xor:#04x}");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let db = match Db::open(DIR, opts(&mem)) {
                Ok(db) => db,
                Err(e) => {
                    assert_corruption_in(&e, &name, len, &ctx);
                    return;
                }
            };
            for i in (0..N).step_by(3) {
                match db.get(&key(i)) {
                    Ok(v) => assert_eq!(v, Some(value(i)), "{ctx}: get key {i} wrong"),
                    Err(e) => assert_corruption_in(&e, &name, len, &ctx),
                }
            }
            assert_eq!(db.get(b"absent").ok().flatten(), None, "{ctx}");
            match scan(&db) {
                Ok(got) => {
                    assert_eq!(got, expected, "{ctx}: scan returned wrong data");
                    panic!("{ctx}: a flipped byte went undetected by a full scan");
                }
                Err(e) => assert_corruption_in(&e, &name, len, &ctx),
            }
        }));
        if let Err(p) = outcome {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{ctx}: {msg}");
        }
        mem.corrupt_byte(&table, at, xor).expect("restore");
    }
    // Restored: everything reads back.
    let db = Db::open(DIR, opts(&mem)).expect("open");
    assert_eq!(scan(&db).expect("scan"), expected);
}
