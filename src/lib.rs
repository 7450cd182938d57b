//! arcemu
