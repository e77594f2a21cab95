//! Rewriting `sync.json`'s text: [`edit`] changes the keys synctray owns (`intervalMinutes`,
//! `schedule`, `paused`) under the edit lock, and [`Splice`] replaces, removes or appends
//! members in the file's text so that every other key keeps its text byte for byte.

use std::path::Path;

use serde_json::Value;

use super::{
    Config, ConfigError, ConfigErrorKind, INTERVAL_MINUTES, check_private, interval_rule, invalid,
    read_object, real_path,
};
use crate::fsutil::{self, Durability};

/// A change synctray makes to the file: only these keys, every other key kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Sets `intervalMinutes` and removes `schedule` (the user picked an interval).
    Interval(u32),
    /// Sets `paused` and removes `pausedUntil` (pause until resumed, or resume).
    Paused(bool),
    /// Sets `pausedUntil` (a time ahead) and `paused` to false where it is set; `None`
    /// removes `pausedUntil` (the pause has ended).
    PausedUntil(Option<chrono::DateTime<chrono::Utc>>),
}

impl Edit {
    /// What it writes, for the log: "intervalMinutes: 30 (schedule removed)".
    pub fn describe(self) -> String {
        match self {
            Edit::Interval(n) => format!("intervalMinutes: {n} (schedule removed)"),
            Edit::Paused(p) => format!("paused: {p} (pausedUntil removed)"),
            Edit::PausedUntil(Some(at)) => format!(
                "pausedUntil: {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Edit::PausedUntil(None) => "pausedUntil removed (the pause ended)".to_owned(),
        }
    }

    /// What did not happen when the edit is refused: "Interval not changed".
    pub fn refused(self) -> &'static str {
        match self {
            Edit::Interval(_) => "Interval not changed",
            Edit::Paused(true) | Edit::PausedUntil(Some(_)) => "Not paused",
            Edit::Paused(false) | Edit::PausedUntil(None) => "Not resumed",
        }
    }
}

/// The file beside the config whose OS lock serialises edits. synctray never deletes it,
/// so that two editors always lock the same file.
pub use crate::workspace::names::EDIT_LOCK;

