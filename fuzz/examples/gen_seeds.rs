//! Writes valid seed inputs for every fuzz target into `corpus/<target>/`
//! (relative to the current directory; run from `fuzz/`):
//!
//! ```sh
//! cd fuzz && cargo run --example gen_seeds
//! ```
//!
//! Seeds: real WAL files (batches written with `LogWriter`, plus torn and
//! zero-padded variants), real SSTables from `TableBuilder` on a `MemFs`
//! (several block sizes / restart intervals, with and without a bloom
//! filter), real MANIFEST edit streams, and raw data/index blocks.

use std::fs;
use std::path::Path;

use siltdb::batch::WriteBatch;
use siltdb::fs::{Fs, MemFs};
use siltdb::key::{make_internal_key, ValueKind};
use siltdb::manifest::{FileMeta, VersionEdit};
use siltdb::sstable::{BlockBuilder, Footer, TableBuilder, TableOptions, FOOTER_LEN};
use siltdb::wal::LogWriter;

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).expect("create corpus dir");
    fs::write(dir.join(name), data).expect("write seed");
    // Every seed must run cleanly through its target.
    match target {
        "wal_reader" => siltdb_fuzz::run_wal(data),
        "sstable_reader" => siltdb_fuzz::run_sstable(data),
        "manifest_reader" => siltdb_fuzz::run_manifest(data),
        "block_decoder" => siltdb_fuzz::run_block(data),
        _ => unreachable!(),
    }
}

fn log_of(records: &[Vec<u8>]) -> Vec<u8> {
    let fs = MemFs::new();
    let path = Path::new("000001.log");
    let mut w = LogWriter::new(fs.create(path).expect("create"), "000001.log".into());
    for r in records {
        w.add_record(r).expect("add record");
    }
    w.sync().expect("sync");
    fs.read_all(path).expect("read log")
}

fn batches() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut seq = 1;
    for i in 0..4u32 {
        let mut b = WriteBatch::new();
        b.set_sequence(seq);
        for j in 0..=i {
            let key = format!("key{:03}", i * 10 + j);
            if j % 3 == 2 {
                b.delete(key.as_bytes());
            } else {
                b.put(key.as_bytes(), format!("value-{i}-{j}").as_bytes());
            }
        }
        seq += u64::from(b.count());
        out.push(b.data().to_vec());
    }
    out.push(WriteBatch::new().data().to_vec()); // an empty batch
    out
}

fn entries(n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let uk = format!("user{:04}", i / 2);
            let seq = 100 - (i % 2) as u64;
            let kind = if i % 5 == 4 {
                ValueKind::Deletion
            } else {
                ValueKind::Value
            };
            let v = if kind == ValueKind::Deletion {
                vec![]
            } else {
                format!("v{i}").into_bytes()
            };
            (make_internal_key(uk.as_bytes(), seq, kind), v)
        })
        .collect()
}

fn table(n: usize, opts: TableOptions) -> Vec<u8> {
    let fs = MemFs::new();
    let path = Path::new("000005.sst");
    let mut b = TableBuilder::new(
        fs.create(path).expect("create"),
        "000005.sst".into(),
        opts,
        None,
    );
    for (k, v) in entries(n) {
        b.add(&k, &v).expect("add");
    }
    b.finish().expect("finish");
    fs.read_all(path).expect("read table")
}

fn meta(number: u64, lo: &str, hi: &str, seq: u64) -> FileMeta {
    FileMeta {
        number,
        size: 1000 + number,
        smallest: make_internal_key(lo.as_bytes(), seq, ValueKind::Value),
        largest: make_internal_key(hi.as_bytes(), seq + 5, ValueKind::Deletion),
        smallest_seq: seq,
        largest_seq: seq + 5,
        num_entries: 10,
        num_deletions: 2,
    }
}

fn main() {
    // WAL
    let log = log_of(&batches());
    write("wal_reader", "log-batches", &log);
    write("wal_reader", "log-torn", &log[..log.len() - 7]);
    let mut padded = log.clone();
    padded.resize(log.len() + 32, 0);
    write("wal_reader", "log-zero-tail", &padded);
    write("wal_reader", "log-one", &log_of(&batches()[..1]));

    // SSTables
    let small = TableOptions {
        block_size: 64,
        restart_interval: 2,
        ..TableOptions::default()
    };
    let nofilter = TableOptions {
        block_size: 128,
        restart_interval: 4,
        bloom_bits_per_key: 0,
        ..TableOptions::default()
    };
    let tables = [
        ("table-1", table(1, TableOptions::default())),
        ("table-small-blocks", table(12, small.clone())),
        ("table-no-filter", table(20, nofilter)),
        ("table-one-block", table(30, TableOptions::default())),
    ];
    for (name, t) in &tables {
        write("sstable_reader", name, t);
    }

    // Blocks: a data block, and the index block of a multi-block table.
    let mut bb = BlockBuilder::new(3);
    for (k, v) in entries(10) {
        bb.add(&k, &v);
    }
    write("block_decoder", "data-block", bb.finish());
    let t = &tables[1].1;
    let footer = Footer::decode(&t[t.len() - FOOTER_LEN..]).expect("footer");
    let (o, s) = (footer.index.offset as usize, footer.index.size as usize);
    write("block_decoder", "index-block", &t[o..o + s]);

    // MANIFEST
    let edits = [
        VersionEdit {
            log_number: Some(3),
            next_file_number: Some(4),
            last_sequence: Some(0),
            ..Default::default()
        },
        VersionEdit {
            next_file_number: Some(8),
            last_sequence: Some(40),
            new_files: vec![(0, meta(5, "a", "m", 1)), (0, meta(6, "c", "z", 10))],
            ..Default::default()
        },
        VersionEdit {
            next_file_number: Some(9),
            deleted_files: vec![(0, 5), (0, 6)],
            new_files: vec![(1, meta(7, "a", "k", 1)), (1, meta(8, "l", "z", 10))],
            ..Default::default()
        },
        VersionEdit {
            log_number: Some(9),
            deleted_files: vec![(1, 7)],
            new_files: vec![(2, meta(7, "a", "k", 1))],
            ..Default::default()
        },
    ];
    let encoded: Vec<Vec<u8>> = edits.iter().map(VersionEdit::encoded).collect();
    write("manifest_reader", "manifest-stream", &log_of(&encoded));
    write("manifest_reader", "manifest-first", &log_of(&encoded[..1]));
    write("manifest_reader", "edit-raw", &encoded[2]);
    println!("seeds written under corpus/");
}
