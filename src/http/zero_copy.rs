//! Cached bodies go to the socket the way a static file server sends files: the kernel
//! hands the body's pages to TCP without copying them (`sendfile(2)`). A large cached
//! body lives in a sealed memfd mapped read-only; the `Bytes` the rest of the server
//! passes around point into that mapping. The connection wrapper recognises those
//! addresses when hyper writes, and sends from the memfd instead of copying from
//! memory; anything else is written as usual. Copying a feed into the kernel was a
//! quarter of the CPU time of a cache hit.
//!
//! The memfd is sealed before it is mapped, so what is on its way to a client cannot
//! change; pages in flight stay referenced by the kernel after the mapping goes.
//! Each mapped body holds a descriptor: they may take a quarter of the open-file limit
//! (raised to its hard limit when serving starts, `server::open_file_limit`); client
//! connections take at most half by default, the rest is left for the database.

use axum::body::Bytes;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::sync::{OnceLock, RwLock};
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// Bodies smaller than this are copied: a memfd and a mapping would cost more.
const MIN_SHARED_BYTES: usize = 32 * 1024;

/// Mapped bodies by start address: (length, memfd).
static MAPPED: RwLock<BTreeMap<usize, (usize, RawFd)>> = RwLock::new(BTreeMap::new());

/// A copy of `body` the connections can send without copying, when it is large enough
/// and the system lets us; otherwise `body` itself.
pub fn shareable(body: Bytes) -> Bytes {
    if body.len() < MIN_SHARED_BYTES || read_lock().len() >= descriptor_budget() {
        return body;
    }
    match MappedBody::new(&body) {
        Ok(mapped) => Bytes::from_owner(mapped),
        Err(error) => {
            tracing::debug!(%error, "body kept in ordinary memory");
            body
        }
    }
}

/// One body in a sealed memfd, mapped read-only.
struct MappedBody {
    fd: OwnedFd,
    start: *const u8,
    len: usize,
}

// The mapping is read-only and lives as long as the value: sharing it is sharing `&[u8]`.
unsafe impl Send for MappedBody {}
unsafe impl Sync for MappedBody {}

impl MappedBody {
    fn new(body: &[u8]) -> io::Result<MappedBody> {
        let flags = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
        // SAFETY: a valid C string and flags; the result is checked.
        let raw = unsafe { libc::memfd_create(c"syndic-body".as_ptr(), flags) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut file = std::fs::File::from(fd);
        file.write_all(body)?;
        let fd = OwnedFd::from(file);
        let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
        // SAFETY: fcntl on a descriptor we own.
        if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh read-only shared mapping of the whole (non-empty) file.
        let start = unsafe {
            libc::mmap(std::ptr::null_mut(), body.len(), libc::PROT_READ, libc::MAP_SHARED, fd.as_raw_fd(), 0)
        };
        if start == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let mapped = MappedBody { fd, start: start as *const u8, len: body.len() };
        write_lock().insert(mapped.start as usize, (mapped.len, mapped.fd.as_raw_fd()));
        Ok(mapped)
    }
}

impl AsRef<[u8]> for MappedBody {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `start` maps `len` readable bytes until `drop`.
        unsafe { std::slice::from_raw_parts(self.start, self.len) }
    }
}

impl Drop for MappedBody {
    fn drop(&mut self) {
        write_lock().remove(&(self.start as usize));
        // SAFETY: unmapping what `new` mapped; no `&[u8]` of it outlives `self`.
        unsafe { libc::munmap(self.start as *mut libc::c_void, self.len) };
    }
}

// Every update is one insert or remove: a poisoned map is still consistent.
fn write_lock() -> std::sync::RwLockWriteGuard<'static, BTreeMap<usize, (usize, RawFd)>> {
    MAPPED.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read_lock() -> std::sync::RwLockReadGuard<'static, BTreeMap<usize, (usize, RawFd)>> {
    MAPPED.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many bodies may be mapped at once: a quarter of the open-file limit.
