//! One vantage point's DNS request handler: parses nothing itself (hickory did), asks the
//! model, and translates its [`DnsAnswer`] into a DNS response. No semantics live here.

use arcemu_model::SharedWorld;
use arcemu_model::dns::{DnsAnswer, DnsRecord, Rcode, RecordData, Soa, Vantage};
use hickory_server::net::runtime::Time;
use hickory_server::proto::op::{Edns, Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode};
use hickory_server::proto::rr::rdata::{A, CNAME, SOA};
use hickory_server::proto::rr::{DNSClass, LowerName, Name, RData, Record};
use hickory_server::proto::serialize::binary::{BinDecoder, BinEncodable, BinEncoder, NameEncoding};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponseBuilder, Queries};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// The EDNS version this server speaks.
const EDNS_VERSION: u8 = 0;
/// Largest UDP payload we offer, whatever the client advertises (RFC 6891 section 6.2.5).
const MAX_UDP_PAYLOAD: u16 = 4096;

/// Answers DNS queries as seen from one vantage point, against the current world.
#[derive(Clone)]
pub(crate) struct VantageHandler {
    world: Arc<SharedWorld>,
    vantage: Vantage,
}

impl VantageHandler {
    pub(crate) fn new(world: Arc<SharedWorld>, vantage: Vantage) -> Self {
        Self { world, vantage }
    }

    /// Asks the model through the world's door (one lock acquisition, never across an await;
    /// operations that are due are settled first, so answers follow the ARM face's).
    fn resolve(&self, qname: &str, qtype: u16) -> DnsAnswer {
        self.world.read(|w| w.resolve(&self.vantage, qname, qtype))
    }

    /// The world's generation, through the door: what is due is settled first, so a change
    /// that comes with time alone (an operation completing) is seen as a new generation.
    pub(crate) fn generation(&self) -> u64 {
        self.world.read(|w| w.generation())
    }
}

/// The query name as the model wants it: lower case, no trailing dot (the root is "").
pub(crate) fn model_name(name: &LowerName) -> String {
    let mut out = String::with_capacity(name.len());
    for label in name.iter() {
        if !out.is_empty() {
            out.push('.');
        }
        for &b in label {
            // Labels are bytes; the model speaks ASCII host names. Anything else is kept
            // escaped so that it can never match a real name by accident.
            if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                out.push(b.to_ascii_lowercase() as char);
            } else {
                out.push_str(&format!("\\{b:03}"));
            }
        }
    }
    out
}

fn parse_name(name: &str) -> Option<Name> {
    let mut n = Name::from_ascii(name).ok()?;
    n.set_fqdn(true);
    Some(n)
}

/// Names parsed per thread: the model's answers reuse a small set of names (the Arc names and
/// their CNAME targets, zone apexes), and parsing them was a tenth of the cost of a query.
const NAME_CACHE_MAX: usize = 4096;

thread_local! {
    static NAMES: RefCell<HashMap<Box<str>, Name>> = RefCell::new(HashMap::new());
}

fn dns_name(name: &str) -> Option<Name> {
    NAMES.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else { return parse_name(name) };
        if let Some(n) = cache.get(name) {
            return Some(n.clone());
        }
        let n = parse_name(name)?;
        if cache.len() >= NAME_CACHE_MAX {
            cache.clear();
        }
        cache.insert(name.into(), n.clone());
        Some(n)
    })
}

fn record(r: &DnsRecord) -> Option<Record> {
    let name = dns_name(&r.name)?;
    let rdata = match &r.data {
        RecordData::A(ip) => RData::A(A(*ip)),
        RecordData::Cname(target) => RData::CNAME(CNAME(dns_name(target)?)),
    };
    Some(Record::from_rdata(name, r.ttl, rdata))
}

fn soa_record(s: &Soa) -> Option<Record> {
    let rdata = SOA::new(dns_name(&s.mname)?, dns_name(&s.rname)?, s.serial, s.refresh, s.retry, s.expire, s.minimum);
    Some(Record::from_rdata(dns_name(&s.zone)?, s.ttl, RData::SOA(rdata)))
}

fn response_code(r: &Rcode) -> ResponseCode {
    match r {
        Rcode::NoError => ResponseCode::NoError,
        Rcode::NxDomain => ResponseCode::NXDomain,
        Rcode::ServFail => ResponseCode::ServFail,
        Rcode::Refused => ResponseCode::Refused,
    }
}

/// The records of an answer in wire form, or `None` when the model produced a name that is
/// not a valid DNS name (answered SERVFAIL rather than a half answer).
pub(crate) fn wire_records(answer: &DnsAnswer) -> Option<(Vec<Record>, Vec<Record>)> {
    let answers = answer.answers.iter().map(record).collect::<Option<Vec<_>>>()?;
    let soa = match &answer.soa {
        Some(s) => vec![soa_record(s)?],
        None => Vec::new(),
    };
    Some((answers, soa))
}

