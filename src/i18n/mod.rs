//! The person's language on the desktop: every word of the tray's menu and tooltip and of
//! the notifications comes from a Project Fluent file, `i18n/<language>/synctray.ftl`,
//! embedded at build time (see `build.rs`). English is the reference and the fallback: a
//! message a language lacks is said in English, and a message id is never shown.
//!
//! The language is chosen once, by the desktop front ends ([`init_from_env`]: the tray and
//! `--daemon`, whose notifications the person reads), from `LANGUAGE`, `LC_ALL`,
//! `LC_MESSAGES` and `LANG` as gettext reads them; the clock (12 or 24 hours) from
//! `LC_ALL`, `LC_TIME` and `LANG`. Everything else — the CLI, logs, the files, `--json`,
//! metrics — stays English: machine-readable output never changes with the locale, and a
//! log line is the same for every reader. [`in_english`] renders a text in English where
//! a log repeats what the desktop was shown.
//!
//! `t!(ID, name = value, …)` says message `ID` (a constant of [`id`], generated from the
//! English file, so an unknown id does not compile) with its arguments. [`time`] and
//! [`at`] say a time of day and a moment as the locale does; [`length`] a length of time.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, Local, NaiveTime, TimeDelta, Timelike, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

include!(concat!(env!("OUT_DIR"), "/i18n.rs"));

/// Says message `$id` (a constant of [`id`]) in the person's language, with its arguments:
/// `t!(FAILING_SINCE, job = name, since = clock, runs = 5)`.
#[macro_export]
macro_rules! t {
    ($id:ident) => {
        $crate::i18n::text($crate::i18n::id::$id, &[])
    };
    ($id:ident, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text(
            $crate::i18n::id::$id,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

/// An argument of a message: a number (which picks a plural form) or a text.
pub type Arg<'a> = FluentValue<'a>;

/// A language to speak: its messages, then English's for what it lacks; and its clock.
pub struct Lang {
    /// The languages asked for that synctray has, in order, English last.
    tags: Vec<&'static str>,
    /// Their messages, parsed when the first text is said: an idle daemon says nothing
    /// for hours, and a language's parsed messages are the larger part of its heap (about
    /// 100 KB for English alone).
    bundles: OnceLock<Vec<FluentBundle<FluentResource>>>,
    twelve_hour: bool,
}

impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lang")
            .field("languages", &self.tags())
            .field("twelve_hour", &self.twelve_hour)
            .finish()
    }
}

/// The file of language `tag` ("es", "pt-BR"), if synctray has it.
fn file_of(tag: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, text)| *text)
}

fn bundle(tag: &str) -> FluentBundle<FluentResource> {
    let text = file_of(tag).expect("a language synctray has");
    let lang: LanguageIdentifier = tag.parse().expect("the folders are language tags");
    // A file that does not parse is caught by the unit tests; what parses is used.
    let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(r, _)| r);
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // No Unicode isolation marks around the values: menus and notification servers show
    // them as boxes, and the texts here mix no right-to-left script.
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    bundle
}

impl Lang {
    /// English, with a 24-hour clock.
    pub fn english() -> Lang {
        Lang {
            tags: vec!["en"],
            bundles: OnceLock::new(),
            twelve_hour: false,
        }
    }

    /// The language of the locale names `messages` (most wanted first, as `LANGUAGE`
    /// lists them: "es_ES.UTF-8", "pt_BR", "fr") with the clock of the locale `time`.
    pub fn new(messages: &[&str], time: Option<&str>) -> Lang {
        let mut tags: Vec<&'static str> = Vec::new();
        for name in messages {
            if let Some(tag) = parse_locale(name).and_then(|l| shipped(&l))
                && !tags.contains(&tag)
            {
                tags.push(tag);
            }
        }
        if !tags.contains(&"en") {
            tags.push("en");
        }
        // Nothing after English is ever asked for.
        tags.truncate(tags.iter().position(|t| *t == "en").expect("pushed") + 1);
        Lang {
            tags,
            bundles: OnceLock::new(),
            twelve_hour: time
                .and_then(parse_locale)
                .is_some_and(|l| uses_12_hours(&l)),
        }
    }

    /// The language the environment asks for (see [`from_vars`]); where it asks for none,
    /// the system's settings (macOS, Windows: they set no `LANG`).
    pub fn from_env() -> Lang {
        let lang = from_vars(|name| std::env::var(name).ok());
        let set = |name: &&str| std::env::var(name).is_ok_and(|v| !v.is_empty());
        if ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .any(set)
        {
            return lang;
        }
        let system = crate::sys::system_languages();
        let wanted: Vec<&str> = system.iter().map(String::as_str).collect();
        let time = wanted.first().copied();
        Lang::new(&wanted, time)
    }

    /// The languages spoken, most wanted first ("es", "en").
    pub fn tags(&self) -> Vec<String> {
        self.tags.iter().map(|t| t.to_string()).collect()
    }

