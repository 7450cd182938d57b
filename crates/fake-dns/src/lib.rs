//! arcemu-fake-dns: filled by a later issue; depends on arcemu-model only.
