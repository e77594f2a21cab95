//! Allocators other than glibc's (musl, macOS, Windows): no arena to set.

/// Gives the tray one malloc arena: only glibc has (and needs) the setting.
pub fn one_malloc_arena() {}
