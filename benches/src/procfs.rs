//! What the kernel says this process did: bytes sent to storage
//! (`/proc/self/io`), peak resident memory (`VmHWM` in `/proc/self/status`)
//! and the machine's load (`/proc/loadavg`). Linux only; elsewhere every
//! reader returns `None` and the driver prints "n/a".

use std::fs;

/// Storage write counters of this process (all threads, including exited
/// ones), from `/proc/self/io`.
///
/// `write_bytes` is charged when a page of the page cache is first dirtied
/// (or a direct write is issued), so an overwrite of a still-dirty page is
/// counted once, a write to a page already written back is counted again,
/// and `cancelled_write_bytes` is what truncating or deleting dirty pages
/// saved before they reached the device. `write_bytes -
/// cancelled_write_bytes` is what this process made the device write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoCounters {
    /// Bytes this process caused to be sent to the storage layer.
    pub write_bytes: u64,
    /// Of those, bytes never written because the dirty pages were dropped.
    pub cancelled_write_bytes: u64,
}

impl IoCounters {
    /// The counters now; `None` where `/proc/self/io` is unreadable.
    pub fn now() -> Option<IoCounters> {
        IoCounters::parse(&fs::read_to_string("/proc/self/io").ok()?)
    }

    /// Parses the text of `/proc/<pid>/io`.
    pub fn parse(text: &str) -> Option<IoCounters> {
        Some(IoCounters {
            write_bytes: field(text, "write_bytes:")?,
            cancelled_write_bytes: field(text, "cancelled_write_bytes:")?,
        })
    }

    /// Bytes sent to the device between `before` and `self`: the growth of
    /// `write_bytes` minus that of `cancelled_write_bytes`.
    pub fn device_bytes_since(&self, before: &IoCounters) -> u64 {
        let written = self.write_bytes.saturating_sub(before.write_bytes);
        let cancelled = self
            .cancelled_write_bytes
            .saturating_sub(before.cancelled_write_bytes);
        written.saturating_sub(cancelled)
    }
}

/// The first number after the line starting with `name` (e.g. `"VmHWM:"`).
fn field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Peak and current resident memory of this process, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// `VmHWM`: the peak resident set since start or the last
    /// [`reset_peak_rss`].
    pub peak_rss: u64,
    /// `VmRSS`: resident now.
    pub rss: u64,
}

impl Memory {
    /// The figures now; `None` where `/proc/self/status` is unreadable.
    pub fn now() -> Option<Memory> {
        Memory::parse(&fs::read_to_string("/proc/self/status").ok()?)
    }

    /// Parses the text of `/proc/<pid>/status` (figures there are in kB).
    pub fn parse(text: &str) -> Option<Memory> {
        Some(Memory {
            peak_rss: field(text, "VmHWM:")? * 1024,
            rss: field(text, "VmRSS:")? * 1024,
        })
    }
}

/// Resets `VmHWM` to the current resident set (writing `5` to
/// `/proc/self/clear_refs`, Linux 4.0+), so the next [`Memory::now`] gives
/// the peak of what ran in between. `false` if the kernel refused: the peak
/// then covers the whole process so far.
pub fn reset_peak_rss() -> bool {
    fs::write("/proc/self/clear_refs", b"5").is_ok()
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), as `uptime`
/// prints them.
pub fn load_average() -> Option<[f64; 3]> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_io() {
        let text = "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 1\nread_bytes: 0\n\
                    write_bytes: 8192\ncancelled_write_bytes: 4096\n";
        let c = IoCounters::parse(text).expect("parse");
        assert_eq!(c.write_bytes, 8192);
        assert_eq!(c.cancelled_write_bytes, 4096);
        let later = IoCounters {
            write_bytes: 8192 + 10_000,
            cancelled_write_bytes: 4096 + 1_000,
        };
        assert_eq!(later.device_bytes_since(&c), 9_000);
    }

    #[test]
    fn parses_status_in_kb() {
        let text = "Name:\tx\nVmPeak:\t  10 kB\nVmHWM:\t    2252 kB\nVmRSS:\t    2000 kB\n";
        assert_eq!(
            Memory::parse(text),
            Some(Memory {
                peak_rss: 2252 * 1024,
                rss: 2000 * 1024
            })
        );
    }

    #[test]
    fn missing_fields_are_none() {
        assert_eq!(IoCounters::parse("rchar: 1\n"), None);
        assert_eq!(Memory::parse("VmRSS: 1 kB\n"), None);
    }
}
