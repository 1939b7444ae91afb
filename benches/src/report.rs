//! One benchmark's result: throughput, latency, write amplification (from
//! the OS and, for siltdb, from its own counters), peak memory, and the
//! line `siltdb-bench` prints for it.

use std::fmt;
use std::time::Duration;

use siltdb::Stats;

use crate::engine::EngineKind;
use crate::histogram::Histogram;

/// siltdb's own account of the bytes it wrote, per user byte.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineWriteAmp {
    /// WAL bytes / user bytes.
    pub wal: f64,
    /// Bytes appended to blob files by writes (separated values) / user
    /// bytes.
    pub blob: f64,
    /// Flush (memtable → L0 table) bytes / user bytes.
    pub flush: f64,
    /// Compaction output bytes / user bytes.
    pub compaction: f64,
    /// Bytes blob garbage collection copied to new blob files / user bytes.
    pub blob_gc: f64,
}

impl EngineWriteAmp {
    /// The write amplification of the work between two [`Stats`]
    /// snapshots, over `user_bytes` (the key + value bytes the benchmark
    /// wrote); `None` if that is zero.
    pub fn between(before: &Stats, after: &Stats, user_bytes: u64) -> Option<EngineWriteAmp> {
        if user_bytes == 0 {
            return None;
        }
        let per = |a: u64, b: u64| a.saturating_sub(b) as f64 / user_bytes as f64;
        Some(EngineWriteAmp {
            wal: per(after.wal_bytes, before.wal_bytes),
            blob: per(after.blob_bytes, before.blob_bytes),
            flush: per(after.flush_bytes, before.flush_bytes),
            compaction: per(
                after.compaction_bytes_written,
                before.compaction_bytes_written,
            ),
            blob_gc: per(after.blob_gc_bytes_written, before.blob_gc_bytes_written),
        })
    }

    /// WAL + blob + flush + compaction + blob GC.
    pub fn total(&self) -> f64 {
        self.wal + self.blob + self.flush + self.compaction + self.blob_gc
    }

    /// Flush + compaction (RocksDB's "W-Amp" leaves the WAL out too).
    pub fn tables(&self) -> f64 {
        self.flush + self.compaction
    }
}

impl fmt::Display for EngineWriteAmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} (WAL {:.2}", self.total(), self.wal)?;
        if self.blob > 0.0 {
            write!(f, " + blob {:.2}", self.blob)?;
        }
        write!(
            f,
            " + flush {:.2} + compaction {:.2}",
            self.flush, self.compaction
        )?;
        if self.blob_gc > 0.0 {
            write!(f, " + blob GC {:.2}", self.blob_gc)?;
        }
        f.write_str(")")
    }
}

/// Bytes written to storage per user byte over some span of benchmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteAmp {
    /// Key + value bytes the benchmarks wrote.
    pub user_bytes: u64,
    /// Bytes the OS sent (or will send) to the device for this process:
    /// `/proc/self/io` write_bytes − cancelled_write_bytes. `None` where
    /// that file is unreadable.
    pub device_bytes: Option<u64>,
    /// siltdb's own counters; `None` for the peers.
    pub engine: Option<EngineWriteAmp>,
}

impl WriteAmp {
    /// device bytes / user bytes.
    pub fn os(&self) -> Option<f64> {
        let d = self.device_bytes?;
        (self.user_bytes > 0).then(|| d as f64 / self.user_bytes as f64)
    }
}

impl fmt::Display for WriteAmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.os(), self.device_bytes) {
            (Some(wa), Some(d)) => write!(
                f,
                "write-amp OS {wa:.2} ({:.1} MB to device for {:.1} MB)",
                d as f64 / 1e6,
                self.user_bytes as f64 / 1e6
            )?,
            _ => write!(f, "write-amp OS n/a")?,
        }
        if let Some(e) = self.engine {
            write!(f, ", siltdb stats {e}")?;
        }
        Ok(())
    }
}

