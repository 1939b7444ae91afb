//! How fast compactions may write while synced writes run, steered by how
//! long those syncs take.
//!
//! A fixed fraction of `background_write_rate` is either too slow for the
//! device at hand (compactions fall behind and writers stall) or too fast
//! (synced writes queue behind compaction output). Instead the rate follows
//! the syncs, additive increase and multiplicative decrease as in TCP:
//! every [`WINDOW`] in which a compaction wrote, if more than one sync in
//! [`SLOW_PER`] took over [`SLOW_SYNC`], the rate halves (down to a
//! [`MIN_DIVISOR`]th of the configured rate); otherwise it grows by a
//! [`STEP_DIVISOR`]th of the configured rate (up to all of it). A window in
//! which no compaction wrote says nothing about compactions and leaves the
//! rate alone. While the tree is behind ([`BackOff::set_behind`]),
//! compactions get at least a [`START_DIVISOR`]th of the configured rate
//! whatever the controller's rate ([`BackOff::allowed`]).

use std::time::{Duration, Instant};

/// A foreground sync slower than this counts against the compaction rate.
/// A synced write waits for the group ahead of it and then its own, so
/// syncs within 1 ms keep writes within about 2 ms.
pub const SLOW_SYNC: Duration = Duration::from_millis(1);

/// A window is slow when more than one sync in this many is slow (the
/// share a p99 allows).
pub const SLOW_PER: u64 = 100;

/// How often the rate is reconsidered while syncs run.
pub const WINDOW: Duration = Duration::from_millis(100);

/// The rate never falls below the configured rate divided by this.
pub const MIN_DIVISOR: f64 = 32.0;

/// A fast window adds the configured rate divided by this: from the
/// floor to the full rate in about 25 s of fast windows. With 8 synced
/// writers beside a full compaction on this project's test machine, a
/// step of a thirty-second let the rate overshoot between cuts (synced p99
/// 2.7–2.8 ms, worse than the fixed eighth it replaced); a 256th kept it
/// at 1.3–1.6 ms (benches/RESULTS.md, "Compaction rate that follows the
/// syncs").
pub const STEP_DIVISOR: f64 = 256.0;

/// The rate starts at the configured rate divided by this: the fixed
/// back-off this controller replaced (an eighth; benches/RESULTS.md,
/// "Eight synced writers: the tail is compaction bandwidth").
pub const START_DIVISOR: f64 = 8.0;

/// The compaction rate while synced writes run, and the syncs seen in the
/// current window.
#[derive(Debug)]
pub struct BackOff {
    /// The configured rate in bytes per second: the ceiling.
    full: f64,
    /// Bytes per second compactions may write now while syncs run.
    rate: f64,
    window_start: Instant,
    syncs: u64,
    slow: u64,
    /// A compaction asked to write during this window.
    compacted: bool,
    /// Windows that halved the rate.
    cuts: u64,
    /// The tree owes compaction work writers will wait for.
    behind: bool,
}

impl BackOff {
    /// A controller for a limiter configured at `bytes_per_sec` (> 0).
    pub fn new(bytes_per_sec: u64, now: Instant) -> BackOff {
        let full = bytes_per_sec as f64;
        BackOff {
            full,
            rate: full / START_DIVISOR,
            window_start: now,
            syncs: 0,
            slow: 0,
            compacted: false,
            cuts: 0,
            behind: false,
        }
    }

    /// The controller's rate in bytes per second (before the floor of
    /// [`BackOff::allowed`]).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Bytes per second a compaction may write while syncs run: the
    /// controller's rate, but no less than a [`START_DIVISOR`]th of the
    /// configured rate while the tree is behind.
    pub fn allowed(&self) -> f64 {
        if self.behind {
            self.rate.max(self.full / START_DIVISOR)
        } else {
            self.rate
        }
    }

    /// Whether the tree is behind: writers will soon be slowed (L0 is
    /// filling up) or are being slowed or stopped.
    pub fn set_behind(&mut self, behind: bool) {
        self.behind = behind;
    }

