//! The user's preferred languages from the system's settings.

/// The user's languages, most wanted first ("es-ES", "en-US").
pub fn system_languages() -> Vec<String> {
    sys_locale::get_locales().collect()
}
