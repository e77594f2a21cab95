//! Linux and the other unixes: the environment says the language; nothing more to ask.

/// None: see [`crate::i18n`], which reads the environment.
pub fn system_languages() -> Vec<String> {
    Vec::new()
}
