//! Background I/O that backs off while synced writers are waiting (after
//! SILK, USENIX ATC 2019), so a user's fdatasync does not queue behind
//! megabytes of compaction output.
//!
//! - A token bucket caps all background writes at `bytes_per_sec`.
//! - While a synced WAL write is in flight (a [`ForegroundSync`] guard
//!   lives), or was in the last [`RECENT`], compactions run at a rate that
//!   follows how long those syncs take ([`back_off`]: halved while more
//!   than 1 % of them take over a millisecond, raised step by step while
//!   they do not) and write their output back in smaller pieces
//!   ([`Pacer::sync_every`]), so less compaction data sits in the device
//!   queue ahead of a user's sync. While the tree is behind (the database
//!   says so with [`RateLimiter::set_behind`]: L0 halfway from its
//!   compaction trigger to its slowdown trigger, or writes being slowed),
//!   that rate does not fall below an
//!   eighth of `bytes_per_sec`: those compactions are what the writers
//!   wait for (SILK likewise puts flushes and L0 compactions first).
//! - A compaction's write-back (and its final sync) waits for in-flight
//!   foreground syncs to finish, for
//!   at most [`MAX_YIELD`], so it starts in the gaps between them; under a
//!   steady stream of synced writes it still progresses, and the write
//!   path's back-pressure decides who waits.
//! - [`IoClass::Flush`] never backs off: a flush frees a memtable, and
//!   writers stall when none is free.
//!
//! Appends go to the page cache; only write-backs and syncs make the device
//! write, so only they wait. Output reaches the device in pieces of at most
//! `bytes_per_sync` (256 KiB by default; a quarter of it while backing off):
//! on this project's test machine, a synced 120-byte append's p99 beside a
//! writer saturating the device was 4.8 ms with 1 MiB pieces, 1.1–1.7 ms
//! with 256 KiB and 0.55 ms with 64 KiB (benches/RESULTS.md, "Background
//! write-back in pieces").

pub mod back_off;

use back_off::BackOff;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::waiters::Waiters;

/// Longest one compaction sync waits for foreground syncs to finish.
pub const MAX_YIELD: Duration = Duration::from_millis(10);

/// How long after a foreground sync compaction keeps backing off.
pub const RECENT: Duration = Duration::from_millis(100);

/// Compactions divide their sync interval by this while backing off.
pub const BACK_OFF: u64 = 4;

/// Who is asking to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoClass {
    /// A memtable flush: never yields to foreground syncs.
    Flush,
    /// A compaction: yields to foreground syncs.
    Compaction,
}

/// Shared by every flush and compaction of a database and by its WAL sync.
#[derive(Debug)]
pub struct RateLimiter {
    bytes_per_sec: u64,
    state: Mutex<State>,
    /// Signalled when the last in-flight foreground sync ends.
    idle: Waiters,
}

#[derive(Debug)]
struct State {
    /// Token bucket: bytes that may be written now (negative = debt).
    available: f64,
    last: Instant,
    /// Foreground syncs in flight.
    foreground: usize,
    /// When the last foreground sync ended (or began, while one runs).
    last_foreground: Option<Instant>,
    /// The compaction rate while foreground syncs run (`None` without a
    /// rate limit).
    back_off: Option<BackOff>,
    /// Counters, for tests and statistics.
    yields: u64,
    yield_time: Duration,
}

/// A writer's handle on a [`RateLimiter`]: the limiter and the class its
/// requests are made in.
#[derive(Debug, Clone)]
pub struct Pacer {
    limiter: Arc<RateLimiter>,
    class: IoClass,
}

impl Pacer {
    /// Requests through `limiter` as `class`.
    pub fn new(limiter: Arc<RateLimiter>, class: IoClass) -> Pacer {
        Pacer { limiter, class }
    }

    /// Blocks until `bytes` may be appended.
    pub fn request(&self, bytes: u64) {
        self.limiter.request(bytes, self.class);
    }

    /// Blocks until a sync may start (a compaction's waits for in-flight
    /// foreground syncs, up to [`MAX_YIELD`]).
    pub fn before_sync(&self) {
        self.limiter.before_sync(self.class);
    }

    /// Bytes to append between write-backs: `bytes_per_sync`, or a
    /// [`BACK_OFF`]th of it for a compaction while synced writes run.
    pub fn sync_every(&self, bytes_per_sync: u64) -> u64 {
        if self.class == IoClass::Compaction && self.limiter.foreground_recent() {
            (bytes_per_sync / BACK_OFF).max(1)
        } else {
            bytes_per_sync
        }
    }
}

/// Marks a foreground (user-visible) WAL sync in flight; dropping it ends it.
#[must_use = "the sync counts as in flight only while the guard lives"]
pub struct ForegroundSync<'a> {
    limiter: &'a RateLimiter,
    start: Instant,
}

impl Drop for ForegroundSync<'_> {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut s = self.limiter.lock();
        s.foreground = s.foreground.saturating_sub(1);
        s.last_foreground = Some(now);
        if let Some(b) = &mut s.back_off {
            b.sync_ended(now.saturating_duration_since(self.start), now);
        }
        if s.foreground == 0 {
            self.limiter.idle.notify_all();
        }
    }
}

