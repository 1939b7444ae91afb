//! A process's memory as Linux reports it in `/proc/PID/status`.

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size (`VmRSS`): anonymous + file-backed + shared.
    pub rss: u64,
    /// Anonymous resident memory (`RssAnon`): the heap and stacks.
    pub anon: u64,
    /// File-backed resident memory (`RssFile`): mapped files and the binary.
    pub file: u64,
    /// Peak resident set size (`VmHWM`).
    pub peak: u64,
}

impl Memory {
    /// The memory of process `pid` now, or `None` if it cannot be read.
    pub fn of(pid: u32) -> Option<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some(Memory {
            rss: field("VmRSS:")?,
            anon: field("RssAnon:")?,
            file: field("RssFile:")?,
            peak: field("VmHWM:")?,
        })
    }
}
