//! The buffer a body of unknown length is read into (docs/architecture.md, "Streamed bodies",
//! its Copies paragraph).
//!
//! It grows by `realloc` of the platform allocator (`std::alloc::System`, whatever the global
//! allocator is): glibc and musl move a large block with `mremap`, so growing a 256 MiB body
//! neither copies it again nor holds two copies at once, and the pages it never reached cost
//! nothing. Collecting the chunks and joining them at the end held the body twice (chunks and
//! joined copy, +2× the body in RSS) and took twice the page faults.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::NonNull;

use bytes::Bytes;

/// The first allocation: most bodies that arrive in several chunks are small.
const MIN_CAPACITY: usize = 16 * 1024;

/// Bytes in one block of the platform allocator; becomes [`Bytes`] without a copy.
pub struct BodyBuffer {
    ptr: NonNull<u8>,
    len: usize,
    capacity: usize,
}

// SAFETY: the buffer owns its block; nothing else points into it.
unsafe impl Send for BodyBuffer {}
unsafe impl Sync for BodyBuffer {}

/// The platform allocator refused memory.
#[derive(Debug)]
pub struct OutOfMemory;

impl BodyBuffer {
    pub fn new() -> Self {
        BodyBuffer {
            ptr: NonNull::dangling(),
            len: 0,
            capacity: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes`, growing the block (at least doubling, at most to `cap` bytes, which must
    /// be at least the new length).
    pub fn extend(&mut self, bytes: &[u8], cap: usize) -> Result<(), OutOfMemory> {
        let needed = self.len.checked_add(bytes.len()).ok_or(OutOfMemory)?;
        if needed > self.capacity {
            let doubled = self.capacity.saturating_mul(2).max(MIN_CAPACITY);
            self.grow(doubled.min(cap).max(needed))?;
        }
        // SAFETY: the block holds `capacity >= needed` bytes, and `bytes` cannot overlap it
        // (nothing outside this buffer points into it).
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                bytes.len(),
            );
        }
        self.len = needed;
        Ok(())
    }

    fn grow(&mut self, capacity: usize) -> Result<(), OutOfMemory> {
        let layout = Layout::array::<u8>(capacity).map_err(|_| OutOfMemory)?;
        // SAFETY: `capacity > self.capacity >= 0`, so the size is not zero; an existing block
        // was allocated by `System` with the layout of `self.capacity` bytes, alignment 1.
        let ptr = unsafe {
            if self.capacity == 0 {
                System.alloc(layout)
            } else {
                let old = Layout::array::<u8>(self.capacity).map_err(|_| OutOfMemory)?;
                System.realloc(self.ptr.as_ptr(), old, capacity)
            }
        };
        self.ptr = NonNull::new(ptr).ok_or(OutOfMemory)?;
        self.capacity = capacity;
        Ok(())
    }

    /// The bytes read, without a copy.
    pub fn freeze(self) -> Bytes {
        if self.is_empty() {
            return Bytes::new();
        }
        Bytes::from_owner(self)
    }
}

impl Default for BodyBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl AsRef<[u8]> for BodyBuffer {
    fn as_ref(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the first `len` bytes of the block were written by `extend`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for BodyBuffer {
    fn drop(&mut self) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(layout) = Layout::array::<u8>(self.capacity) {
            // SAFETY: allocated by `System` with this layout.
            unsafe { System.dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_across_many_appends_and_keeps_every_byte() {
        let mut buffer = BodyBuffer::new();
        let mut want = Vec::new();
        for i in 0..2000u32 {
            let chunk: Vec<u8> = (0..(i % 97) * 13).map(|j| (i + j) as u8).collect();
            buffer.extend(&chunk, usize::MAX).unwrap();
            want.extend_from_slice(&chunk);
        }
        assert_eq!(buffer.len(), want.len());
        let bytes = buffer.freeze();
        assert_eq!(&bytes[..], &want[..]);
        assert_eq!(&bytes.slice(10..20)[..], &want[10..20]);
    }

    #[test]
    fn never_grows_past_the_cap_and_empty_is_empty() {
        let mut buffer = BodyBuffer::new();
        buffer.extend(&[1; 10], 10).unwrap();
        assert_eq!(buffer.capacity, 10);
        buffer.extend(&[2; 5], 10).unwrap();
        assert_eq!(buffer.capacity, 15, "the cap never refuses the bytes given");
        assert!(BodyBuffer::new().freeze().is_empty());
    }
}