    /// Windows so far that halved the rate.
    pub fn cuts(&self) -> u64 {
        self.cuts
    }

    /// Notes that a compaction asked to write.
    pub fn compacting(&mut self) {
        self.compacted = true;
    }

    /// Notes a foreground sync that ended at `now` after `took`, and closes
    /// the window if it is over.
    pub fn sync_ended(&mut self, took: Duration, now: Instant) {
        self.syncs += 1;
        if took > SLOW_SYNC {
            self.slow += 1;
        }
        if now.saturating_duration_since(self.window_start) < WINDOW {
            return;
        }
        if self.compacted {
            if self.slow * SLOW_PER > self.syncs {
                self.rate = (self.rate / 2.0).max(self.full / MIN_DIVISOR);
                self.cuts += 1;
            } else {
                self.rate = (self.rate + self.full / STEP_DIVISOR).min(self.full);
            }
        }
        self.window_start = now;
        self.syncs = 0;
        self.slow = 0;
        self.compacted = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: u64 = 256 << 20;
    const FAST: Duration = Duration::from_micros(300);
    const SLOW: Duration = Duration::from_millis(3);

    /// Runs one window of `syncs` syncs, `slow` of them slow, starting at
    /// `*now`, with or without a compaction writing.
    fn window(b: &mut BackOff, now: &mut Instant, syncs: u64, slow: u64, compacting: bool) {
        if compacting {
            b.compacting();
        }
        let step = WINDOW / u32::try_from(syncs).expect("small");
        for i in 0..syncs {
            *now += step;
            b.sync_ended(if i < slow { SLOW } else { FAST }, *now);
        }
    }

    #[test]
    fn slow_windows_halve_the_rate_down_to_the_floor() {
        let mut now = Instant::now();
        let mut b = BackOff::new(FULL, now);
        let start = b.rate();
        assert_eq!(start, FULL as f64 / START_DIVISOR);
        window(&mut b, &mut now, 200, 3, true);
        assert_eq!(b.rate(), start / 2.0);
        assert_eq!(b.cuts(), 1);
        for _ in 0..20 {
            window(&mut b, &mut now, 200, 50, true);
        }
        assert_eq!(b.rate(), FULL as f64 / MIN_DIVISOR);
    }

    #[test]
    fn fast_windows_raise_the_rate_up_to_the_ceiling() {
        let mut now = Instant::now();
        let mut b = BackOff::new(FULL, now);
        let start = b.rate();
        // One slow sync in 200 is within a p99.
        window(&mut b, &mut now, 200, 1, true);
        assert_eq!(b.rate(), start + FULL as f64 / STEP_DIVISOR);
        for _ in 0..STEP_DIVISOR as usize {
            window(&mut b, &mut now, 200, 0, true);
        }
        assert_eq!(b.rate(), FULL as f64);
        assert_eq!(b.cuts(), 0);
    }

    #[test]
    fn windows_without_compaction_leave_the_rate_alone() {
        let mut now = Instant::now();
        let mut b = BackOff::new(FULL, now);
        let start = b.rate();
        window(&mut b, &mut now, 200, 200, false);
        window(&mut b, &mut now, 200, 0, false);
        assert_eq!(b.rate(), start);
        // The flag lasts one window only.
        window(&mut b, &mut now, 200, 0, true);
        window(&mut b, &mut now, 200, 200, false);
        assert_eq!(b.rate(), start + FULL as f64 / STEP_DIVISOR);
    }

    #[test]
    fn a_window_closes_only_after_its_time() {
        let mut now = Instant::now();
        let mut b = BackOff::new(FULL, now);
        let start = b.rate();
        b.compacting();
        for _ in 0..1000 {
            now += Duration::from_micros(50);
            b.sync_ended(SLOW, now);
        }
        // 50 ms of slow syncs: the window is still open.
        assert_eq!(b.rate(), start);
        now += WINDOW;
        b.sync_ended(SLOW, now);
        assert_eq!(b.rate(), start / 2.0);
    }
}