    /// Whether times are said on a 12-hour clock.
    pub fn twelve_hour(&self) -> bool {
        self.twelve_hour
    }

    /// Message `id` with `args`, from the first language that has it.
    pub fn text(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let args = (!args.is_empty()).then(|| {
            let mut all = FluentArgs::with_capacity(args.len());
            for (name, value) in args {
                all.set(*name, value.clone());
            }
            all
        });
        let bundles = self
            .bundles
            .get_or_init(|| self.tags.iter().map(|t| bundle(t)).collect());
        for bundle in bundles {
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args.as_ref(), &mut errors);
            if errors.is_empty() {
                return text.into_owned();
            }
            // A translation that asks for something it is not given: English says it.
            tracing::debug!("message {id} in {}: {errors:?}", bundle.locales[0]);
        }
        // Unreachable with an id of [`id`]: English has them all. Never show the id.
        tracing::warn!("no text for message {id}");
        String::new()
    }
}

/// The language of the process, [`init`] or [`init_from_env`] set: English until then.
static CURRENT: OnceLock<Lang> = OnceLock::new();

thread_local! {
    /// A language this thread speaks for a while ([`using`]), over [`CURRENT`].
    static OVERRIDE: RefCell<Option<Arc<Lang>>> = const { RefCell::new(None) };
}

fn english() -> &'static Arc<Lang> {
    static ENGLISH: OnceLock<Arc<Lang>> = OnceLock::new();
    ENGLISH.get_or_init(|| Arc::new(Lang::english()))
}

/// Sets the process's language (once; later calls change nothing).
pub fn init(lang: Lang) {
    let _ = CURRENT.set(lang);
}

/// Sets the process's language from the environment: the desktop front ends do, so that
/// the person reads the tray and the notifications in their language.
pub fn init_from_env() {
    let lang = Lang::from_env();
    tracing::debug!("language: {}", lang.tags().join(", "));
    init(lang);
}

/// Runs `f` with this thread speaking `lang`.
pub fn using<R>(lang: Arc<Lang>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<Lang>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OVERRIDE.with(|o| *o.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.borrow_mut().replace(lang)));
    f()
}

/// Runs `f` in English: for a log line that repeats what the desktop was told.
pub fn in_english<R>(f: impl FnOnce() -> R) -> R {
    using(Arc::clone(english()), f)
}

/// Runs `f` with the language this thread speaks.
fn with_lang<R>(f: impl FnOnce(&Lang) -> R) -> R {
    let over = OVERRIDE.with(|o| o.borrow().clone());
    match &over {
        Some(lang) => f(lang),
        None => f(CURRENT.get().unwrap_or_else(|| english())),
    }
}

/// Message `id` with `args` in the language this thread speaks (see [`t!`]).
pub fn text(id: &str, args: &[(&str, Arg)]) -> String {
    with_lang(|lang| lang.text(id, args))
}

/// The language `get` (the environment) asks for, as gettext reads it: the locale of
/// messages is `LC_ALL`, else `LC_MESSAGES`, else `LANG`; unless it is "C" (or unset),
/// `LANGUAGE` lists the languages wanted before it ("fr:de"). The clock is the locale of
/// times: `LC_ALL`, else `LC_TIME`, else `LANG`.
pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
    let set = |name: &str| get(name).filter(|v| !v.is_empty());
    let messages = set("LC_ALL")
        .or_else(|| set("LC_MESSAGES"))
        .or_else(|| set("LANG"));
    let time = set("LC_ALL")
        .or_else(|| set("LC_TIME"))
        .or_else(|| set("LANG"));
    let mut wanted: Vec<String> = Vec::new();
    if let Some(locale) = messages.filter(|m| parse_locale(m).is_some()) {
        if let Some(list) = set("LANGUAGE") {
            wanted.extend(list.split(':').map(str::to_owned));
        }
        wanted.push(locale);
    }
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    Lang::new(&wanted, time.as_deref())
}

/// The language of a POSIX locale name ("es_ES.UTF-8@euro" → es-ES); `None` for "C",
/// "POSIX" and what is not a locale name.
fn parse_locale(name: &str) -> Option<LanguageIdentifier> {
    let name = name.split(['.', '@']).next().unwrap_or_default();
    if name.is_empty() || name == "C" || name == "POSIX" {
        return None;
    }
    name.replace('_', "-").parse().ok()
}

/// The language synctray has for `wanted`: the same language and region (pt-BR), else
/// the same language (es-MX → es, pt-PT → pt-BR: closer than English).
fn shipped(wanted: &LanguageIdentifier) -> Option<&'static str> {
    let tags = || LANGUAGES.iter().map(|(tag, _)| *tag);
    let exact = tags().find(|tag| {
        tag.parse::<LanguageIdentifier>()
            .is_ok_and(|l| l.language == wanted.language && l.region == wanted.region)
    });
    exact.or_else(|| {
        tags().find(|tag| {
            tag.parse::<LanguageIdentifier>()
                .is_ok_and(|l| l.language == wanted.language)
        })
    })
}

