//! What the benchmarks share: the binaries they run, loopback ports, a keep-alive HTTP/1.1
//! client that reads answers by `Content-Length`, a DNS client over UDP, `/proc` readings
//! (RSS, CPU), percentiles, the machine's description and the date. No benchmark logic.

#![allow(dead_code)] // each bench binary uses a part of it

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Every ARM request carries a bearer token (the ARM face wants one, any).
pub const AUTH: &str = "Authorization: Bearer x";

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `$ARCEMU_BIN`, else the release binary cargo built for this bench.
pub fn arcemu_bin() -> PathBuf {
    std::env::var_os("ARCEMU_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_arcemu")))
}

pub fn out_dir() -> PathBuf {
    std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-results"))
}

/// One answer: status, headers (names lower-cased) and body.
#[derive(Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A keep-alive HTTP/1.1 connection that reads each answer by its `Content-Length`.
pub struct KeepAlive {
    stream: TcpStream,
    addr: SocketAddr,
    buf: Vec<u8>,
}

impl KeepAlive {
    pub fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(KeepAlive { stream, addr, buf: Vec::with_capacity(8192) })
    }

    /// Sends one request and reads the whole answer.
    pub fn send(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> std::io::Result<Answer> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n{AUTH}\r\n", self.addr);
        match body {
            Some(b) => req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", b.len())),
            None => req.push_str("\r\n"),
        }
        let mut bytes = req.into_bytes();
        if let Some(b) = body {
            bytes.extend_from_slice(b);
        }
        self.stream.write_all(&bytes)?;
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
            let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
            let mut lines = head.lines();
            let status = lines.next().and_then(|l| l.get(9..12)).and_then(|c| c.parse().ok()).unwrap_or(0);
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let length: usize =
                headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            if self.buf.len() >= end + 4 + length {
                let body = self.buf[end + 4..end + 4 + length].to_vec();
                return Ok(Answer { status, headers, body });
            }
        }
    }
}

/// A DNS client over UDP: one `A` (or other type) question per query, the answer's rcode and
/// IPv4 addresses. Enough for the benchmarks; the tests use `dig`.
pub struct Dns {
    socket: UdpSocket,
    id: u16,
}

/// What a DNS answer said.
#[derive(Debug)]
pub struct DnsAnswer {
    pub rcode: u8,
    pub addresses: Vec<Ipv4Addr>,
}

impl Dns {
    pub fn connect(server: SocketAddr) -> std::io::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.connect(server)?;
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(Dns { socket, id: 1 })
    }

    pub fn query(&mut self, name: &str, qtype: u16) -> std::io::Result<DnsAnswer> {
        self.id = self.id.wrapping_add(1);
        let mut q = Vec::with_capacity(64);
        q.extend_from_slice(&self.id.to_be_bytes());
        q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD; one question
        for label in name.trim_end_matches('.').split('.') {
            q.push(label.len() as u8);
            q.extend_from_slice(label.as_bytes());
        }
        q.push(0);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&1u16.to_be_bytes());
        self.socket.send(&q)?;
        let mut buf = [0u8; 4096];
        loop {
            let n = self.socket.recv(&mut buf)?;
            let r = &buf[..n];
            if n >= 12 && r[..2] == self.id.to_be_bytes() {
                return parse_answer(r).ok_or_else(|| std::io::Error::other("malformed DNS answer"));
            }
        }
    }
}

fn skip_name(r: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let len = *r.get(i)? as usize;
        if len == 0 {
            return Some(i + 1);
        }
        if len & 0xC0 == 0xC0 {
            return Some(i + 2);
        }
        i += 1 + len;
    }
}

fn parse_answer(r: &[u8]) -> Option<DnsAnswer> {
    let rcode = r[3] & 0x0F;
    let qd = u16::from_be_bytes([r[4], r[5]]) as usize;
    let an = u16::from_be_bytes([r[6], r[7]]) as usize;
    let mut i = 12;
    for _ in 0..qd {
        i = skip_name(r, i)? + 4;
    }
    let mut addresses = Vec::new();
    for _ in 0..an {
        i = skip_name(r, i)?;
        let ty = u16::from_be_bytes([*r.get(i)?, *r.get(i + 1)?]);
        let len = u16::from_be_bytes([*r.get(i + 8)?, *r.get(i + 9)?]) as usize;
        let data = r.get(i + 10..i + 10 + len)?;
        if ty == 1 && len == 4 {
            addresses.push(Ipv4Addr::new(data[0], data[1], data[2], data[3]));
        }
        i += 10 + len;
    }
    Some(DnsAnswer { rcode, addresses })
}

/// (VmRSS, VmHWM) in KiB.
pub fn rss_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time (user + system) a process has used, in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Nearest-rank percentile of a sorted slice.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        f64::NAN
    } else if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    }
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// min, median, p90, p99 and max of samples in milliseconds.
pub fn latency(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({
        "n": ms.len(),
        "min_ms": round3(ms.first().copied().unwrap_or(f64::NAN)),
        "p50_ms": round3(pct(&ms, 50.0)),
        "p90_ms": round3(pct(&ms, 90.0)),
        "p99_ms": round3(pct(&ms, 99.0)),
        "max_ms": round3(ms.last().copied().unwrap_or(f64::NAN)),
    })
}

/// The machine the figures come from.
pub fn machine() -> Value {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string();
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let wrk_version = Command::new("wrk")
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            let t = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
            t.lines().next().unwrap_or_default().trim().to_string()
        })
        .unwrap_or_else(|| "not installed".to_string());
    let mem_gib = mem_kib as f64 / 1024.0 / 1024.0;
    json!({
        "cores": cores,
        "cpu": model,
        "memory_gib": (mem_gib * 10.0).round() / 10.0,
        "os": os,
        "kernel": kernel,
        "wrk": wrk_version,
        "loadavg_at_start": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_string(),
        "summary": format!("{cores} cores, {model}, {mem_gib:.0} GiB, {os}, Linux {kernel}"),
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` from the system clock (no date crate needed).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
