//! The languages the person's system asks for, where the environment does not say
//! (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG` are read by [`crate::i18n`] first, on
//! every platform).
//!
//! # Platform specific behavior
//! - Linux and the other unixes (`unix.rs`): none; the environment is the system's word.
//! - macOS (`macos.rs`): the preferred languages of the user's settings (CoreFoundation,
//!   through `sys-locale`), as BCP 47 tags ("es-ES").
//! - Windows (`windows.rs`): the user's preferred UI languages (`GetUserPreferredUILanguages`,
//!   through `sys-locale`).

#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(not(any(target_os = "macos", windows)), path = "unix.rs")]
mod imp;
pub use imp::system_languages;
