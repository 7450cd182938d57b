//! The UDP side of a listener: a few receive loops on one socket that answer each datagram
//! inline through the same [`RequestHandler`] as TCP (hickory's own UDP loop spawns a task per
//! datagram and hands every reply to a sender task through a channel, which costs more than
//! answering from the model does). Parsing, the response encoding and its truncation to the
//! client's payload size (TC set) are hickory's; only the socket plumbing is ours. [`answer`]
//! is the whole answer to one datagram, without the socket (the fuzz target drives it).
//!
//! The loops are threads of their own, blocked in the socket's receive (no async runtime in
//! between: the kernel wakes one waiting loop per datagram that arrives, so a second loop only
//! runs when the first one is busy). Under load the kernel's loopback send is most of the cost;
//! what makes a loop cheap:
//! - **Batches**: on Linux a loop takes every waiting datagram with one `recvmmsg` (up to
//!   [`BATCH`]) and sends the replies with one `sendmmsg`.
//! - **Answers kept per world generation** ([`AnswerCache`]): the response is a function of
//!   the world and of the datagram's bytes but its id, so a datagram seen before, in the same
//!   generation, is answered with the same bytes and its own id, without hickory or the model.

use crate::handler::VantageHandler;
use hickory_server::net::NetError;
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Header, HeaderCounts, MessageType, Metadata, ResponseCode};
use hickory_server::proto::rr::Record;
use hickory_server::proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponse;
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Largest datagram read; anything longer is cut and then fails to parse (FORMERR or dropped).
const MAX_DATAGRAM: usize = 4096;

/// Datagrams taken (and replies sent) per system call.
const BATCH: usize = 32;

/// Bytes of questions and answers one loop keeps (each loop has its own: no lock between
/// loops); when full, it starts again empty. The Arc names of a whole benchmark take ~5 kB.
const CACHE_BYTES: usize = 64 << 10;

/// A question longer than this (without its id) is answered but not kept.
const CACHE_MAX_QUERY: usize = 512;

/// The last answers of one receive loop, all of one world generation: datagram bytes without
/// the id (the 2 first bytes) → the response's bytes. Everything a response depends on besides
/// the world is in those bytes (question, flags, EDNS and its options), and the response echoes
/// nothing else of the request but the id, which [`AnswerCache::answer`] writes in.
#[derive(Default)]
struct AnswerCache {
    generation: Option<u64>,
    answers: HashMap<Box<[u8]>, Box<[u8]>>,
    bytes: usize,
}

impl AnswerCache {
    /// Forgets every answer unless they are of `generation` (the world's, as read now).
    fn follow(&mut self, generation: u64) {
        if self.generation != Some(generation) {
            self.clear();
            self.generation = Some(generation);
        }
    }

    fn clear(&mut self) {
        self.answers.clear();
        self.bytes = 0;
    }

    /// The kept response to `datagram`, with its id, written into `out`.
    fn answer(&self, datagram: &[u8], out: &mut Vec<u8>) -> bool {
        let (Some(id), Some(rest)) = (datagram.get(..2), datagram.get(2..)) else { return false };
        let Some(response) = self.answers.get(rest) else { return false };
        out.clear();
        out.extend_from_slice(response);
        out[..2].copy_from_slice(id);
        true
    }

    fn keep(&mut self, datagram: &[u8], response: &[u8]) {
        let Some(rest) = datagram.get(2..) else { return };
        if rest.len() > CACHE_MAX_QUERY || response.len() < 2 {
            return;
        }
        let size = rest.len() + response.len();
        if self.bytes + size > CACHE_BYTES {
            self.clear();
        }
        self.bytes += size;
        self.answers.insert(rest.into(), response.into());
    }
}

