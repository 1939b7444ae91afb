//! The table bloom filter: build one over 100k user keys at 10 bits/key,
//! then probe keys that were added (hits) and keys that were not (misses;
//! a "maybe" answer here is a false positive, whose rate is printed once).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use siltdb::low_level::sstable::{Filter, FilterBuilder};
use siltdb_benches::keys::make_key;
use siltdb_benches::rng::SplitMix64;

const KEYS: u64 = 100_000;
const BITS_PER_KEY: u32 = 10;

fn bloom_probe(c: &mut Criterion) {
    let hits: Vec<Vec<u8>> = (0..KEYS).map(|i| make_key(i * 2, 16)).collect();
    let misses: Vec<Vec<u8>> = (0..KEYS).map(|i| make_key(i * 2 + 1, 16)).collect();
    let mut fb = FilterBuilder::new(BITS_PER_KEY);
    for k in &hits {
        fb.add(k);
    }
    let filter = Filter::new(fb.finish()).expect("valid filter");
    assert!(hits.iter().all(|k| filter.may_contain(k)), "false negative");
    let fp = misses.iter().filter(|k| filter.may_contain(k)).count();
    println!(
        "bloom_probe: {KEYS} keys, {BITS_PER_KEY} bits/key, {} probes: false-positive rate {:.3}%",
        filter.num_probes(),
        fp as f64 * 100.0 / KEYS as f64
    );

    let mut g = c.benchmark_group("bloom_probe");
    g.throughput(Throughput::Elements(1));
    let mut rng = SplitMix64::new(11);
    g.bench_function("hit", |b| {
        b.iter(|| {
            let k = &hits[rng.below(KEYS) as usize];
            black_box(filter.may_contain(k))
        })
    });
    g.bench_function("miss", |b| {
        b.iter(|| {
            let k = &misses[rng.below(KEYS) as usize];
            black_box(filter.may_contain(k))
        })
    });
    g.throughput(Throughput::Elements(KEYS));
    g.bench_function("finish_100k_keys", |b| {
        b.iter(|| black_box(fb.finish().len()))
    });
    g.finish();
}

criterion_group!(benches, bloom_probe);
criterion_main!(benches);
