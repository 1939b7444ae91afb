//! The put path up to the memtable: `Db::write_opt` with `sync: false` and a
//! write buffer large enough that no flush happens during the run. Each write
//! still appends one WAL record (a `write(2)` per group), so the single-put
//! figure is WAL append + memtable insert; the 100-entry batch amortises the
//! WAL append and approaches the memtable insert cost per entry.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use siltdb::{Db, Options, WriteBatch, WriteOptions};
use siltdb_benches::keys::format_key;
use siltdb_benches::rng::SplitMix64;

const VALUE_SIZE: usize = 100;
const KEY_SPACE: u64 = 1 << 40;

fn open() -> (tempfile::TempDir, Db) {
    let dir = tempfile::Builder::new()
        .prefix("siltdb-memtable-bench-")
        .tempdir()
        .expect("tempdir");
    let opts = Options {
        sync: false,
        write_buffer_size: 1 << 30,
        ..Options::default()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    (dir, db)
}

fn memtable_insert(c: &mut Criterion) {
    let mut value = vec![0u8; VALUE_SIZE];
    SplitMix64::new(1).fill(&mut value);
    let wo = WriteOptions { sync: false };
    let mut g = c.benchmark_group("memtable_insert");

    {
        let (_dir, db) = open();
        let mut rng = SplitMix64::new(2);
        let mut key = [0u8; 16];
        g.throughput(Throughput::Elements(1));
        g.bench_function("put_random_16B_key_100B_value", |b| {
            b.iter(|| {
                format_key(rng.below(KEY_SPACE), &mut key);
                let mut batch = WriteBatch::new();
                batch.put(&key, &value);
                db.write_opt(black_box(batch), wo).expect("write");
            })
        });
    }

    {
        let (_dir, db) = open();
        let mut rng = SplitMix64::new(3);
        let mut key = [0u8; 16];
        g.throughput(Throughput::Elements(100));
        g.bench_function("batch_of_100_random", |b| {
            b.iter_batched(
                || {
                    let mut batch = WriteBatch::new();
                    for _ in 0..100 {
                        format_key(rng.below(KEY_SPACE), &mut key);
                        batch.put(&key, &value);
                    }
                    batch
                },
                |batch| db.write_opt(batch, wo).expect("write"),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, memtable_insert);
criterion_main!(benches);
