//! A bump allocator for memtable nodes: memory is taken from large chunks
//! and never freed or moved until the whole arena is dropped, so a node's
//! address stays valid for as long as its memtable lives.
//!
//! One allocation per entry instead of three (key, value, skiplist node), no
//! per-allocation header, and entries inserted one after another sit next to
//! each other in memory.

/// Largest chunk size. An allocation larger than a quarter of the chunk
/// size gets a chunk of its own, so big values do not waste the rest of a
/// chunk.
const MAX_CHUNK_BYTES: usize = 1 << 20;

/// Smallest chunk size.
const MIN_CHUNK_BYTES: usize = 4 << 10;

/// A chunked bump allocator handing out 8-byte aligned blocks.
///
/// Not thread-safe by itself: the skiplist allocates only under its writer
/// lock. Readers never touch the `Arena`, only the memory it handed out.
pub(super) struct Arena {
    /// Every chunk allocated so far. `u64` elements make each chunk 8-byte
    /// aligned. The chunks' contents never move (only the `Box`es do when
    /// this vector grows).
    chunks: Vec<Box<[u64]>>,
    /// Next free byte of the current chunk.
    next: *mut u8,
    /// Free bytes left at `next`.
    remaining: usize,
    /// Size of a regular chunk.
    chunk_bytes: usize,
    /// Bytes handed out (including alignment padding).
    used: usize,
    /// Bytes of all chunks: the arena's memory footprint.
    allocated: usize,
}

// SAFETY: the raw pointer only points into `chunks`, which the arena owns;
// moving the arena to another thread moves that ownership with it.
unsafe impl Send for Arena {}

impl Arena {
    /// An empty arena taking memory in chunks of about `chunk_bytes`
    /// (clamped to 4 KiB..=1 MiB); the first allocation creates the first
    /// chunk.
    pub fn new(chunk_bytes: usize) -> Arena {
        Arena {
            chunks: Vec::new(),
            next: std::ptr::null_mut(),
            remaining: 0,
            chunk_bytes: chunk_bytes
                .clamp(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES)
                .next_multiple_of(8),
            used: 0,
            allocated: 0,
        }
    }

    /// Bytes handed out so far.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Bytes of memory held by the arena (at most one chunk more than
    /// [`Arena::used`], plus the unused tails of earlier chunks).
    #[cfg(test)]
    pub fn allocated(&self) -> usize {
        self.allocated
    }

    /// A block of `bytes` bytes, 8-byte aligned, zeroed, valid until the
    /// arena is dropped.
    pub fn allocate(&mut self, bytes: usize) -> *mut u8 {
        let bytes = bytes.max(1).next_multiple_of(8);
        self.used += bytes;
        if bytes > self.remaining {
            if bytes > self.chunk_bytes / 4 {
                // A dedicated chunk; the current one keeps its free space.
                return self.new_chunk(bytes);
            }
            self.next = self.new_chunk(self.chunk_bytes);
            self.remaining = self.chunk_bytes;
        }
        let p = self.next;
        // SAFETY: `bytes <= remaining`, so `p + bytes` stays within (or one
        // past the end of) the current chunk.
        self.next = unsafe { p.add(bytes) };
        self.remaining -= bytes;
        p
    }

    /// Allocates a zeroed chunk of at least `bytes` bytes and returns its
    /// start.
    fn new_chunk(&mut self, bytes: usize) -> *mut u8 {
        let words = bytes.div_ceil(8);
        let mut chunk = vec![0u64; words].into_boxed_slice();
        let p = chunk.as_mut_ptr().cast::<u8>();
        self.allocated += words * 8;
        self.chunks.push(chunk);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_disjoint_and_counted() {
        const CHUNK_BYTES: usize = MAX_CHUNK_BYTES;
        let mut a = Arena::new(CHUNK_BYTES);
        assert_eq!(a.allocated(), 0);
        let p1 = a.allocate(3) as usize;
        let p2 = a.allocate(16) as usize;
        assert_eq!(p1 % 8, 0);
        assert_eq!(p2, p1 + 8);
        assert_eq!(a.allocated(), CHUNK_BYTES);
        assert_eq!(a.used(), 24);
        // A large block gets its own chunk and leaves the current one be.
        let big = a.allocate(CHUNK_BYTES) as usize;
        assert_eq!(big % 8, 0);
        assert_eq!(a.allocated(), 2 * CHUNK_BYTES);
        let p3 = a.allocate(8) as usize;
        assert_eq!(p3, p2 + 16);
        // Filling the chunk starts a new one.
        let rest = a.remaining;
        a.allocate(rest);
        let p4 = a.allocate(8) as usize;
        assert_eq!(p4 % 8, 0);
        assert_eq!(a.allocated(), 3 * CHUNK_BYTES);
        assert_eq!(a.used(), 24 + CHUNK_BYTES + 8 + rest + 8);
        assert_eq!(Arena::new(1).chunk_bytes, MIN_CHUNK_BYTES);
    }
}
