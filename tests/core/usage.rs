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

/// The Windows installer's step, `synctray --set-shortcut-app-id LNK`: it writes the id
/// into a shell link, says why not (naming the file) for anything else, and is offered by
/// no completion or help text.
#[test]
fn the_installers_shortcut_step_writes_the_app_id_and_is_no_command() {
    use synctray::shortcut::{APP_USER_MODEL_ID, app_id};
    // The smallest shell link: a header (no target, no strings) and the terminal block.
    let mut lnk = vec![0u8; 0x4C];
    lnk[0] = 0x4C;
    lnk[4..20].copy_from_slice(&[1, 0x14, 2, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
    lnk.extend_from_slice(&[0; 4]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synctray.lnk");
    std::fs::write(&path, &lnk).unwrap();
    let (out, _home) = run_in_empty_home(&["--set-shortcut-app-id", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stamped = std::fs::read(&path).unwrap();
    assert_eq!(app_id(&stamped), Ok(Some(APP_USER_MODEL_ID.to_owned())));

    let text = dir.path().join("notes.lnk");
    std::fs::write(&text, "not a shortcut").unwrap();
    let (out, _home) = run_in_empty_home(&["--set-shortcut-app-id", text.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notes.lnk") && err.contains("not a shell link"),
        "{err}"
    );
    assert_eq!(std::fs::read(&text).unwrap(), b"not a shortcut");

    for shell in ["bash", "zsh", "fish"] {
        let (out, _home) = run_in_empty_home(&["completions", shell]);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("shortcut"),
            "{shell}"
        );
    }
    let (out, _home) = run_in_empty_home(&["--help"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("shortcut"));
}