/// The receive loops of one UDP socket: threads that answer until [`UdpLoops::stop`].
pub(crate) struct UdpLoops {
    socket: Arc<std::net::UdpSocket>,
    stopping: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl UdpLoops {
    /// Starts `count` loops on `socket` (a blocking one).
    pub(crate) fn start(socket: std::net::UdpSocket, handler: &VantageHandler, count: usize) -> io::Result<UdpLoops> {
        let socket = Arc::new(socket);
        let stopping = Arc::new(AtomicBool::new(false));
        let mut loops = UdpLoops { socket, stopping, threads: Vec::new() };
        for _ in 0..count.max(1) {
            let (socket, stopping) = (loops.socket.clone(), loops.stopping.clone());
            let handler = handler.clone();
            let thread =
                std::thread::Builder::new().name("dns-udp".into()).spawn(move || serve(&socket, &handler, &stopping));
            // On an error, dropping `loops` stops the ones already started.
            loops.threads.push(thread?);
        }
        Ok(loops)
    }

    /// Asks the loops to end and wakes them (a shut down socket returns from its receive).
    fn signal(&self) {
        self.stopping.store(true, Ordering::Release);
        batch::wake(&self.socket);
    }

    /// Ends the loops and waits for them: the socket is closed when this returns.
    pub(crate) async fn stop(mut self) {
        self.signal();
        let threads = std::mem::take(&mut self.threads);
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

impl Drop for UdpLoops {
    fn drop(&mut self) {
        self.signal();
    }
}

/// Answers datagrams on `socket` until `stopping` is set.
fn serve(socket: &std::net::UdpSocket, handler: &VantageHandler, stopping: &AtomicBool) {
    let mut batch = batch::Batch::new();
    let mut cache = AnswerCache::default();
    loop {
        let received = batch.receive(socket);
        if stopping.load(Ordering::Acquire) {
            return;
        }
        let received = match received {
            Ok(n) => n,
            // ICMP errors from earlier replies (ECONNREFUSED ...), interrupted calls: keep serving.
            Err(_) => continue,
        };
        // One read of the world per batch: it settles what is due, so an answer kept from an
        // earlier generation is never sent after the world changed (by a write or by time).
        cache.follow(handler.generation());
        for i in 0..received {
            let Some((datagram, src, reply)) = batch.slot(i) else { continue };
            if src.port() == 0 || src.ip().is_unspecified() || cache.answer(datagram, reply) {
                continue;
            }
            if let Some(bytes) = ready_now(answer(handler, datagram, src)).flatten() {
                cache.keep(datagram, &bytes);
                *reply = bytes;
            }
        }
        batch.send(socket);
    }
}

/// The output of `future`, which never waits on anything (the handler asks the model under a
/// lock and encodes; hickory's interface is async): polled once, on this thread. `None`, never
/// expected, if it would have waited: the datagram is then not answered.
fn ready_now<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => {
            tracing::error!("the DNS handler would wait: datagram not answered");
            None
        }
    }
}

/// What the listener sends back for one datagram from `src`: the response's bytes, or `None`
/// when nothing is sent (shorter than a header: not DNS, no one to answer; a response: never
/// answered, no reflection). A query whose header is readable but whose body is not gets FORMERR.
pub(crate) async fn answer(handler: &VantageHandler, datagram: &[u8], src: SocketAddr) -> Option<Vec<u8>> {
    let header = Header::read(&mut BinDecoder::new(datagram)).ok()?;
    if header.metadata.message_type != MessageType::Query {
        return None;
    }
    match Request::from_bytes(datagram.to_vec(), src, Protocol::Udp) {
        Ok(request) => {
            let responder = UdpResponder::default();
            handler.handle_request::<_, TokioTime>(&request, responder.clone()).await;
            responder.take()
        }
        Err(e) => {
            tracing::debug!(%src, "malformed DNS query: {e}");
            form_error(&header.metadata)
        }
    }
}

/// FORMERR for a query whose header is readable but whose body is not.
fn form_error(request: &Metadata) -> Option<Vec<u8>> {
    let mut metadata = Metadata::response_from_request(request);
    metadata.response_code = ResponseCode::FormErr;
    let header = Header { metadata, counts: HeaderCounts::default() };
    let mut bytes = Vec::with_capacity(12);
    let mut encoder = BinEncoder::new(&mut bytes);
    header.emit(&mut encoder).ok()?;
    Some(bytes)
}

/// Encodes the one response to a datagram, at most as large as the client's payload size
/// allows; [`answer`] sends nothing when the handler gave no response.
#[derive(Clone, Default)]
struct UdpResponder {
    bytes: Arc<Mutex<Option<Vec<u8>>>>,
}

impl UdpResponder {
    fn take(&self) -> Option<Vec<u8>> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

#[async_trait::async_trait]
impl ResponseHandler for UdpResponder {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        // As hickory's own encoder for UDP: the response's EDNS payload size (the handler sets
        // it from the request's), or 512 bytes without EDNS (RFC 1035 section 4.2.1). Records
        // that do not fit are left out and TC is set.
        let max = response.edns().map(|e| e.max_payload().max(512)).unwrap_or(512);
        let id = response.metadata().id;
        let op_code = response.metadata().op_code;
        let mut bytes = Vec::with_capacity(512);
        let mut encoder = BinEncoder::new(&mut bytes);
        encoder.set_max_size(max);
        let info = match response.destructive_emit(&mut encoder) {
            Ok(info) => info,
            Err(e) => {
                tracing::error!("cannot encode a DNS response: {e}");
                bytes.clear();
                let mut metadata = Metadata::new(id, MessageType::Response, op_code);
                metadata.response_code = ResponseCode::ServFail;
                let header = Header { metadata, counts: HeaderCounts::default() };
                let mut encoder = BinEncoder::new(&mut bytes);
                header.emit(&mut encoder)?;
                ResponseInfo::from(header)
            }
        };
        *self.bytes.lock().unwrap_or_else(PoisonError::into_inner) = Some(bytes);
        Ok(info)
    }
}

/// Datagrams in, replies out, [`BATCH`] at a time with `recvmmsg`/`sendmmsg`.
#[cfg(target_os = "linux")]
mod batch {
    use super::{BATCH, MAX_DATAGRAM};
    use std::io;
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6, UdpSocket};
    use std::os::fd::AsRawFd;

