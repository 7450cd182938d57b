//! The UDP side of a listener: a few receive loops on one socket that answer each datagram
//! inline through the same [`RequestHandler`] as TCP (hickory's own UDP loop spawns a task per
//! datagram and hands every reply to a sender task through a channel, which costs more than
//! answering from the model does). Parsing, the response encoding and its truncation to the
//! client's payload size (TC set) are hickory's; only the socket plumbing is ours.

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
use std::sync::Arc;
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
        let datagram = &buf[..len];
        // Shorter than a header: not DNS, no one to answer. A response: never answered (no reflection).
        let Ok(header) = Header::read(&mut BinDecoder::new(datagram)) else { continue };
        if header.metadata.message_type != MessageType::Query {
            continue;
        }
        let responder = UdpResponder { socket: socket.clone(), dst: src };
        match Request::from_bytes(datagram.to_vec(), src, Protocol::Udp) {
            Ok(request) => {
                handler.handle_request::<_, TokioTime>(&request, responder).await;
            }
            Err(e) => {
                tracing::debug!(%src, "malformed DNS query: {e}");
                form_error(&socket, src, &header.metadata).await;
            }
        }
    }
}

/// FORMERR for a query whose header is readable but whose body is not.
async fn form_error(socket: &UdpSocket, dst: SocketAddr, request: &Metadata) {
    let mut metadata = Metadata::response_from_request(request);
    metadata.response_code = ResponseCode::FormErr;
    let header = Header { metadata, counts: HeaderCounts::default() };
    let mut bytes = Vec::with_capacity(12);
    let mut encoder = BinEncoder::new(&mut bytes);
    if header.emit(&mut encoder).is_ok() {
        let _ = socket.send_to(&bytes, dst).await;
    }
}

/// Sends one response back to the client, at most as large as its payload size allows.
#[derive(Clone)]
struct UdpResponder {
    socket: Arc<UdpSocket>,
    dst: SocketAddr,
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
        match self.socket.try_send_to(&bytes, self.dst) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.socket.send_to(&bytes, self.dst).await?;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(info)
    }
}
