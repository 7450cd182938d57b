//! The UDP side of a listener: a few receive loops on one socket that answer each datagram
//! inline through the same [`RequestHandler`] as TCP (hickory's own UDP loop spawns a task per
//! datagram and hands every reply to a sender task through a channel, which costs more than
//! answering from the model does). Parsing, the response encoding and its truncation to the
//! client's payload size (TC set) are hickory's; only the socket plumbing is ours. [`answer`]
//! is the whole answer to one datagram, without the socket (the fuzz target drives it).

use crate::handler::VantageHandler;
use hickory_server::net::NetError;
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Header, HeaderCounts, MessageType, Metadata, ResponseCode};
use hickory_server::proto::rr::Record;
use hickory_server::proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponse;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::UdpSocket;

/// Largest datagram read; anything longer is cut and then fails to parse (FORMERR or dropped).
const MAX_DATAGRAM: usize = 4096;

/// Answers datagrams on `socket` until the task is aborted or the socket fails for good.
pub(crate) async fn serve(socket: Arc<UdpSocket>, handler: VantageHandler) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let (len, src) = match socket.recv_from(&mut buf).await {
            Ok(x) => x,
            Err(e) if matches!(e.kind(), io::ErrorKind::NotConnected | io::ErrorKind::ConnectionAborted) => {
                tracing::error!("DNS UDP socket closed: {e}");
                return;
            }
            // ICMP errors from earlier replies (ECONNREFUSED ...), interrupted calls: keep serving.
            Err(_) => continue,
        };
        if src.port() == 0 || src.ip().is_unspecified() {
            continue;
        }
        let Some(bytes) = answer(&handler, &buf[..len], src).await else { continue };
        let sent = match socket.try_send_to(&bytes, src) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => socket.send_to(&bytes, src).await,
            other => other,
        };
        if let Err(e) = sent {
            tracing::debug!(%src, "DNS response not sent: {e}");
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