    /// Buffers kept from batch to batch (no allocation per datagram). The system calls'
    /// headers, which point into these, are built for each call.
    pub(super) struct Batch {
        /// [`BATCH`] receive buffers of [`MAX_DATAGRAM`] bytes, end to end.
        buffers: Box<[u8]>,
        lengths: [usize; BATCH],
        /// Each datagram's source, where its reply goes.
        peers: Box<[libc::sockaddr_storage; BATCH]>,
        peer_lengths: [libc::socklen_t; BATCH],
        /// Each datagram's reply (empty: none).
        replies: Vec<Vec<u8>>,
        received: usize,
    }

    impl Batch {
        pub(super) fn new() -> Batch {
            Batch {
                buffers: vec![0u8; BATCH * MAX_DATAGRAM].into_boxed_slice(),
                lengths: [0; BATCH],
                // SAFETY: sockaddr_storage is plain integers; all zeroes is a valid value.
                peers: Box::new(unsafe { std::mem::zeroed() }),
                peer_lengths: [0; BATCH],
                replies: (0..BATCH).map(|_| Vec::with_capacity(512)).collect(),
                received: 0,
            }
        }

        /// Waits for a datagram, then takes it and all that are waiting behind it, up to
        /// [`BATCH`] (`MSG_WAITFORONE`). 0 when the socket was shut down.
        pub(super) fn receive(&mut self, socket: &UdpSocket) -> io::Result<usize> {
            self.received = 0;
            // SAFETY: zeroed iovec/mmsghdr are valid (null pointers, zero lengths); every
            // pointer set below points into `self`'s buffers, which outlive the call and are
            // not otherwise borrowed during it; the lengths are those of the buffers.
            let mut iovecs: [libc::iovec; BATCH] = unsafe { std::mem::zeroed() };
            let mut headers: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
            for (i, (chunk, iov)) in self.buffers.chunks_exact_mut(MAX_DATAGRAM).zip(iovecs.iter_mut()).enumerate() {
                iov.iov_base = chunk.as_mut_ptr().cast();
                iov.iov_len = chunk.len();
                let h = &mut headers[i].msg_hdr;
                h.msg_name = std::ptr::from_mut(&mut self.peers[i]).cast();
                h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_iov = iov;
                h.msg_iovlen = 1;
            }
            let n = unsafe {
                libc::recvmmsg(
                    socket.as_raw_fd(),
                    headers.as_mut_ptr(),
                    BATCH as libc::c_uint,
                    libc::MSG_WAITFORONE,
                    std::ptr::null_mut(),
                )
            };
            let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
            for (i, h) in headers[..n].iter().enumerate() {
                self.lengths[i] = (h.msg_len as usize).min(MAX_DATAGRAM);
                self.peer_lengths[i] = h.msg_hdr.msg_namelen;
                self.replies[i].clear();
            }
            self.received = n;
            Ok(n)
        }