/// Whether a question section, as the client wrote it, compresses a name with a pointer.
/// Anything that does not walk as `count` questions counts as compressed (written out again).
fn compressed(bytes: &[u8], count: usize) -> bool {
    let mut i = 0;
    for _ in 0..count {
        loop {
            match bytes.get(i) {
                Some(0) => break,
                Some(&len) if len & 0xC0 == 0 => i += 1 + usize::from(len),
                _ => return true,
            }
        }
        i += 5; // the root label, QTYPE, QCLASS
    }
    i != bytes.len()
}

/// The question section to echo, when it cannot be echoed as sent. hickory echoes the question's
/// bytes as the client sent them (keeping its letter case), but a name compressed with a pointer
/// then points into the response's own header, and the response does not parse. Such a section
/// is written out again, uncompressed, case kept. `None`: echo it as sent.
fn literal_queries(queries: &Queries) -> Option<Queries> {
    if !compressed(queries.as_bytes(), queries.len()) {
        return None;
    }
    let mut bytes = Vec::with_capacity(queries.as_bytes().len() + 64);
    let mut encoder = BinEncoder::new(&mut bytes);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    for q in queries.queries() {
        q.emit(&mut encoder).ok()?;
    }
    Queries::read(&mut BinDecoder::new(&bytes), queries.len()).ok()
}

#[async_trait::async_trait]
impl RequestHandler for VantageHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(&self, request: &Request, mut response: R) -> ResponseInfo {
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.recursion_available = true;

        // EDNS (RFC 6891): answer with our own OPT record; the payload size it carries is what
        // hickory uses as the UDP size limit, so a larger answer is truncated with TC set.
        let mut edns = None;
        if let Some(req_edns) = &request.edns {
            let mut e = Edns::new();
            e.set_version(EDNS_VERSION);
            e.set_max_payload(req_edns.max_payload().clamp(512, MAX_UDP_PAYLOAD));
            e.set_dnssec_ok(false);
            edns = Some(e);
        }
        let literal = literal_queries(&request.queries);
        let builder = MessageResponseBuilder::new(literal.as_ref().unwrap_or(&request.queries), edns.as_ref());

        let refuse = |code: ResponseCode| {
            let mut m = metadata;
            m.response_code = code;
            m
        };
        let early = if request.metadata.message_type != MessageType::Query {
            Some(ResponseCode::FormErr)
        } else if request.edns.as_ref().is_some_and(|e| e.version() > EDNS_VERSION) {
            Some(ResponseCode::BADVERS)
        } else if request.metadata.op_code != OpCode::Query {
            Some(ResponseCode::NotImp)
        } else if request.queries.queries().len() != 1 {
            Some(ResponseCode::FormErr)
        } else {
            None
        };
        let query = match (early, request.queries.queries().first()) {
            (None, Some(q)) => q,
            (code, _) => {
                let m = refuse(code.unwrap_or(ResponseCode::FormErr));
                return send(&mut response, builder.build_no_records(m), m).await;
            }
        };
        if query.query_class() != DNSClass::IN && query.query_class() != DNSClass::ANY {
            let m = refuse(ResponseCode::Refused);
            return send(&mut response, builder.build_no_records(m), m).await;
        }

        let qname = model_name(query.name());
        let answer = self.resolve(&qname, u16::from(query.query_type()));
        let Some((answers, soa)) = wire_records(&answer) else {
            tracing::error!(vantage = %self.vantage.id(), %qname, "the model answered a name that is not a DNS name");
            let m = refuse(ResponseCode::ServFail);
            return send(&mut response, builder.build_no_records(m), m).await;
        };
        metadata.authoritative = answer.authoritative;
        metadata.response_code = response_code(&answer.rcode);
        let msg = builder.build(metadata, answers.iter(), std::iter::empty(), soa.iter(), std::iter::empty());
        send(&mut response, msg, metadata).await
    }
}