fn descriptor_budget() -> usize {
    static BUDGET: OnceLock<usize> = OnceLock::new();
    *BUDGET.get_or_init(|| super::server::open_file_limit().map_or(0, |limit| limit / 4))
}

/// The memfd and offset `bytes` start at, if they lie in a mapped body.
fn mapped_at(bytes: &[u8]) -> Option<(RawFd, libc::off_t)> {
    if bytes.is_empty() {
        return None;
    }
    let address = bytes.as_ptr() as usize;
    let mapped = read_lock();
    let (&start, &(len, fd)) = mapped.range(..=address).next_back()?;
    (address + bytes.len() <= start + len).then_some((fd, (address - start) as libc::off_t))
}

/// A client connection.
pub struct Connection(TcpStream);

impl Connection {
    pub fn new(stream: TcpStream) -> Connection {
        Connection(stream)
    }

    /// Sends `count` bytes of the memfd from `offset`.
    fn poll_sendfile(
        &self,
        cx: &mut Context<'_>,
        fd: RawFd,
        offset: libc::off_t,
        count: usize,
    ) -> Poll<io::Result<usize>> {
        self.poll_send(cx, || {
            let mut offset = offset;
            // SAFETY: both descriptors are open (the socket is ours, the memfd is held by
            // the bytes being written); the kernel reads at most `count` bytes.
            unsafe { libc::sendfile(self.0.as_raw_fd(), fd, &mut offset, count) }
        })
    }

    /// Writes `bufs` (headers, say) telling the kernel more follows at once, so that they
    /// leave in the same segment as the body sent after them.
    fn poll_write_more(&self, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        self.poll_send(cx, || {
            // SAFETY: `IoSlice` is ABI-compatible with `iovec`; the message only borrows
            // `bufs` for the call.
            let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
            message.msg_iov = bufs.as_ptr() as *mut libc::iovec;
            message.msg_iovlen = bufs.len() as _;
            unsafe { libc::sendmsg(self.0.as_raw_fd(), &message, libc::MSG_MORE | libc::MSG_NOSIGNAL) }
        })
    }

    /// Runs a non-blocking send (a syscall returning bytes sent, or -1 and errno) once
    /// the socket is writable, waiting again while it would block.
    fn poll_send(&self, cx: &mut Context<'_>, mut send: impl FnMut() -> isize) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.0.poll_write_ready(cx))?;
            let sent =
                self.0.try_io(Interest::WRITABLE, || usize::try_from(send()).map_err(|_| io::Error::last_os_error()));
            match sent {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                done => return Poll::Ready(done),
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[io::IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Only large slices can be mapped bodies (a remainder after a partial send
        // may be smaller, and is then simply copied).
        let mapped = bufs
            .iter()
            .enumerate()
            .filter(|(_, b)| b.len() >= MIN_SHARED_BYTES / 2)
            .find_map(|(i, b)| mapped_at(b).map(|at| (i, at)));
        match mapped {
            Some((0, (fd, offset))) => self.poll_sendfile(cx, fd, offset, bufs[0].len()),
            Some((first, _)) => self.poll_write_more(cx, &bufs[..first]),
            None => Pin::new(&mut self.0).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_are_mapped_and_found_inside() {
        let body: Vec<u8> = (0..100_000u32).map(|n| (n % 251) as u8).collect();
        let shared = shareable(Bytes::from(body.clone()));
        assert_eq!(&shared[..], &body[..]);
        let tail = shared.slice(40_000..);
        assert_eq!(mapped_at(&tail).map(|(_, offset)| offset), Some(40_000));
        let small = shareable(Bytes::from(vec![7; 100]));
        assert!(mapped_at(&small).is_none());
        let address = shared.as_ptr() as usize;
        drop((shared, tail));
        assert!(MAPPED.read().unwrap().get(&address).is_none(), "unmapped with its last bytes");
    }
}
