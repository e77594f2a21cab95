//! `synctray completions SHELL`: made from the arguments alone.

use std::process::{Command, Stdio};

/// `synctray ARGS` in an empty home and folder, with no workspace named anywhere.
fn run_in_empty_home(args: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_synctray"))
        .args(args)
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("SYNCTRAY_WORKSPACE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out, home)
}

#[test]
fn completions_print_for_each_shell_without_touching_a_workspace() {
    for (shell, marker) in [
        ("bash", "complete -F _synctray"),
        ("zsh", "#compdef synctray"),
        ("fish", "complete -c synctray"),
    ] {
        let (out, home) = run_in_empty_home(&["completions", shell]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("interval"),
            "{shell} completes the commands: {text}"
        );
        assert_eq!(
            std::fs::read_dir(home.path()).unwrap().count(),
            0,
            "{shell}: no default workspace was created"
        );
    }
    let (out, _home) = run_in_empty_home(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bash"),
        "names the shells it knows"
    );
}
