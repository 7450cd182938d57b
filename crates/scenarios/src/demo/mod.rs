//! Teaching scenarios (being written).
