//! Data blocks: build a 4 KiB block of about 100 entries with
//! [`BlockBuilder`] (16-byte user keys + 8-byte trailer, 16-byte values,
//! restart interval 16, as the table builder does), and seek random keys in
//! it with [`BlockIter`].

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use siltdb::low_level::key::{make_internal_key, ValueKind, KIND_FOR_SEEK, MAX_SEQUENCE};
use siltdb::low_level::sstable::{Block, BlockBuilder};
use siltdb_benches::keys::make_key;
use siltdb_benches::rng::SplitMix64;

const BLOCK_SIZE: usize = 4096;
const RESTART_INTERVAL: usize = 16;
const VALUE_SIZE: usize = 16;

/// Sorted internal keys and values filling one block: keys cut the block as
/// soon as it reaches `BLOCK_SIZE`, as `TableBuilder` does.
fn entries() -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut rng = SplitMix64::new(9);
    let mut b = BlockBuilder::new(RESTART_INTERVAL);
    let mut out = Vec::new();
    let mut idx = 1_000_000u64;
    while b.current_size_estimate() < BLOCK_SIZE {
        idx += 1 + rng.below(7);
        let k = make_internal_key(&make_key(idx, 16), 1000 + idx, ValueKind::Value);
        let mut v = vec![0u8; VALUE_SIZE];
        rng.fill(&mut v);
        b.add(&k, &v);
        out.push((k, v));
    }
    out
}

fn block_build_seek(c: &mut Criterion) {
    let es = entries();
    let mut g = c.benchmark_group("block_build_seek");

    let mut builder = BlockBuilder::new(RESTART_INTERVAL);
    g.throughput(Throughput::Elements(es.len() as u64));
    g.bench_function(format!("build_{}_entries", es.len()), |b| {
        b.iter(|| {
            builder.reset();
            for (k, v) in &es {
                builder.add(k, v);
            }
            black_box(builder.finish().len())
        })
    });

    builder.reset();
    for (k, v) in &es {
        builder.add(k, v);
    }
    let data = builder.finish().to_vec();
    let block = Arc::new(Block::new(data).expect("valid block"));
    let targets: Vec<Vec<u8>> = es
        .iter()
        .map(|(k, _)| make_internal_key(&k[..16], MAX_SEQUENCE, KIND_FOR_SEEK))
        .collect();
    let mut rng = SplitMix64::new(10);

    g.throughput(Throughput::Elements(1));
    let mut it = block.iter();
    g.bench_function("seek_random_existing", |b| {
        b.iter(|| {
            let t = &targets[rng.below(targets.len() as u64) as usize];
            it.seek(t).expect("seek");
            debug_assert!(it.valid());
            black_box(it.value().len())
        })
    });

    g.bench_function("new_iter_and_seek_random", |b| {
        b.iter(|| {
            let t = &targets[rng.below(targets.len() as u64) as usize];
            let mut it = block.iter();
            it.seek(t).expect("seek");
            black_box(it.value().len())
        })
    });
    g.finish();
}

criterion_group!(benches, block_build_seek);
criterion_main!(benches);
