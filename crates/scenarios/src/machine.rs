//! State machine operations (being written).
