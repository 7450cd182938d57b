//! The real clock, injected into the model by the binary and by [`crate::Emulator`]
//! (the model itself never reads time).

use arcemu_model::clock::Clock;
use time::OffsetDateTime;

/// Wall-clock time (UTC).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
