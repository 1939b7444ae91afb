//! A token-bucket rate limiter for background (flush and compaction) writes,
//! so foreground WAL syncs keep their latency while compaction runs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits the rate of bytes written by background work.
///
/// Shared by every flush and compaction; each caller asks for its bytes before
/// writing them and sleeps until the bucket has them.
#[derive(Debug)]
pub struct RateLimiter {
    bytes_per_sec: u64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    available: f64,
    last: Instant,
}

impl RateLimiter {
    /// A limiter allowing `bytes_per_sec` on average, with bursts of up to
    /// 1/10 s worth of bytes. `0` means unlimited.
    pub fn new(bytes_per_sec: u64) -> RateLimiter {
        RateLimiter {
            bytes_per_sec,
            state: Mutex::new(Bucket {
                available: 0.0,
                last: Instant::now(),
            }),
        }
    }

    /// The configured rate (0 = unlimited).
    pub fn bytes_per_sec(&self) -> u64 {
        self.bytes_per_sec
    }

    /// Blocks until `bytes` may be written.
    pub fn request(&self, bytes: u64) {
        if self.bytes_per_sec == 0 {
            return;
        }
        let rate = self.bytes_per_sec as f64;
        let burst = rate / 10.0;
        let wait = {
            let mut b = match self.state.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            let now = Instant::now();
            let elapsed = now.duration_since(b.last).as_secs_f64();
            b.last = now;
            b.available = (b.available + elapsed * rate).min(burst);
            b.available -= bytes as f64;
            if b.available >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-b.available / rate)
            }
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_never_waits_and_limited_accumulates_debt() {
        let r = RateLimiter::new(0);
        r.request(u64::MAX);
        let r = RateLimiter::new(1 << 30);
        r.request(1);
        let b = r.state.lock().expect("not poisoned");
        assert!(b.available < 0.0 || b.available <= (1u64 << 30) as f64 / 10.0);
    }
}