impl RateLimiter {
    /// A limiter allowing `bytes_per_sec` on average, with bursts of up to
    /// 1/10 s worth of bytes. `0` means no rate limit (compactions still
    /// yield to foreground syncs).
    pub fn new(bytes_per_sec: u64) -> RateLimiter {
        let now = Instant::now();
        RateLimiter {
            bytes_per_sec,
            state: Mutex::new(State {
                available: 0.0,
                last: now,
                foreground: 0,
                last_foreground: None,
                back_off: (bytes_per_sec > 0).then(|| BackOff::new(bytes_per_sec, now)),
                yields: 0,
                yield_time: Duration::ZERO,
            }),
            idle: Waiters::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The configured rate (0 = unlimited).
    pub fn bytes_per_sec(&self) -> u64 {
        self.bytes_per_sec
    }

    /// Marks a foreground sync as in flight until the guard drops.
    pub fn foreground_sync(&self) -> ForegroundSync<'_> {
        let start = Instant::now();
        let mut s = self.lock();
        s.foreground += 1;
        s.last_foreground = Some(start);
        ForegroundSync {
            limiter: self,
            start,
        }
    }

    /// Tells the limiter whether the tree is behind: writers will soon be
    /// slowed (L0 is filling up) or are being slowed or stopped. While it is,
    /// compactions run at no less than [`back_off::START_DIVISOR`]th of the
    /// rate however slow the syncs are.
    pub fn set_behind(&self, behind: bool) {
        if let Some(b) = &mut self.lock().back_off {
            b.set_behind(behind);
        }
    }

    /// The controller's rate in bytes per second ([`BackOff::rate`]: while
    /// the tree is behind, compactions get at least an eighth of the
    /// configured rate whatever it says), and how many times it was halved
    /// because syncs were slow (`None` without a rate limit).
    pub fn compaction_back_off(&self) -> Option<(u64, u64)> {
        let s = self.lock();
        s.back_off.as_ref().map(|b| (b.rate() as u64, b.cuts()))
    }

    /// Compaction syncs that waited for a foreground sync, and how long
    /// they waited in total.
    pub fn yields(&self) -> (u64, Duration) {
        let s = self.lock();
        (s.yields, s.yield_time)
    }

    /// True while a foreground sync is in flight or ended less than
    /// [`RECENT`] ago.
    pub fn foreground_recent(&self) -> bool {
        let s = self.lock();
        Self::recent(&s)
    }

    fn recent(s: &State) -> bool {
        s.foreground > 0 || s.last_foreground.is_some_and(|t| t.elapsed() < RECENT)
    }

    /// Blocks until a sync by `class` may start.
    pub fn before_sync(&self, class: IoClass) {
        if class != IoClass::Compaction {
            return;
        }
        let mut s = self.lock();
        if s.foreground == 0 {
            return;
        }
        let start = Instant::now();
        let deadline = start + MAX_YIELD;
        while s.foreground > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            s = self.idle.wait_timeout(s, deadline - now);
        }
        s.yields += 1;
        s.yield_time += start.elapsed();
    }

