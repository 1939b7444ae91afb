#!/usr/bin/env python3
# Synced 120-byte appends + fdatasync (foreground) beside a process writing
# RATE MB/s (env, default 40) to another file in pieces, each piece then
# written back by MODE: srf (sync_file_range, no flush), fds (fdatasync),
# wr (nothing: kernel writeback). Prints the foreground fdatasync latency.
#   RATE=400 python3 benches/device-sync-latency.py none:0 srf:256 fds:1024
# (benches/RESULTS.md, "Background write-back in pieces")
import os, sys, time, ctypes, multiprocessing as mp
libc = ctypes.CDLL("libc.so.6", use_errno=True)
def bg(mode, piece, rate, stop_at, path):
    fd = os.open(path, os.O_WRONLY|os.O_CREAT|os.O_TRUNC, 0o644)
    buf = os.urandom(piece); off = 0; t0 = time.time(); last = 0
    while time.time() < stop_at:
        os.pwrite(fd, buf, off); off += piece
        if mode == 'srf': libc.sync_file_range(fd, ctypes.c_int64(last), ctypes.c_int64(off-last), 7); last = off
        elif mode == 'fds': os.fdatasync(fd)
        # pace
        target = t0 + off / rate
        d = target - time.time()
        if d > 0: time.sleep(d)
        if off > 512<<20: os.ftruncate(fd, 0); off = 0; last = 0; t0 = time.time()
    os.close(fd)
def fg(secs, path):
    fd = os.open(path, os.O_WRONLY|os.O_CREAT|os.O_TRUNC, 0o644)
    os.pwrite(fd, b'\0'*(64<<20), 0); os.fdatasync(fd)
    lat = []; off = 0; end = time.time()+secs
    while time.time() < end:
        os.pwrite(fd, b'x'*120, off); off += 120
        t = time.perf_counter(); os.fdatasync(fd); lat.append(time.perf_counter()-t)
    lat.sort(); n=len(lat)
    return n, lat[n//2]*1e3, lat[int(n*.99)]*1e3, lat[int(n*.999)]*1e3, lat[-1]*1e3
if __name__ == '__main__':
    secs = 8
    for mode, piece in [(a.split(':')[0], int(a.split(':')[1])<<10) for a in sys.argv[1:]]:
        stop = time.time()+secs+0.5
        p = None
        if mode != 'none':
            p = mp.Process(target=bg, args=(mode, piece, float(os.environ.get("RATE","40"))*1e6, stop, '/tmp/devt/bg.dat')); p.start(); time.sleep(0.3)
        r = fg(secs, '/tmp/devt/fg.dat')
        if p: p.join()
        print(f"{mode:5} {piece>>10:5}K  n={r[0]} p50 {r[1]:.2f} p99 {r[2]:.2f} p99.9 {r[3]:.2f} max {r[4]:.1f} ms", flush=True)