        /// Datagram `i` of the batch, its source, and where its reply goes (left empty: none).
        pub(super) fn slot(&mut self, i: usize) -> Option<(&[u8], SocketAddr, &mut Vec<u8>)> {
            if i >= self.received {
                return None;
            }
            let src = socket_addr(&self.peers[i], self.peer_lengths[i])?;
            let start = i * MAX_DATAGRAM;
            let datagram = &self.buffers[start..start + self.lengths[i]];
            Some((datagram, src, &mut self.replies[i]))
        }

        /// Sends the batch's replies (a blocking socket: waits while its buffer is full).
        pub(super) fn send(&mut self, socket: &UdpSocket) {
            let mut order = [0usize; BATCH];
            let mut count = 0;
            for i in (0..self.received).filter(|&i| !self.replies[i].is_empty()) {
                order[count] = i;
                count += 1;
            }
            let mut next = 0;
            while next < count {
                match self.sendmmsg(socket, &order[next..count]) {
                    Ok(sent) => next += sent.max(1),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // The first reply of the rest failed (its peer is unreachable ...): skip it.
                    Err(e) => {
                        tracing::debug!("DNS response not sent: {e}");
                        next += 1;
                    }
                }
            }
        }

        fn sendmmsg(&mut self, socket: &UdpSocket, which: &[usize]) -> io::Result<usize> {
            // SAFETY: as in `receive`: the pointers point into `self`'s replies and peers,
            // alive and not moved during the call; the kernel only reads through them.
            let mut iovecs: [libc::iovec; BATCH] = unsafe { std::mem::zeroed() };
            let mut headers: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
            for (k, &i) in which.iter().enumerate() {
                iovecs[k].iov_base = self.replies[i].as_mut_ptr().cast();
                iovecs[k].iov_len = self.replies[i].len();
                let h = &mut headers[k].msg_hdr;
                h.msg_name = std::ptr::from_mut(&mut self.peers[i]).cast();
                h.msg_namelen = self.peer_lengths[i];
                h.msg_iov = &mut iovecs[k];
                h.msg_iovlen = 1;
            }
            let n = unsafe { libc::sendmmsg(socket.as_raw_fd(), headers.as_mut_ptr(), which.len() as libc::c_uint, 0) };
            usize::try_from(n).map_err(|_| io::Error::last_os_error())
        }
    }

    /// Wakes every loop blocked in `receive` on `socket`: on Linux, shutting a UDP socket
    /// down wakes its readers, whose receive then returns at once (an unconnected socket
    /// reports ENOTCONN, but is shut down all the same).
    pub(super) fn wake(socket: &UdpSocket) {
        // SAFETY: a plain system call on a descriptor that `socket` keeps open.
        unsafe { libc::shutdown(socket.as_raw_fd(), libc::SHUT_RDWR) };
    }