/// Applies `edit` to the file at `path` atomically and returns the new configuration.
///
/// - Edits are serialised across processes (an OS lock on [`EDIT_LOCK`] beside the
///   file), and each reads the file under that lock, so two edits at once both land.
/// - Only the edited keys' text changes: every other key keeps its text exactly as
///   written (`1e3` stays `1e3`, big integers keep their digits), and the layout is kept.
/// - When the config is a symbolic link, the file it points to is written and the link
///   kept.
/// - The file is read and validated first; a file that does not parse, would not be valid
///   after the edit, or is writable by others is left exactly as it is.
pub fn edit(path: &Path, edit: Edit) -> Result<Config, ConfigError> {
    let fail = |kind| ConfigError::new(path, kind);
    if let Edit::Interval(n) = edit
        && !INTERVAL_MINUTES.contains(&n)
    {
        return Err(fail(invalid(
            "intervalMinutes",
            &interval_rule(),
            &Value::from(n),
        )));
    }
    // A missing file is "cannot read", not a failure to lock beside it.
    std::fs::metadata(path).map_err(|e| fail(ConfigErrorKind::Io(e)))?;
    let _lock = lock_edits(path)?;
    let (text, mut object) = read_object(path)?;
    check_private(path)?;
    let mut spliced = Splice::new(&text);
    // The time the file is written: a `pausedUntil` already past would make it invalid
    // (see `Config::load`), so a pause that has ended leaves the file with any edit.
    let written = chrono::Utc::now();
    if let Some(Value::String(until)) = object.get("pausedUntil")
        && chrono::DateTime::parse_from_rfc3339(until).is_ok_and(|at| at <= written)
    {
        object.shift_remove("pausedUntil");
        spliced.remove("pausedUntil");
    }
    match edit {
        Edit::Interval(n) => {
            object.insert("intervalMinutes".into(), Value::from(n));
            object.shift_remove("schedule");
            spliced.remove("schedule");
            spliced.set("intervalMinutes", &n.to_string());
        }
        Edit::Paused(p) => {
            object.insert("paused".into(), Value::Bool(p));
            spliced.set("paused", if p { "true" } else { "false" });
            object.shift_remove("pausedUntil");
            spliced.remove("pausedUntil");
        }
        Edit::PausedUntil(Some(until)) => {
            if until <= written {
                return Err(fail(invalid(
                    "pausedUntil",
                    super::PAUSED_UNTIL_RULE,
                    &Value::from(until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                )));
            }
            // In the local zone, with its offset: the time the person asked for.
            let text = until
                .with_timezone(&chrono::Local)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            object.insert("pausedUntil".into(), Value::String(text.clone()));
            spliced.set("pausedUntil", &Value::String(text).to_string());
            if object.contains_key("paused") {
                object.insert("paused".into(), Value::Bool(false));
                spliced.set("paused", "false");
            }
        }
        Edit::PausedUntil(None) => {
            object.shift_remove("pausedUntil");
            spliced.remove("pausedUntil");
        }
    }
    let config = Config::from_json(&object).map_err(fail)?;
    let expected = Value::Object(object);
    let new_text = match spliced.finish() {
        Some(new) if serde_json::from_str::<Value>(&new).ok().as_ref() == Some(&expected) => new,
        _ => {
            tracing::warn!(
                "{}: cannot edit the text in place; rewriting the whole file",
                path.display()
            );
            let mut text =
                serde_json::to_string_pretty(&expected).expect("a JSON object serialises");
            text.push('\n');
            text
        }
    };
    let target = real_path(path).map_err(|e| fail(ConfigErrorKind::Write(e)))?;
    fsutil::atomic_write(
        &target,
        new_text.as_bytes(),
        fsutil::mode_of(&target),
        Durability::Flushed,
    )
    .map_err(|e| fail(ConfigErrorKind::Write(e)))?;
    Ok(config)
}

/// Takes the edit lock beside `path`, waiting for another editor to finish.
fn lock_edits(path: &Path) -> Result<std::fs::File, ConfigError> {
    crate::fsutil::lock_beside(path, EDIT_LOCK)
        .map_err(|e| ConfigError::new(path, ConfigErrorKind::Write(e)))
}

/// Edits of a JSON object's text that leave everything else byte for byte: the members'
/// values are replaced, removed or appended in place.
struct Splice {
    text: String,
    ok: bool,
}

/// One top-level member of an object's text, as byte offsets.
struct Member {
    key: String,
    key_start: usize,
    key_end: usize,
    value_start: usize,
    value_end: usize,
}

impl Splice {
    fn new(text: &str) -> Splice {
        Splice {
            text: text.to_owned(),
            ok: true,
        }
    }

    /// The text after the edits, or `None` if it could not be scanned.
    fn finish(self) -> Option<String> {
        self.ok.then_some(self.text)
    }

    /// Sets `key` to the JSON text `value`: in place where the key is, else at the end.
    fn set(&mut self, key: &str, value: &str) {
        let Some((open, close, members)) = scan(&self.text) else {
            self.ok = false;
            return;
        };
        let mut found = false;
        for m in members.iter().rev().filter(|m| m.key == key) {
            self.text.replace_range(m.value_start..m.value_end, value);
            found = true;
        }
        if found {
            return;
        }
        let quoted = serde_json::to_string(key).expect("a key serialises");
        match members.last() {
            Some(last) => {
                // Lay it out as the last member is: its indentation and its colon.
                let before = &self.text[..last.key_start];
                let gap_start = before.rfind([',', '{']).map_or(last.key_start, |i| i + 1);
                let gap = &self.text[gap_start..last.key_start];
                let gap = if gap.is_empty() { " " } else { gap };
                let colon = &self.text[last.key_end..last.value_start];
                let insert = format!(",{gap}{quoted}{colon}{value}");
                self.text.insert_str(last.value_end, &insert);
            }
            None => {
                let inner = if self.text[open..close].contains('\n') {
                    format!("{{\n  {quoted}: {value}\n}}")
                } else {
                    format!("{{{quoted}: {value}}}")
                };
                self.text.replace_range(open..=close, &inner);
            }
        }
    }

    /// Removes every member named `key`, with its comma.
    fn remove(&mut self, key: &str) {
        loop {
            let Some((_, _, members)) = scan(&self.text) else {
                self.ok = false;
                return;
            };
            let Some(i) = members.iter().position(|m| m.key == key) else {
                return;
            };
            let m = &members[i];
            let range = if let Some(next) = members.get(i + 1) {
                m.key_start..next.key_start
            } else if i > 0 {
                members[i - 1].value_end..m.value_end
            } else {
                m.key_start..m.value_end
            };
            self.text.replace_range(range, "");
        }
    }
}

/// The top-level members of a JSON object's text, with the offsets of its braces; `None`
/// if the text is not an object.
fn scan(text: &str) -> Option<(usize, usize, Vec<Member>)> {
    let b = text.as_bytes();
    let ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    // The end of the string starting at b[i] == '"'.
    let string_end = |mut i: usize| -> Option<usize> {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    };
    let value_end = |mut i: usize| -> Option<usize> {
        match *b.get(i)? {
            b'"' => string_end(i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            i = string_end(i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                None
            }
            _ => {
                while i < b.len()
                    && !matches!(b[i], b',' | b'}' | b']')
                    && !b[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                Some(i)
            }
        }
    };
    let open = ws(0);
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut i = ws(open + 1);
    if b.get(i) == Some(&b'}') {
        return Some((open, i, members));
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_start = i;
        let key_end = string_end(i)?;
        let key: String = serde_json::from_str(&text[key_start..key_end]).ok()?;
        i = ws(key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value_start = ws(i + 1);
        let end = value_end(value_start)?;
        members.push(Member {
            key,
            key_start,
            key_end,
            value_start,
            value_end: end,
        });
        i = ws(end);
        match b.get(i) {
            Some(b',') => i = ws(i + 1),
            Some(b'}') => return Some((open, i, members)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spliced(text: &str, f: impl FnOnce(&mut Splice)) -> String {
        let mut s = Splice::new(text);
        f(&mut s);
        s.finish().unwrap()
    }

    #[test]
    fn an_edit_changes_only_its_keys_text() {
        let text = "{\n  \"big\": 12345678901234567890123,\n  \"n\": 1e3,\n  \"schedule\": \"0 9 * * *\",\n  \"intervalMinutes\": 15,\n  \"s\": \"a\\u00e9\"\n}\n";
        let out = spliced(text, |s| {
            s.remove("schedule");
            s.set("intervalMinutes", "30");
        });
        assert_eq!(
            out,
            "{\n  \"big\": 12345678901234567890123,\n  \"n\": 1e3,\n  \"intervalMinutes\": 30,\n  \"s\": \"a\\u00e9\"\n}\n"
        );
        let out = spliced(text, |s| s.set("paused", "true"));
        assert_eq!(
            out,
            "{\n  \"big\": 12345678901234567890123,\n  \"n\": 1e3,\n  \"schedule\": \"0 9 * * *\",\n  \"intervalMinutes\": 15,\n  \"s\": \"a\\u00e9\",\n  \"paused\": true\n}\n"
        );
    }

    #[test]
    fn an_edit_keeps_compact_and_empty_layouts() {
        assert_eq!(
            spliced(r#"{"a":{"x":[1,"}"]},"schedule":"* * * * *"}"#, |s| {
                s.remove("schedule");
                s.set("intervalMinutes", "5")
            }),
            r#"{"a":{"x":[1,"}"]}, "intervalMinutes":5}"#
        );
        assert_eq!(
            spliced(r#"{"schedule": "x"}"#, |s| s.remove("schedule")),
            "{}"
        );
        assert_eq!(
            spliced("{}", |s| s.set("paused", "false")),
            r#"{"paused": false}"#
        );
        assert_eq!(
            spliced(r#"{"paused": true, "paused": true}"#, |s| s
                .set("paused", "false")),
            r#"{"paused": false, "paused": false}"#
        );
    }
}
