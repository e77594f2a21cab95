use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeZone;
use fluent_bundle::FluentResource;
use fluent_syntax::ast;

use super::*;

/// Each message's id and the `$variables` it uses (in any variant).
fn messages(tag: &str, text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = FluentResource::try_new(text.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("i18n/{tag}/synctray.ftl does not parse: {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.entries() {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                let value = m.value.as_ref().unwrap_or_else(|| {
                    panic!("i18n/{tag}/synctray.ftl: {} has no text", m.id.name)
                });
                pattern_vars(value, &mut vars);
                assert!(
                    out.insert(m.id.name.to_owned(), vars).is_none(),
                    "i18n/{tag}/synctray.ftl: {} is there twice",
                    m.id.name
                );
            }
            ast::Entry::Term(t) => panic!(
                "i18n/{tag}/synctray.ftl: -{} is a term; synctray's files use messages only",
                t.id.name
            ),
            _ => {}
        }
    }
    out
}

fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for variant in variants {
                pattern_vars(&variant.value, vars);
            }
        }
        ast::Expression::Inline(inline) => inline_vars(inline, vars),
    }
}

fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for arg in &arguments.positional {
                inline_vars(arg, vars);
            }
        }
        _ => {}
    }
}

#[test]
fn every_language_has_exactly_the_english_messages_with_their_placeables() {
    let english = messages("en", file_of("en").unwrap());
    assert!(english.len() > 50, "the English file reads as {english:?}");
    assert!(
        LANGUAGES.len() >= 5,
        "{:?}",
        LANGUAGES.iter().map(|l| l.0).collect::<Vec<_>>()
    );
    let mut wrong = Vec::new();
    for (tag, text) in LANGUAGES {
        let theirs = messages(tag, text);
        for (id, vars) in &english {
            match theirs.get(id) {
                None => wrong.push(format!("{tag}: {id} is missing")),
                Some(v) if v != vars => {
                    wrong.push(format!("{tag}: {id} uses {v:?}; English uses {vars:?}"))
                }
                Some(_) => {}
            }
        }
        for id in theirs.keys().filter(|id| !english.contains_key(*id)) {
            wrong.push(format!("{tag}: {id} is not in English"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_completeness_check_sees_a_missing_message_and_a_dropped_placeable() {
    let english = messages("en", "a = A { $n }\nb = B\n");
    let theirs = messages("xx", "a = A\n");
    assert_ne!(english.get("a"), theirs.get("a"));
    assert!(!theirs.contains_key("b"));
}

#[test]
fn every_message_renders_in_every_language_without_an_error() {
    for (tag, _) in LANGUAGES {
        let bundle = bundle(tag);
        for id in messages(tag, file_of(tag).unwrap()).keys() {
            let pattern = bundle.get_message(id).and_then(|m| m.value()).unwrap();
            let mut args = FluentArgs::new();
            for name in messages("en", file_of("en").unwrap())[id].iter() {
                args.set(name.clone(), FluentValue::from(2));
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{tag} {id}: {errors:?}");
            assert!(!text.is_empty(), "{tag} {id} says nothing");
        }
    }
}

fn lang(vars: &[(&str, &str)]) -> Lang {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    from_vars(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

#[test]
fn the_language_follows_the_gettext_chain() {
    assert_eq!(lang(&[]).tags(), ["en"]);
    assert_eq!(lang(&[("LANG", "es_ES.UTF-8")]).tags(), ["es", "en"]);
    assert_eq!(lang(&[("LANG", "de_DE.UTF-8@euro")]).tags(), ["de", "en"]);
    assert_eq!(lang(&[("LANG", "pt_BR.UTF-8")]).tags(), ["pt-BR", "en"]);
    // Portuguese of Portugal: Brazil's is closer than English.
    assert_eq!(lang(&[("LANG", "pt_PT.UTF-8")]).tags(), ["pt-BR", "en"]);
    assert_eq!(lang(&[("LANG", "es_MX.UTF-8")]).tags(), ["es", "en"]);
    assert_eq!(lang(&[("LANG", "ja_JP.UTF-8")]).tags(), ["en"]);
    // LC_ALL over LC_MESSAGES over LANG.
    let both = [("LANG", "de_DE.UTF-8"), ("LC_MESSAGES", "fr_FR.UTF-8")];
    assert_eq!(lang(&both).tags(), ["fr", "en"]);
    let all = [
        ("LANG", "de_DE.UTF-8"),
        ("LC_MESSAGES", "fr_FR.UTF-8"),
        ("LC_ALL", "es_ES.UTF-8"),
    ];
    assert_eq!(lang(&all).tags(), ["es", "en"]);
    // LANGUAGE lists the languages wanted first, unless the locale is C.
    let list = [("LANG", "de_DE.UTF-8"), ("LANGUAGE", "ja:fr:de")];
    assert_eq!(lang(&list).tags(), ["fr", "de", "en"]);
    assert_eq!(
        lang(&[("LANG", "C.UTF-8"), ("LANGUAGE", "fr")]).tags(),
        ["en"]
    );
    // English in the list: nothing after it is asked for.
    assert_eq!(
        lang(&[("LANG", "de_DE.UTF-8"), ("LANGUAGE", "en_GB:de")]).tags(),
        ["en"]
    );
    // An empty variable is as unset.
    assert_eq!(
        lang(&[("LANG", "es_ES.UTF-8"), ("LC_ALL", "")]).tags(),
        ["es", "en"]
    );
}

#[test]
fn the_clock_has_12_hours_where_the_locale_of_times_has() {
    assert!(lang(&[("LANG", "en_US.UTF-8")]).twelve_hour());
    assert!(!lang(&[("LANG", "en_GB.UTF-8")]).twelve_hour());
    assert!(!lang(&[("LANG", "de_DE.UTF-8")]).twelve_hour());
    assert!(!lang(&[("LANG", "es_ES.UTF-8")]).twelve_hour());
    assert!(!lang(&[("LANG", "fr_CA.UTF-8")]).twelve_hour());
    assert!(lang(&[("LANG", "en_CA.UTF-8")]).twelve_hour());
    assert!(!lang(&[]).twelve_hour());
    // LC_TIME, not LC_MESSAGES.
    assert!(lang(&[("LANG", "de_DE.UTF-8"), ("LC_TIME", "en_US.UTF-8")]).twelve_hour());
    assert!(!lang(&[("LANG", "en_US.UTF-8"), ("LC_TIME", "en_GB.UTF-8")]).twelve_hour());
}

fn speaking<R>(vars: &[(&str, &str)], f: impl FnOnce() -> R) -> R {
    using(Arc::new(lang(vars)), f)
}

#[test]
fn en_us_says_the_time_on_a_12_hour_clock() {
    let now = Local.with_ymd_and_hms(2026, 12, 6, 14, 33, 0).unwrap();
    let at_ = |h, m| {
        Local
            .with_ymd_and_hms(2026, 12, 6, h, m, 5)
            .unwrap()
            .with_timezone(&Utc)
    };
    speaking(&[("LANG", "en_US.UTF-8")], || {
        assert_eq!(at(at_(14, 30), now, false), "2:30 PM");
        assert_eq!(at(at_(0, 5), now, false), "12:05 AM");
        assert_eq!(at(at_(12, 0), now, false), "12:00 PM");
        assert_eq!(at(at_(9, 7), now, true), "9:07:05 AM");
        let tomorrow = at_(9, 0) + TimeDelta::days(1);
        assert_eq!(at(tomorrow, now, false), "tomorrow 9:00 AM");
    });
    speaking(&[("LANG", "en_GB.UTF-8")], || {
        assert_eq!(at(at_(14, 30), now, false), "14:30");
        assert_eq!(at(at_(9, 7), now, true), "09:07:05");
    });
}

#[test]
fn days_and_months_are_said_in_the_language() {
    // Sunday 6 December 2026.
    let now = Local.with_ymd_and_hms(2026, 12, 6, 14, 33, 0).unwrap();
    let day = |d: i64| (now + TimeDelta::days(d)).with_timezone(&Utc);
    speaking(&[("LANG", "es_ES.UTF-8")], || {
        assert_eq!(at(day(-1), now, false), "ayer 14:33");
        assert_eq!(at(day(1), now, false), "mañana 14:33");
        assert_eq!(at(day(-3), now, false), "jue 14:33");
        assert_eq!(at(day(-30), now, false), "6 nov 14:33");
        assert_eq!(at(day(-365), now, false), "6 dic 2025 14:33");
    });
    speaking(&[("LANG", "de_DE.UTF-8")], || {
        assert_eq!(at(day(-1), now, false), "gestern 14:33");
        assert_eq!(at(day(1), now, false), "morgen 14:33");
        assert_eq!(at(day(-3), now, false), "Do 14:33");
        assert_eq!(at(day(-30), now, false), "6. Nov. 14:33");
    });
    speaking(&[("LANG", "en_US.UTF-8")], || {
        assert_eq!(at(day(-3), now, false), "Thu 2:33 PM");
        assert_eq!(at(day(-1), now, false), "yesterday 2:33 PM");
    });
}

#[test]
fn lengths_and_plurals_follow_the_language() {
    speaking(&[("LANG", "de_DE.UTF-8")], || {
        assert_eq!(length(65), "1 Std. 5 Min.");
        assert_eq!(decimal(3.12), "3,1");
        assert_eq!(
            t!(FAILING_SINCE, job = "quality", since = "14:15", runs = 1),
            "✗ quality fehlerhaft seit 14:15 (1 Lauf)"
        );
        assert_eq!(
            t!(FAILING_SINCE, job = "quality", since = "14:15", runs = 5),
            "✗ quality fehlerhaft seit 14:15 (5 Läufe)"
        );
    });
    speaking(&[("LANG", "fr_FR.UTF-8")], || {
        // French counts 0 and 1 as one.
        assert_eq!(
            t!(FAILING_SINCE, job = "quality", since = "14:15", runs = 1),
            "✗ quality échoue depuis 14:15 (1 fois)"
        );
    });
    speaking(&[], || {
        assert_eq!(length(65), "1 h 5 min");
        assert_eq!(length(3 * 1440 + 60), "3 d 1 h");
        assert_eq!(age(TimeDelta::minutes(190)), "3 h");
        assert_eq!(decimal(3.12), "3.1");
        assert_eq!(
            t!(FAILING_SINCE, job = "q", since = "14:15", runs = 1),
            "✗ q failing since 14:15 (1 run)"
        );
    });
}

#[test]
fn a_message_a_language_lacks_is_said_in_english_never_as_its_id() {
    // A language with one message only: the rest comes from English.
    let lang = Lang::new(&["es_ES"], None);
    assert_eq!(lang.text(id::QUIT, &[]), "Salir");
    let only_quit = FluentResource::try_new("quit = Q\n".to_owned()).unwrap();
    let mut bundle = FluentBundle::new_concurrent(vec!["xx".parse().unwrap()]);
    bundle.set_use_isolating(false);
    bundle.add_resource(only_quit).unwrap();
    let lang = Lang {
        tags: vec!["xx", "en"],
        bundles: vec![bundle, super::bundle("en")].into(),
        twelve_hour: false,
    };
    assert_eq!(lang.text(id::QUIT, &[]), "Q");
    assert_eq!(lang.text(id::SYNC_NOW, &[]), "Sync now");
    // An id nobody has (only possible from outside `id`): nothing, not the id.
    assert_eq!(lang.text("no-such-message", &[]), "");
}

/// The menu's lines (not the notifications, which wrap), by id.
const MENU_LINES: &[&str] = &[
    "last-sync-ok",
    "last-sync-failed",
    "failing-since",
    "interrupted",
    "interrupted-last-success",
    "cannot-sync",
    "data-old",
    "data-old-never",
    "syncing-job",
    "retrying",
    "waiting-network",
    "waiting-power",
    "waiting-power-until",
    "waiting-unmetered",
    "waiting-unmetered-until",
    "syncing-elsewhere",
    "syncing-elsewhere-pid",
    "paused",
    "next-run",
    "no-run-scheduled",
    "not-syncing-until-fixed",
    "served-elsewhere",
    "served-elsewhere-pid",
    "quitting",
    "quitting-stopping-sync",
    "sync-now",
    "change-interval",
    "custom-every",
    "pause-scheduled",
    "recent-runs",
    "no-runs-yet",
    "open-logs",
    "edit-config",
    "open-folder",
    "start-at-login",
    "sync-all",
    "pause-all",
    "pause",
    "pause-for-an-hour",
    "pause-until-tomorrow",
    "pause-until-resumed",
    "resume",
    "paused-until",
];

/// Message `id` in language `tag` with typical values for its variables.
fn typical(tag: &str, id: &str, vars: &BTreeSet<String>) -> String {
    let lang = Lang::new(&[tag.replace('-', "_").as_str()], None);
    let args: Vec<(&str, Arg)> = vars
        .iter()
        .map(|v| {
            let value = match v.as_str() {
                "runs" | "index" | "total" | "attempt" | "attempts" | "pid" => Arg::from(5),
                "time" | "since" | "success" => Arg::from("14:30"),
                "when" => Arg::from(lang.text(id::IN_TIME, &[("length", Arg::from("12 min"))])),
                "length" | "age" => Arg::from("3 min"),
                _ => Arg::from("quality"),
            };
            (v.as_str(), value)
        })
        .collect();
    lang.text(id, &args)
}

/// German runs about 30 % longer than English: every language's menu line keeps to the
/// menu's width (48 characters, the width the tray elides names and notices to) or, where
/// the English line is longer, to English's width and a tenth.
#[test]
fn every_languages_menu_lines_fit_as_the_english_ones_do() {
    let english = messages("en", file_of("en").unwrap());
    let mut wide = Vec::new();
    for id in MENU_LINES {
        let vars = &english[*id];
        let en = typical("en", id, vars).chars().count();
        let room = 48.max(en + en / 10);
        for (tag, _) in LANGUAGES {
            let text = typical(tag, id, vars);
            if text.chars().count() > room {
                wide.push(format!(
                    "{tag} {id}: {text:?} ({} > {room})",
                    text.chars().count()
                ));
            }
        }
    }
    // A failure streak with the data's age added, the longest line there is.
    for (tag, _) in LANGUAGES {
        let lang = Lang::new(&[tag.replace('-', "_").as_str()], None);
        let streak = typical(tag, "failing-since", &english["failing-since"]);
        let aged = lang.text(
            id::WITH_DATA_AGE,
            &[("line", Arg::from(streak)), ("age", Arg::from("3 min"))],
        );
        let en = 55;
        if aged.chars().count() > en + en / 10 {
            wide.push(format!("{tag}: {aged:?} ({})", aged.chars().count()));
        }
    }
    assert!(
        wide.is_empty(),
        "lines too wide for the menu:\n{}",
        wide.join("\n")
    );
}
