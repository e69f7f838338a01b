//! [`BufferPool`]: buffers that go round between the JavaScript thread and the runtime's
//! workers instead of being allocated on one thread and freed on another.
//!
//! A buffer `malloc`ed on one thread and `free`d on another goes back to another thread's
//! arena: per buffer of ~100 KiB, perf put allocator time at a sixth of a stream's reading
//! thread (event batches, made on a worker and copied into V8), and page faults at a few per
//! stdin chunk (copied on the JavaScript thread, written out on a worker).

use std::sync::{Arc, Mutex};

/// Idle buffers of one stream.
#[derive(Debug)]
pub(crate) struct BufferPool {
    idle: Mutex<Vec<Vec<u8>>>,
    /// How many idle buffers are kept: about as many as the stream has in flight at once, so
    /// that the pool holds no more memory than the stream itself did.
    keep: usize,
}

impl BufferPool {
    /// A pool that keeps at most `keep` idle buffers.
    pub(crate) fn new(keep: usize) -> Arc<BufferPool> {
        Arc::new(BufferPool {
            idle: Mutex::new(Vec::new()),
            keep,
        })
    }

    /// An empty buffer, with the capacity it had if it was used before.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop())
            .unwrap_or_default()
    }

    /// Keeps `bytes` for a later [`take`](Self::take), unless the pool is full.
    pub(crate) fn give_back(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.keep
        {
            idle.push(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_go_round_and_the_pool_keeps_only_a_few() {
        let pool = BufferPool::new(1);
        let mut first = pool.take();
        first.extend_from_slice(b"first");
        let (capacity, address) = (first.capacity(), first.as_ptr());
        pool.give_back(first);
        let second = pool.take();
        assert_eq!(second.as_ptr(), address, "the buffer was reused");
        assert_eq!(second.capacity(), capacity);
        assert!(second.is_empty());
        pool.give_back(vec![0; 8]);
        pool.give_back(vec![0; 8]);
        assert_eq!(pool.idle.lock().unwrap().len(), 1);
    }
}
