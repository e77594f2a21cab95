//! A [`Blocker`] and a [`ConfigWarning`] as the person reads them: in their language,
//! through one message each (`blocker-*`, `warning-*`). Their English `Display` stays for
//! the logs, the status JSON and the CLI. The matches are exhaustive: a new variant
//! without its message does not compile.

use crate::config::ConfigWarning;
use crate::health::Blocker;
use crate::t;

/// Why runs cannot start, in the person's words: "data/ es de solo lectura".
pub fn blocker_words(blocker: &Blocker) -> String {
    match blocker {
        Blocker::WorkspaceGone(root) => {
            t!(BLOCKER_WORKSPACE_GONE, path = root.display().to_string())
        }
        Blocker::DataGone => t!(BLOCKER_DATA_GONE),
        Blocker::DataUnreadable(why) => t!(BLOCKER_DATA_UNREADABLE, why = why.as_str()),
        Blocker::DataNotFolder => t!(BLOCKER_DATA_NOT_FOLDER),
        Blocker::DataReadOnly => t!(BLOCKER_DATA_READ_ONLY),
        Blocker::NotWritable => t!(BLOCKER_NOT_WRITABLE),
        Blocker::DiskFull => t!(BLOCKER_DISK_FULL),
        Blocker::QuotaFull => t!(BLOCKER_QUOTA_FULL),
        Blocker::DataUnusable(why) => t!(BLOCKER_DATA_UNUSABLE, why = why.as_str()),
        Blocker::NotRegular(file) => t!(BLOCKER_NOT_REGULAR, file = file.to_string()),
        Blocker::LeftoverRun { pid } => t!(BLOCKER_LEFTOVER_RUN, pid = *pid),
        Blocker::ConfigBroken(why) => t!(BLOCKER_CONFIG_BROKEN, why = why.as_str()),
        Blocker::Unserved(why) => t!(BLOCKER_UNSERVED, why = why.as_str()),
    }
}

/// One configuration warning, in the person's words.
pub fn warning_words(warning: &ConfigWarning) -> String {
    match warning {
        ConfigWarning::UnknownKey {
            path,
            did_you_mean: Some(fix),
            ..
        } => t!(
            WARNING_UNKNOWN_KEY_FIX,
            path = path.as_str(),
            fix = fix.as_str()
        ),
        ConfigWarning::UnknownKey {
            path,
            did_you_mean: None,
            known,
        } => t!(
            WARNING_UNKNOWN_KEY,
            path = path.as_str(),
            known = known.join(", ")
        ),
        ConfigWarning::ProbeWithoutRequire => t!(WARNING_PROBE_WITHOUT_REQUIRE),
        ConfigWarning::NotForChannel { key, kind } => {
            t!(
                WARNING_NOT_FOR_CHANNEL,
                key = key.as_str(),
                kind = kind.as_str()
            )
        }
        ConfigWarning::EnvNotSet { key, var } => {
            t!(WARNING_ENV_NOT_SET, key = key.as_str(), var = var.as_str())
        }
        ConfigWarning::NotOnPath { job, program } => {
            t!(
                WARNING_NOT_ON_PATH,
                job = job.as_str(),
                program = program.as_str()
            )
        }
    }
}