/// Whether the locale `l` reads the time on a 12-hour clock (the regions whose usual
/// time format is `h:mm a` in the Unicode CLDR: the United States, Canada in English,
/// Australia, New Zealand, the Philippines, India, Pakistan, Bangladesh, Egypt, Saudi
/// Arabia...). A language alone ("en") counts as its most usual region.
fn uses_12_hours(l: &LanguageIdentifier) -> bool {
    let region = l.region.as_ref().map(|r| r.as_str());
    let language = l.language.as_str();
    match region {
        None => language == "en",
        Some("CA") => language == "en",
        Some(r) => matches!(
            r,
            "US" | "AU" | "NZ" | "PH" | "IN" | "PK" | "BD" | "EG" | "SA" | "JO" | "MY" | "KR"
        ),
    }
}

/// A time of day as the locale says it: "14:30", or "2:30 PM" on a 12-hour clock; with
/// its seconds when `seconds` ("14:30:05").
pub fn time(t: NaiveTime, seconds: bool) -> String {
    let twelve = with_lang(Lang::twelve_hour);
    if !twelve {
        return t
            .format(if seconds { "%H:%M:%S" } else { "%H:%M" })
            .to_string();
    }
    let (pm, hour) = t.hour12();
    let period = if pm { "pm" } else { "am" };
    let minute = format!("{:02}", t.minute());
    if seconds {
        let second = format!("{:02}", t.second());
        t!(
            TIME_12H_SECONDS,
            hour = hour,
            minute = minute,
            second = second,
            period = period
        )
    } else {
        t!(TIME_12H, hour = hour, minute = minute, period = period)
    }
}

/// A moment as the menu says it, from `now`: "14:30" today, "yesterday 14:30",
/// "tomorrow 09:00", "Mon 09:00" within a week, else "25 Nov 14:30" (and the year when it
/// is not this one), in the person's words and clock.
pub fn at(t: DateTime<Utc>, now: DateTime<Local>, seconds: bool) -> String {
    let t = t.with_timezone(&Local);
    let days = (t.date_naive() - now.date_naive()).num_days();
    let hm = time(t.time(), seconds);
    const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = || t!(MONTH_SHORT, month = MONTHS[t.month0() as usize]);
    match days {
        0 => hm,
        -1 => t!(AT_YESTERDAY, time = hm),
        1 => t!(AT_TOMORROW, time = hm),
        -6..=6 => {
            let day = WEEKDAYS[t.weekday().num_days_from_monday() as usize];
            t!(
                AT_WEEKDAY,
                weekday = t!(WEEKDAY_SHORT, weekday = day),
                time = hm
            )
        }
        _ if t.year() == now.year() => t!(AT_DATE, day = t.day(), month = month(), time = hm),
        _ => t!(
            AT_DATE_YEAR,
            day = t.day(),
            month = month(),
            year = t.year().to_string(),
            time = hm
        ),
    }
}

/// `x` with one decimal, as the language writes it: "3.1", "3,1".
pub fn decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', &t!(DECIMAL_SEPARATOR))
}

/// A length of time in its largest unit and the next: "45 min", "1 h 5 min", "2 d 3 h"
/// (minutes at least; see [`seconds`]).
pub fn length(minutes: i64) -> String {
    let (hours, min) = (minutes / 60, minutes % 60);
    let (days, hrs) = (hours / 24, hours % 24);
    match (days, hours, min, hrs) {
        (0, 0, m, _) => t!(MINUTES, count = m),
        (0, h, 0, _) => t!(HOURS, count = h),
        (0, h, m, _) => t!(
            LENGTH_TWO,
            first = t!(HOURS, count = h),
            second = t!(MINUTES, count = m)
        ),
        (d, _, _, 0) => t!(DAYS, count = d),
        (d, _, _, h) => t!(
            LENGTH_TWO,
            first = t!(DAYS, count = d),
            second = t!(HOURS, count = h)
        ),
    }
}

/// An interval of the schedule, in hours when it is whole hours: "45 min", "24 h".
pub fn interval(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        t!(HOURS, count = minutes / 60)
    } else {
        t!(MINUTES, count = minutes)
    }
}

/// A number of seconds: "30 s".
pub fn seconds(count: i64) -> String {
    t!(SECONDS, count = count)
}

/// An age in one unit, as a notification says it: "45 min", "3 h", "2 d".
pub fn age(age: TimeDelta) -> String {
    let minutes = age.num_minutes().max(1);
    match minutes {
        ..120 => t!(MINUTES, count = minutes),
        120..2880 => t!(HOURS, count = minutes / 60),
        _ => t!(DAYS, count = minutes / 1440),
    }
}

#[cfg(test)]
mod tests;
