"""Drops every file under a directory from the page cache
(posix_fadvise DONTNEED), so the next reads of it go to the disk."""
import os
import sys

n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        fd = os.open(os.path.join(root, f), os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        n += 1
print("evicted", n, "files")
