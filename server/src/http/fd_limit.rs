//! The open-file limit: raised at start so connections do not run out of
//! file descriptors before the connection limit is reached.
//!
//! Many systems start processes with a soft `RLIMIT_NOFILE` of 1024 and a
//! far higher hard limit; 1,100 idle connections used to exhaust the soft
//! one, and normal clients then timed out. `siltdb serve` raises the soft
//! limit to the hard one (at most 1,048,576, the Linux default ceiling
//! `fs.nr_open`) and keeps its connection limit below what remains.

/// File descriptors kept for everything but client connections: the
/// database's files, the listener, standard streams, logs.
pub const RESERVED_FDS: u64 = 256;

/// Raises the soft open-file limit to the hard limit; returns the soft
/// limit in force afterwards (`None` where it cannot be read).
#[cfg(unix)]
#[allow(
    clippy::useless_conversion,
    reason = "rlim_t is u64 on Linux and macOS, but not on every Unix"
)]
pub fn raise_open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` through a valid pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        tracing::warn!(
            "cannot read the open-file limit: {}",
            std::io::Error::last_os_error()
        );
        return None;
    }
    let ceiling: libc::rlim_t = 1 << 20;
    let target = limit.rlim_max.min(ceiling);
    if target > limit.rlim_cur {
        let raised = libc::rlimit {
            rlim_cur: target,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `setrlimit` reads one `rlimit` through a valid pointer.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            tracing::debug!("open-file limit raised from {} to {target}", limit.rlim_cur);
            return Some(u64::from(target));
        }
        tracing::warn!(
            "cannot raise the open-file limit from {} to {target}: {}",
            limit.rlim_cur,
            std::io::Error::last_os_error()
        );
    }
    Some(u64::from(limit.rlim_cur))
}

/// Elsewhere the limit is left as it is.
#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

/// The connection limit to use under an open-file limit of `fds`: at most
/// `fds` minus [`RESERVED_FDS`] (and at least 1).
pub fn connections_within(fds: Option<u64>, wanted: usize) -> usize {
    match fds {
        Some(fds) => {
            let room = usize::try_from(fds.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
            wanted.min(room).max(1)
        }
        None => wanted.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::useless_conversion, reason = "as above")]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let after = raise_open_file_limit();
        #[cfg(unix)]
        {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: as in `raise_open_file_limit`.
            assert_eq!(
                unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
                0
            );
            assert_eq!(after, Some(u64::from(limit.rlim_cur)));
            assert_eq!(limit.rlim_cur, limit.rlim_max.min(1 << 20));
        }
    }

    #[test]
    fn connections_leave_room_for_files() {
        assert_eq!(connections_within(Some(1024), 4096), 768);
        assert_eq!(connections_within(Some(100_000), 4096), 4096);
        assert_eq!(connections_within(Some(10), 4096), 1);
        assert_eq!(connections_within(None, 4096), 4096);
    }
}
