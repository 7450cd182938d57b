//! Where `arcemu`'s log lines go: stderr, written by a thread of its own. A request only
//! appends its line to a buffer (a short lock, a copy); the writer thread takes the whole
//! buffer, at most every [`LINGER`] (2 ms), and writes it at once. A line per request written
//! from the request path cost a `write` system call each, and the two workers waited on each
//! other for stderr's lock (see BENCHMARKS.md, "How GET got there").
//!
//! No line is lost: when stderr does not keep up and [`MAX_PENDING`] bytes are waiting, the
//! request waits for room, as it waited for the write before; and [`LogFlush::finish`], called when
//! `main` returns (after a Ctrl-C or SIGTERM stop), writes whatever is left before the process
//! ends.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

/// Bytes waiting to be written at most, before a request waits for room.
pub const MAX_PENDING: usize = 4 * 1024 * 1024;
/// How long the writer lets lines gather before writing them: a line reaches stderr this late.
const LINGER: std::time::Duration = std::time::Duration::from_millis(2);

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    /// The writer thread waits for bytes (a line must wake it).
    writer_idle: bool,
    /// A request waits for room (the writer must wake it).
    appender_waiting: bool,
    closing: bool,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// The writer thread waits on it for bytes.
    bytes_ready: Condvar,
    /// A request waits on it for room.
    room: Condvar,
}

/// The `MakeWriter` handed to `tracing_subscriber`: each event's line is appended whole
/// (`None`: no writer thread, written to stderr at once).
#[derive(Clone)]
pub struct LogPipe(Option<Arc<Shared>>);

/// Stops the writer thread once everything appended so far is written ([`LogFlush::finish`]).
pub struct LogFlush {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

/// Starts the writer thread, writing to `out` (stderr). If the thread cannot be started, lines
/// are written from the request path, as before.
pub fn start(out: impl Write + Send + 'static) -> (LogPipe, LogFlush) {
    let shared = Arc::new(Shared::default());
    let thread_shared = shared.clone();
    let writer =
        std::thread::Builder::new().name("arcemu-log".into()).spawn(move || write_loop(&thread_shared, out)).ok();
    let pipe = LogPipe(writer.as_ref().map(|_| shared.clone()));
    (pipe, LogFlush { shared, writer })
}

fn write_loop(shared: &Shared, mut out: impl Write) {
    let mut batch = Vec::new();
    loop {
        {
            let mut p = shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
            while p.bytes.is_empty() && !p.closing {
                p.writer_idle = true;
                p = shared.bytes_ready.wait(p).unwrap_or_else(PoisonError::into_inner);
            }
            p.writer_idle = false;
        }
        // Let a batch gather: under load, one wake-up and one write per LINGER instead of one
        // per line (waking this thread for each line cost more than the write it saved).
        std::thread::sleep(LINGER);
        let closing = {
            let mut p = shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut batch, &mut p.bytes);
            if p.appender_waiting {
                p.appender_waiting = false;
                shared.room.notify_all();
            }
            p.closing
        };
        // Nothing to do about a failed write to stderr; the lines are dropped as before.
        let _ = out.write_all(&batch);
        let _ = out.flush();
        batch.clear();
        if closing && shared.pending.lock().unwrap_or_else(PoisonError::into_inner).bytes.is_empty() {
            return;
        }
    }
}

impl LogPipe {
    fn append(&self, line: &[u8]) {
        let Some(shared) = &self.0 else {
            let _ = std::io::stderr().write_all(line);
            return;
        };
        let mut p = shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if p.closing {
            // After the flush started (the process is ending): straight to stderr.
            drop(p);
            let _ = std::io::stderr().write_all(line);
            return;
        }
        while p.bytes.len() >= MAX_PENDING && !p.closing {
            p.appender_waiting = true;
            p = shared.room.wait(p).unwrap_or_else(PoisonError::into_inner);
        }
        p.bytes.extend_from_slice(line);
        // Wake the writer only when it sleeps: while it writes, it finds the line when done.
        if p.writer_idle {
            p.writer_idle = false;
            shared.bytes_ready.notify_one();
        }
    }
}

impl Write for LogPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogPipe {
    type Writer = LogPipe;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl LogFlush {
    /// Writes what is left and stops the thread: called by `main` as it returns (explicitly,
    /// not in `Drop`, where nothing that can block or fail should run).
    pub fn finish(mut self) {
        let Some(writer) = self.writer.take() else { return };
        {
            let mut p = self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
            p.closing = true;
            self.shared.bytes_ready.notify_one();
            self.shared.room.notify_all();
        }
        let _ = writer.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` that keeps what it is given.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);

    impl Write for Kept {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_flush_is_dropped() {
        let out = Kept::default();
        let (pipe, flush) = start(out.clone());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let mut pipe = pipe.clone();
                std::thread::spawn(move || {
                    for i in 0..5000 {
                        pipe.write_all(format!("{t} {i}\n").as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        flush.finish();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        for t in 0..4 {
            let seen: Vec<usize> = text
                .lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(who, _)| *who == t.to_string())
                .map(|(_, i)| i.parse().unwrap())
                .collect();
            assert_eq!(seen, (0..5000).collect::<Vec<_>>(), "thread {t}");
        }
    }
}