async fn send<'a, R: ResponseHandler>(
    response: &mut R,
    msg: hickory_server::zone_handler::MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
    metadata: Metadata,
) -> ResponseInfo {
    match response.send_response(msg).await {
        Ok(info) => info,
        Err(e) => {
            tracing::debug!("DNS response not sent: {e}");
            let mut m = metadata;
            m.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header { metadata: m, counts: HeaderCounts::default() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn lower(s: &str) -> LowerName {
        LowerName::new(&Name::from_ascii(s).unwrap())
    }

    #[test]
    fn query_names_reach_the_model_lower_case_without_the_root_dot() {
        assert_eq!(model_name(&lower("GBL.His.Arc.Azure.COM.")), "gbl.his.arc.azure.com");
        assert_eq!(model_name(&lower("gbl.his.arc.azure.com")), "gbl.his.arc.azure.com");
        assert_eq!(model_name(&lower(".")), "");
        // Bytes that are not host-name characters stay escaped and never match a real name.
        let odd = Name::from_labels(vec![&b"a b"[..], &b"x.y"[..], &b"com"[..]]).unwrap();
        assert_eq!(model_name(&LowerName::new(&odd)), "a\\032b.x\\046y.com");
    }

    fn answer(records: Vec<DnsRecord>, soa: Option<Soa>) -> DnsAnswer {
        DnsAnswer { rcode: Rcode::NoError, authoritative: true, answers: records, soa, trace: Vec::new() }
    }

    #[test]
    fn the_chain_and_the_soa_become_wire_records() {
        let a = answer(
            vec![
                DnsRecord {
                    name: "gbl.his.arc.azure.com".into(),
                    ttl: 300,
                    data: RecordData::Cname("gbl.privatelink.his.arc.azure.com".into()),
                },
                DnsRecord {
                    name: "gbl.privatelink.his.arc.azure.com".into(),
                    ttl: 10,
                    data: RecordData::A(Ipv4Addr::new(10, 0, 0, 4)),
                },
            ],
            Some(Soa::private("privatelink.his.arc.azure.com")),
        );
        let (records, soa) = wire_records(&a).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].name.to_string(), "gbl.his.arc.azure.com.");
        assert_eq!(records[0].ttl, 300);
        assert_eq!(
            records[0].data,
            RData::CNAME(CNAME(Name::from_ascii("gbl.privatelink.his.arc.azure.com.").unwrap()))
        );
        assert_eq!(records[1].data, RData::A(A(Ipv4Addr::new(10, 0, 0, 4))));
        assert_eq!(soa.len(), 1);
        assert_eq!(soa[0].name.to_string(), "privatelink.his.arc.azure.com.");
        assert!(matches!(&soa[0].data, RData::SOA(s) if s.minimum == 10));
        // Twice: the second time from the name cache, same result.
        assert_eq!(wire_records(&a).unwrap().0, records);
    }

    #[test]
    fn a_name_that_is_not_a_dns_name_is_refused_whole() {
        let label = "x".repeat(64);
        let a = answer(
            vec![DnsRecord { name: format!("{label}.example"), ttl: 1, data: RecordData::A(Ipv4Addr::LOCALHOST) }],
            None,
        );
        assert!(wire_records(&a).is_none());
    }

    #[test]
    fn a_compressed_question_is_written_out_again_in_full() {
        // gbl.his, type A, class IN: as sent, echoed as sent.
        let plain = b"\x03gbl\x03his\x00\x00\x01\x00\x01";
        assert!(!compressed(plain, 1));
        let queries = Queries::read(&mut BinDecoder::new(plain), 1).unwrap();
        assert!(literal_queries(&queries).is_none());
        // A name that is a pointer (into the query's header) is compressed; so is a section
        // that does not walk as its count says.
        assert!(compressed(b"\xc0\x00\x00\x01\x00\x01", 1));
        assert!(compressed(b"\x03gbl\xc0\x0c\x00\x01\x00\x01", 1));
        assert!(compressed(plain, 2) && compressed(&plain[..5], 1));
        // Written out again, it names the same question, in full, with its letter case.
        let mut message = b"\x00\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03GbL\x00\x00\x01\x00\x01".to_vec();
        message.extend_from_slice(b"\xc0\x0c\x00\x01\x00\x01");
        let mut decoder = BinDecoder::new(&message);
        decoder.read_slice(12 + 9).unwrap();
        let queries = Queries::read(&mut decoder, 1).unwrap();
        assert_eq!(queries.as_bytes(), b"\xc0\x0c\x00\x01\x00\x01");
        let literal = literal_queries(&queries).unwrap();
        assert_eq!(literal.as_bytes(), b"\x03GbL\x00\x00\x01\x00\x01");
        assert_eq!(literal.queries(), queries.queries());
    }

    #[test]
    fn rcodes_map_one_to_one() {
        assert_eq!(response_code(&Rcode::NoError), ResponseCode::NoError);
        assert_eq!(response_code(&Rcode::NxDomain), ResponseCode::NXDomain);
        assert_eq!(response_code(&Rcode::ServFail), ResponseCode::ServFail);
        assert_eq!(response_code(&Rcode::Refused), ResponseCode::Refused);
    }
}