/// Several warnings in the person's words, one a line (a notification's body).
pub fn warning_lines(warnings: &[ConfigWarning]) -> String {
    warnings
        .iter()
        .map(warning_words)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::health::DataFile;
    use crate::i18n::{self, Lang};

    /// Every blocker, with the argument it names (`None`: it has none).
    fn blockers() -> Vec<(Blocker, Option<&'static str>)> {
        let all = vec![
            (
                Blocker::WorkspaceGone(PathBuf::from("/home/ana/dashboard")),
                Some("/home/ana/dashboard"),
            ),
            (Blocker::DataGone, None),
            (
                Blocker::DataUnreadable("Input/output error (os error 5)".into()),
                Some("Input/output error (os error 5)"),
            ),
            (Blocker::DataNotFolder, None),
            (Blocker::DataReadOnly, None),
            (Blocker::NotWritable, None),
            (Blocker::DiskFull, None),
            (Blocker::QuotaFull, None),
            (
                Blocker::DataUnusable("Stale file handle (os error 116)".into()),
                Some("Stale file handle (os error 116)"),
            ),
            (Blocker::NotRegular(DataFile::Lock), Some("data/.sync-lock")),
            (
                Blocker::NotRegular(DataFile::Status),
                Some("data/sync-status.json"),
            ),
            (Blocker::LeftoverRun { pid: 4242 }, Some("4242")),
            (
                Blocker::ConfigBroken("sync.json: line 3: expected `,`".into()),
                Some("sync.json: line 3: expected `,`"),
            ),
            (
                Blocker::Unserved("data/.sync-lock: cannot use the lock file: denied".into()),
                Some("data/.sync-lock: cannot use the lock file: denied"),
            ),
        ];
        // A new variant fails to compile here until it has a sample above.
        let variant = |b: &Blocker| match b {
            Blocker::WorkspaceGone(_) => 0,
            Blocker::DataGone => 1,
            Blocker::DataUnreadable(_) => 2,
            Blocker::DataNotFolder => 3,
            Blocker::DataReadOnly => 4,
            Blocker::NotWritable => 5,
            Blocker::DiskFull => 6,
            Blocker::QuotaFull => 7,
            Blocker::DataUnusable(_) => 8,
            Blocker::NotRegular(_) => 9,
            Blocker::LeftoverRun { .. } => 10,
            Blocker::ConfigBroken(_) => 11,
            Blocker::Unserved(_) => 12,
        };
        for i in 0..=12 {
            assert!(all.iter().any(|(b, _)| variant(b) == i), "no sample of {i}");
        }
        all
    }

    /// Every configuration warning, with the arguments it names.
    fn warnings() -> Vec<(ConfigWarning, Vec<&'static str>)> {
        let all = vec![
            (
                ConfigWarning::UnknownKey {
                    path: "retry.tries".into(),
                    did_you_mean: Some("retry.attempts".into()),
                    known: vec!["attempts".into(), "delaySeconds".into()],
                },
                vec!["retry.tries", "retry.attempts"],
            ),
            (
                ConfigWarning::UnknownKey {
                    path: "jobs[0].colour".into(),
                    did_you_mean: None,
                    known: vec!["name".into(), "command".into()],
                },
                vec!["jobs[0].colour", "name, command"],
            ),
            (
                ConfigWarning::ProbeWithoutRequire,
                // The configuration's own words, kept as they are.
                vec![r#""network.probe""#, r#""network.require": true"#],
            ),
            (
                ConfigWarning::NotForChannel {
                    key: "alerts[1].tokenFile".into(),
                    kind: "webhook".into(),
                },
                vec!["alerts[1].tokenFile", "webhook"],
            ),
            (
                ConfigWarning::EnvNotSet {
                    key: "alerts[0].tokenEnv".into(),
                    var: "NTFY_TOKEN".into(),
                },
                vec!["alerts[0].tokenEnv", "NTFY_TOKEN"],
            ),
            (
                ConfigWarning::NotOnPath {
                    job: "quality".into(),
                    program: "dbt".into(),
                },
                vec!["jobs.quality", "dbt"],
            ),
        ];
        // A new variant fails to compile here until it has a sample above.
        let variant = |w: &ConfigWarning| match w {
            ConfigWarning::UnknownKey {
                did_you_mean: Some(_),
                ..
            } => 0,
            ConfigWarning::UnknownKey {
                did_you_mean: None, ..
            } => 1,
            ConfigWarning::ProbeWithoutRequire => 2,
            ConfigWarning::NotForChannel { .. } => 3,
            ConfigWarning::EnvNotSet { .. } => 4,
            ConfigWarning::NotOnPath { .. } => 5,
        };
        for i in 0..=5 {
            assert!(all.iter().any(|(w, _)| variant(w) == i), "no sample of {i}");
        }
        all
    }

    /// The English text's own words, two at a time ("is not", "regular file"):
    /// the runs of words between its arguments. A translation that kept any of them has
    /// an English leftover.
    fn english_pairs(english: &str, args: &[&str]) -> Vec<String> {
        let mut rest = english.to_owned();
        for arg in args {
            rest = rest.replace(arg, " \u{0} ");
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        words
            .windows(2)
            .filter(|w| w.iter().all(|w| !w.contains('\u{0}')))
            .map(|w| w.join(" "))
            .collect()
    }

    #[test]
    fn in_english_each_blocker_and_warning_reads_as_its_display() {
        i18n::in_english(|| {
            for (b, _) in blockers() {
                assert_eq!(blocker_words(&b), b.to_string());
            }
            for (w, _) in warnings() {
                assert_eq!(warning_words(&w), w.to_string());
            }
        });
    }

    #[test]
    fn every_blocker_and_warning_is_said_in_each_language_with_its_arguments() {
        for tag in ["es_ES.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "pt_BR.UTF-8"] {
            let lang = Arc::new(Lang::new(&[tag], None));
            assert_ne!(lang.tags()[0], "en", "{tag}");
            let texts: Vec<(String, String, Vec<&str>)> = i18n::using(lang, || {
                let b = blockers()
                    .into_iter()
                    .map(|(b, arg)| (blocker_words(&b), b.to_string(), arg.into_iter().collect()));
                let w = warnings()
                    .into_iter()
                    .map(|(w, args)| (warning_words(&w), w.to_string(), args));
                b.chain(w).collect()
            });
            for (said, english, args) in texts {
                assert_ne!(said, english, "{tag}: said in English");
                for arg in &args {
                    assert!(said.contains(arg), "{tag}: {said:?} does not name {arg:?}");
                }
                let words: Vec<&str> = said.split_whitespace().collect();
                let pairs: Vec<String> = words.windows(2).map(|w| w.join(" ")).collect();
                for phrase in english_pairs(&english, &args) {
                    assert!(
                        !pairs.contains(&phrase),
                        "{tag}: {said:?} keeps the English {phrase:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_notification_says_the_blocker_and_the_warnings_in_spanish() {
        let spanish = Arc::new(Lang::new(&["es_ES.UTF-8"], None));
        i18n::using(spanish, || {
            let (title, _) = crate::notify::Note::Problem(Blocker::DataReadOnly).text();
            assert_eq!(title, "No se puede sincronizar: data/ es de solo lectura");
            let (_, body) = crate::notify::Note::ConfigWarning(vec![
                ConfigWarning::ProbeWithoutRequire,
                ConfigWarning::NotOnPath {
                    job: "quality".into(),
                    program: "dbt".into(),
                },
            ])
            .text();
            assert_eq!(
                body,
                "\"network.probe\" solo se usa con \"network.require\": true (las ejecuciones no esperan a la red)\n\
                 jobs.quality: «dbt» no está en el PATH (la tarea no puede iniciarse)"
            );
        });
    }
}
