//! Per-thread scratch values for the hot paths: the one place the crate keeps per-thread state.
//!
//! The `*_into` paths need working space (a claims buffer, a decoded container, a zlib stream)
//! and must not allocate once warm. They borrow it from this thread's pool: [`bytes`] lends a
//! `Vec<u8>`, [`zlib`] the inflate/deflate streams, [`lend`] any other [`Pooled`] value. The [`Lent`] guard
//! dereferences to the value and gives it back when dropped.
//!
//! **The one re-entrancy rule:** a guard owns its value until it is dropped; taking another one
//! while it is out (a nested call, a clock or random source that mints, code run during thread
//! exit) gets a different value: the next one in the pool, or a new empty one, which allocates
//! only once it is written to. So nesting never panics, never shares a buffer, and costs nothing
//! but a fresh buffer.
//!
//! The pool is a stack: guards dropped in the reverse order of taking (as locals in one scope
//! are) leave it as it was, so every call of a hot path gets back the very buffers, with the
//! capacities, it had last time (`tests/alloc_free.rs` relies on that).
//!
//! **On return** a value is cleared (the next user always starts empty), and a buffer that grew
//! past [`KEEP_BYTES`] is dropped instead, so one huge token does not pin memory. No secret enters
//! a lent value: keys, key schedules, HMAC states and derived keys live in zeroizing types (the
//! minters' and verifiers' own fields, `Zeroizing` locals); the buffers hold token text, claims,
//! containers and ciphertext, which the caller receives anyway. A buffer that ever has to hold
//! secret-derived bytes must wipe them before its guard drops.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

use flate2::{Compress, Decompress};

/// Buffers with more capacity than this are released instead of kept.
pub(crate) const KEEP_BYTES: usize = 64 * 1024;

/// At most this many idle values of each kind stay in a thread's pool.
const KEEP_COUNT: usize = 8;

/// The zlib streams a thread reuses (Agora): each is built on first use and reset per token.
#[derive(Default)]
pub(crate) struct Zlib {
    /// The inflater of the decoders.
    pub(crate) inflater: Option<Decompress>,
    /// The deflater of the `Deflate` compression, with its level.
    pub(crate) deflater: Option<(u8, Compress)>,
}

thread_local! {
    static BYTES: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    static ZLIB: RefCell<Vec<Zlib>> = const { RefCell::new(Vec::new()) };
}

/// A value kept in a per-thread pool.
pub(crate) trait Pooled: Default + 'static {
    /// This thread's pool of the type.
    fn pool() -> &'static LocalKey<RefCell<Vec<Self>>>;
    /// Readies the value for its next user; `false` drops it instead.
    fn recycle(&mut self) -> bool;
}

impl Pooled for Vec<u8> {
    fn pool() -> &'static LocalKey<RefCell<Vec<Self>>> {
        &BYTES
    }
    fn recycle(&mut self) -> bool {
        self.clear();
        self.capacity() <= KEEP_BYTES
    }
}

impl Pooled for Zlib {
    fn pool() -> &'static LocalKey<RefCell<Vec<Self>>> {
        &ZLIB
    }
    fn recycle(&mut self) -> bool {
        // The streams are reset by their users before each token.
        true
    }
}

/// A value lent from this thread's pool; given back (cleared) when dropped.
pub(crate) struct Lent<T: Pooled> {
    value: T,
}

/// Lends an empty `Vec<u8>`.
pub(crate) fn bytes() -> Lent<Vec<u8>> {
    take()
}

/// Lends this thread's zlib streams.
pub(crate) fn zlib() -> Lent<Zlib> {
    take()
}

/// Lends a value of any pooled type (the batch line state uses it).
pub(crate) fn lend<T: Pooled>() -> Lent<T> {
    take()
}

fn take<T: Pooled>() -> Lent<T> {
    let value = T::pool()
        .try_with(|pool| pool.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten()
        .unwrap_or_default();
    Lent { value }
}

impl<T: Pooled> Drop for Lent<T> {
    fn drop(&mut self) {
        let mut value = std::mem::take(&mut self.value);
        if !value.recycle() {
            return;
        }
        // During thread exit the pool may be gone: then the value is simply dropped.
        let _ = T::pool().try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut()
                && pool.len() < KEEP_COUNT
            {
                pool.push(value);
            }
        });
    }
}

impl<T: Pooled> Deref for Lent<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Pooled> DerefMut for Lent<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nested_takes_get_different_buffers_and_come_back_empty() {
        let mut a = bytes();
        a.extend_from_slice(b"outer");
        {
            let mut b = bytes();
            assert!(b.is_empty());
            b.extend_from_slice(b"inner");
            assert_eq!(a.as_slice(), b"outer");
        }
        assert_eq!(a.as_slice(), b"outer");
        let ptr = a.as_ptr();
        drop(a);
        // The most recently returned buffer is lent next, cleared, with its capacity.
        let c = bytes();
        assert!(c.is_empty());
        assert_eq!(c.as_ptr(), ptr);
        assert!(c.capacity() >= 5);
    }

    #[test]
    fn large_buffers_are_not_kept() {
        {
            let mut big = bytes();
            big.resize(KEEP_BYTES + 1, 7);
        }
        let again = bytes();
        assert!(again.capacity() <= KEEP_BYTES);
        let mut b = bytes();
        b.push(b'x');
        drop(b);
        assert!(bytes().is_empty());
    }

    #[test]
    fn the_pool_is_bounded() {
        let many: Vec<_> = (0..3 * KEEP_COUNT)
            .map(|_| {
                let mut b = bytes();
                b.push(1);
                b
            })
            .collect();
        drop(many);
        let kept = BYTES.with(|p| p.borrow().len());
        assert!(kept <= KEEP_COUNT, "{kept}");
    }
}
