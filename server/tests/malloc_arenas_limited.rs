//! `siltdb serve` limits glibc's malloc to two arenas before it starts any
//! thread (`siltdb_server::malloc::arenas`): threads started after the limit
//! share the arenas that exist instead of each making its own, whose freed
//! memory no other thread would reuse. The soak test measured the resident
//! set more than three times the caches and memtables without it.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::sync::{Arc, Barrier};

use siltdb_server::malloc::arenas::{limit, ARENAS};

/// How many arenas glibc's malloc has, from `malloc_info`'s report.
fn arenas() -> usize {
    let mut buf: *mut libc::c_char = std::ptr::null_mut();
    let mut len: libc::size_t = 0;
    // SAFETY: open_memstream writes `buf` and `len` on fclose; the buffer
    // is then `len` bytes we own and free once copied.
    let report = unsafe {
        let f = libc::open_memstream(&mut buf, &mut len);
        assert!(!f.is_null(), "open_memstream");
        assert_eq!(libc::malloc_info(0, f), 0, "malloc_info");
        assert_eq!(libc::fclose(f), 0, "fclose");
        let bytes = std::slice::from_raw_parts(buf.cast::<u8>(), len).to_vec();
        libc::free(buf.cast());
        String::from_utf8_lossy(&bytes).into_owned()
    };
    report.matches("<heap nr=").count()
}

#[test]
fn threads_started_after_the_limit_share_two_arenas() {
    assert!(
        std::env::var_os("MALLOC_ARENA_MAX").is_none(),
        "run without MALLOC_ARENA_MAX: it would decide instead"
    );
    assert!(limit(), "the limit is set");
    let threads = 8;
    let all_allocated = Arc::new(Barrier::new(threads + 1));
    let done = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (all_allocated, done) = (all_allocated.clone(), done.clone());
            std::thread::spawn(move || {
                // Small blocks, which come from an arena (large ones are
                // mapped on their own).
                let held: Vec<Box<[u8; 64]>> = (0..1000).map(|_| Box::new([1; 64])).collect();
                all_allocated.wait();
                done.wait();
                drop(held);
            })
        })
        .collect();
    all_allocated.wait();
    let n = arenas();
    done.wait();
    handles.into_iter().for_each(|h| h.join().expect("thread"));
    assert!(n <= ARENAS as usize, "{n} arenas");
}
