//! Time, injected. The model never reads the real clock: the faces pass a [`Clock`]
//! (the binary uses the system clock; tests and reproducible runs use [`ManualClock`]).

use std::sync::Mutex;
use time::OffsetDateTime;

/// A source of "now".
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// A clock that only moves when told to. Starts at a fixed instant.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    /// 2026-01-01T00:00:00Z, the default start of reproducible runs.
    pub const DEFAULT_START: OffsetDateTime = time::macros::datetime!(2026-01-01 00:00:00 UTC);

    pub fn new(start: OffsetDateTime) -> Self {
        Self { now: Mutex::new(start) }
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new(Self::DEFAULT_START)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// RFC 3339 with 7 fractional digits and `Z`, as ARM prints timestamps.
pub fn format_arm_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::default();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(time::Duration::seconds(5));
        assert_eq!(c.now() - t0, time::Duration::seconds(5));
        assert_eq!(format_arm_time(t0), "2026-01-01T00:00:00.0000000Z");
    }
}