    /// Blocks until `class` may append `bytes`.
    pub fn request(&self, bytes: u64, class: IoClass) {
        if self.bytes_per_sec == 0 || bytes == 0 {
            return;
        }
        let mut s = self.lock();
        let mut rate = self.bytes_per_sec as f64;
        if class == IoClass::Compaction {
            let recent = Self::recent(&s);
            if let Some(b) = &mut s.back_off {
                b.compacting();
                if recent {
                    rate = b.allowed();
                }
            }
        }
        let now = Instant::now();
        let elapsed = now.duration_since(s.last).as_secs_f64();
        s.last = now;
        s.available = (s.available + elapsed * rate).min(rate / 10.0);
        s.available -= bytes as f64;
        let wait = if s.available >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-s.available / rate)
        };
        drop(s);
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn unlimited_never_waits_without_foreground() {
        let r = RateLimiter::new(0);
        let t = Instant::now();
        r.request(u64::MAX, IoClass::Compaction);
        r.request(u64::MAX, IoClass::Flush);
        r.before_sync(IoClass::Compaction);
        assert!(t.elapsed() < Duration::from_secs(1));
        assert_eq!(r.yields().0, 0);
    }

    #[test]
    fn the_bucket_limits_the_rate() {
        // 10 MiB/s: 3 MiB past the 1 MiB burst take about 0.2 s or more.
        let r = RateLimiter::new(10 << 20);
        let t = Instant::now();
        for _ in 0..3 {
            r.request(1 << 20, IoClass::Flush);
        }
        assert!(
            t.elapsed() >= Duration::from_millis(150),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn compaction_syncs_wait_for_a_foreground_sync_and_flush_syncs_do_not() {
        let r = Arc::new(RateLimiter::new(0));
        let flush = Pacer::new(Arc::clone(&r), IoClass::Flush);
        let compaction = Pacer::new(Arc::clone(&r), IoClass::Compaction);
        assert!(!r.foreground_recent());
        assert_eq!(compaction.sync_every(1 << 20), 1 << 20);
        let guard = r.foreground_sync();
        assert!(r.foreground_recent());
        assert_eq!(compaction.sync_every(1 << 20), (1 << 20) / BACK_OFF);
        assert_eq!(flush.sync_every(1 << 20), 1 << 20);
        // Flushes and appends go ahead at once.
        let t = Instant::now();
        flush.before_sync();
        compaction.request(4096);
        assert!(t.elapsed() < MAX_YIELD);
        // A compaction sync waits until the foreground sync ends...
        let waiter = std::thread::spawn(move || {
            let t = Instant::now();
            compaction.before_sync();
            t.elapsed()
        });
        std::thread::sleep(Duration::from_millis(3));
        drop(guard);
        // (On a loaded machine the waiter may start only after the guard is
        // gone and then not wait at all; only the upper bound is certain.)
        let waited = waiter.join().expect("waiter");
        assert!(waited < MAX_YIELD + Duration::from_millis(50), "{waited:?}");
        let yields = r.yields().0;
        assert!(yields <= 1, "{yields}");
        // ...but never longer than MAX_YIELD: with a foreground sync that
        // never ends, a compaction sync waits MAX_YIELD and counts a yield.
        let _stuck = r.foreground_sync();
        let t = Instant::now();
        r.before_sync(IoClass::Compaction);
        let waited = t.elapsed();
        assert!(waited >= MAX_YIELD, "{waited:?}");
        assert_eq!(r.yields().0, yields + 1);
    }

    #[test]
    fn compactions_slow_down_after_foreground_syncs() {
        // 40 MiB/s; while a foreground sync runs, a compaction starts at
        // 5 MiB/s (back_off::START_DIVISOR): 3 MiB take about 0.6 s (0.3 s
        // at a quarter).
        let r = RateLimiter::new(40 << 20);
        let fg = r.foreground_sync();
        let t = Instant::now();
        for _ in 0..3 {
            r.request(1 << 20, IoClass::Compaction);
        }
        assert!(
            t.elapsed() >= Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        drop(fg);
        // A flush is not slowed: 3 MiB at 40 MiB/s past a 4 MiB burst.
        let r = RateLimiter::new(40 << 20);
        drop(r.foreground_sync());
        std::thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        for _ in 0..3 {
            r.request(1 << 20, IoClass::Flush);
        }
        assert!(
            t.elapsed() < Duration::from_millis(150),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn slow_foreground_syncs_slow_compactions_further() {
        // A rate so high that requests never sleep: only the controller
        // is under test. Every sync takes 2 ms, over back_off::SLOW_SYNC.
        let r = RateLimiter::new(1 << 40);
        let (start, cuts) = r.compaction_back_off().expect("limited");
        assert_eq!(cuts, 0);
        let t = Instant::now();
        while t.elapsed() < back_off::WINDOW * 3 + Duration::from_millis(20) {
            r.request(1, IoClass::Compaction);
            let sync = r.foreground_sync();
            std::thread::sleep(Duration::from_millis(2));
            drop(sync);
        }
        let (rate, cuts) = r.compaction_back_off().expect("limited");
        assert!(cuts >= 3, "{cuts}");
        // Three halvings from an eighth reach the floor, a thirty-second.
        assert_eq!(start, (1 << 40) / 8);
        assert_eq!(
            rate,
            (1u64 << 40) / back_off::MIN_DIVISOR as u64,
            "{cuts} cuts"
        );
        assert!(RateLimiter::new(0).compaction_back_off().is_none());
    }

    #[test]
    fn a_tree_behind_keeps_compactions_at_an_eighth() {
        // 40 MiB/s with the controller at its floor (1.25 MiB/s): 1 MiB
        // past the burst takes about 0.8 s, but while the tree is behind
        // compactions keep 5 MiB/s: 1 MiB takes about 0.2 s.
        let r = RateLimiter::new(40 << 20);
        let t = Instant::now();
        while t.elapsed() < back_off::WINDOW * 6 {
            r.request(1, IoClass::Compaction);
            let sync = r.foreground_sync();
            std::thread::sleep(Duration::from_millis(2));
            drop(sync);
        }
        let (rate, _) = r.compaction_back_off().expect("limited");
        assert_eq!(rate, (40 << 20) / back_off::MIN_DIVISOR as u64);
        r.set_behind(true);
        let _sync = r.foreground_sync();
        let t = Instant::now();
        for _ in 0..4 {
            r.request(256 << 10, IoClass::Compaction);
        }
        let behind = t.elapsed();
        r.set_behind(false);
        let t = Instant::now();
        for _ in 0..4 {
            r.request(256 << 10, IoClass::Compaction);
        }
        let not_behind = t.elapsed();
        assert!(behind < Duration::from_millis(400), "{behind:?}");
        assert!(not_behind >= Duration::from_millis(600), "{not_behind:?}");
    }
}