/// The result of one benchmark.
#[derive(Debug)]
pub struct Report {
    /// The engine it ran on.
    pub engine: EngineKind,
    /// Benchmark name.
    pub name: String,
    /// Operations measured.
    pub ops: u64,
    /// Wall time of the measured operations (for `settle`: until idle).
    pub elapsed: Duration,
    /// Key + value bytes moved by the measured operations.
    pub bytes: u64,
    /// Key + value bytes the benchmark wrote, by measured and unmeasured
    /// threads alike: what write amplification divides by.
    pub user_bytes_written: u64,
    /// Latency of the measured operations, in nanoseconds.
    pub hist: Histogram,
    /// `(found, requested)` for reads.
    pub found: Option<(u64, u64)>,
    /// Write amplification over this benchmark, for writes.
    pub write_amp: Option<WriteAmp>,
    /// Write amplification since the fill that started this database
    /// (reported by `settle`).
    pub cumulative: Option<WriteAmp>,
    /// Peak resident memory during the benchmark (`VmHWM`, reset at its
    /// start where the kernel allows), in bytes.
    pub peak_rss: Option<u64>,
    /// The 1/5/15 minute load averages when the benchmark ended.
    pub load: Option<[f64; 3]>,
    /// Anything else worth a mention, appended to the line.
    pub extra: String,
}

impl Report {
    /// An empty report of `name` on `engine`.
    pub fn new(engine: EngineKind, name: &str) -> Report {
        Report {
            engine,
            name: name.to_string(),
            ops: 0,
            elapsed: Duration::ZERO,
            bytes: 0,
            user_bytes_written: 0,
            hist: Histogram::new(),
            found: None,
            write_amp: None,
            cumulative: None,
            peak_rss: None,
            load: None,
            extra: String::new(),
        }
    }

    /// Operations per second.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Megabytes (10^6 bytes) of keys and values per second.
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        if self.ops > 0 {
            write!(
                f,
                "{:<12} : {:>11.3} micros/op {:.0} ops/sec; {:7.1} MB/s; p50 {:.1} us p99 {:.1} us max {:.1} us",
                self.name,
                secs * 1e6 / self.ops as f64,
                self.ops_per_sec(),
                self.mb_per_sec(),
                self.hist.percentile(50.0) / 1000.0,
                self.hist.percentile(99.0) / 1000.0,
                self.hist.max() as f64 / 1000.0,
            )?;
        } else {
            write!(f, "{:<12} : {:>11.3} s", self.name, secs)?;
        }
        if let Some(w) = &self.write_amp {
            write!(f, "; {w}")?;
        }
        if let Some(c) = &self.cumulative {
            write!(f, "; cumulative since fill: {c}")?;
        }
        if let Some((found, req)) = self.found {
            write!(f, "; ({found} of {req} found)")?;
        }
        if let Some(p) = self.peak_rss {
            write!(f, "; peak RSS {:.1} MB", p as f64 / 1e6)?;
        }
        if !self.extra.is_empty() {
            write!(f, "; {}", self.extra)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_write_amp_splits_by_source() {
        let before = Stats::default();
        let after = Stats {
            wal_bytes: 110,
            flush_bytes: 100,
            compaction_bytes_written: 300,
            ..Stats::default()
        };
        let w = EngineWriteAmp::between(&before, &after, 100).expect("some");
        assert!((w.total() - 5.1).abs() < 1e-9);
        assert!((w.tables() - 4.0).abs() < 1e-9);
        assert_eq!(EngineWriteAmp::between(&before, &after, 0), None);
    }

    #[test]
    fn os_write_amp_is_device_over_user_bytes() {
        let w = WriteAmp {
            user_bytes: 1000,
            device_bytes: Some(2500),
            engine: None,
        };
        assert_eq!(w.os(), Some(2.5));
        let none = WriteAmp {
            device_bytes: None,
            ..w
        };
        assert_eq!(none.os(), None);
    }
}