    fn socket_addr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> Option<SocketAddr> {
        let len = len as usize;
        match i32::from(storage.ss_family) {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                // SAFETY: the kernel wrote a sockaddr_in (family AF_INET, length checked).
                let a = unsafe { &*std::ptr::from_ref(storage).cast::<libc::sockaddr_in>() };
                let ip = Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
                Some(SocketAddr::V4(SocketAddrV4::new(ip, u16::from_be(a.sin_port))))
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                // SAFETY: the kernel wrote a sockaddr_in6 (family AF_INET6, length checked).
                let a = unsafe { &*std::ptr::from_ref(storage).cast::<libc::sockaddr_in6>() };
                let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
                Some(SocketAddr::V6(SocketAddrV6::new(ip, u16::from_be(a.sin6_port), a.sin6_flowinfo, a.sin6_scope_id)))
            }
            _ => None,
        }
    }
}

/// Elsewhere: one datagram per batch, and a receive timeout to notice the end.
#[cfg(not(target_os = "linux"))]
mod batch {
    use super::MAX_DATAGRAM;
    use std::io;
    use std::net::{SocketAddr, UdpSocket};
    use std::time::Duration;

    pub(super) struct Batch {
        buffer: Vec<u8>,
        datagram: Option<(usize, SocketAddr)>,
        reply: Vec<u8>,
    }

    impl Batch {
        pub(super) fn new() -> Batch {
            Batch { buffer: vec![0; MAX_DATAGRAM], datagram: None, reply: Vec::new() }
        }

        pub(super) fn receive(&mut self, socket: &UdpSocket) -> io::Result<usize> {
            self.datagram = None;
            self.reply.clear();
            socket.set_read_timeout(Some(Duration::from_millis(200)))?;
            self.datagram = Some(socket.recv_from(&mut self.buffer)?);
            Ok(1)
        }

        pub(super) fn slot(&mut self, i: usize) -> Option<(&[u8], SocketAddr, &mut Vec<u8>)> {
            let (len, src) = self.datagram.filter(|_| i == 0)?;
            Some((&self.buffer[..len], src, &mut self.reply))
        }

        pub(super) fn send(&mut self, socket: &UdpSocket) {
            let Some((_, dest)) = self.datagram else { return };
            if !self.reply.is_empty() {
                if let Err(e) = socket.send_to(&self.reply, dest) {
                    tracing::debug!(%dest, "DNS response not sent: {e}");
                }
            }
        }
    }

    /// The loops notice the end at their next receive timeout.
    pub(super) fn wake(_socket: &UdpSocket) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_answer_carries_the_id_of_the_query_it_answers() {
        let mut cache = AnswerCache::default();
        cache.follow(7);
        let mut out = Vec::new();
        assert!(!cache.answer(b"\x00\x01question", &mut out));
        cache.keep(b"\x00\x01question", b"\x00\x01answer");
        assert!(cache.answer(b"\xab\xcdquestion", &mut out));
        assert_eq!(out, b"\xab\xcdanswer");
        // Any other byte but the id is another question.
        assert!(!cache.answer(b"\xab\xcdQuestion", &mut out));
        assert!(!cache.answer(b"\x01", &mut out));
        // The same generation keeps it; another one forgets it.
        cache.follow(7);
        assert!(cache.answer(b"\x00\x00question", &mut out));
        cache.follow(8);
        assert!(!cache.answer(b"\x00\x00question", &mut out));
    }

    #[test]
    fn the_kept_answers_stay_within_their_bound() {
        let mut cache = AnswerCache::default();
        cache.follow(1);
        let response = vec![0u8; 1000];
        for i in 0..1000u32 {
            let mut q = vec![0, 0];
            q.extend_from_slice(&i.to_be_bytes());
            cache.keep(&q, &response);
            assert!(cache.bytes <= CACHE_BYTES);
        }
        // Questions too long to be worth keeping are not kept.
        let long = vec![1u8; CACHE_MAX_QUERY + 3];
        cache.keep(&long, &response);
        assert!(!cache.answer(&long, &mut Vec::new()));
    }
}
