//! Texts made from the command-line definition ([`super::Args`]): the shell completion
//! scripts (`synctray completions SHELL`) and the man pages. The Linux package ships both
//! from `data/completions` and `data/man`, which a unit test here keeps identical to what
//! the definition generates, so they can never disagree with the arguments the program
//! takes. The man pages are made by that test only (`SYNCTRAY_BLESS=1 cargo test --lib
//! usage`), so their generator is not in the program: every byte of the binary is resident
//! memory of the idle daemon.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Args;

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "synctray", &mut out);
    out
}

pub(crate) fn print_completions(shell: clap_complete::Shell) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(&completions(shell))
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`| head`) ends it quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "synctray: cannot write to standard output: {e}"
            );
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Writes `synctray.1` and one page per command (`synctray-sync.1`, …) into `dir`.
    fn man_pages(dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        clap_mangen::generate_to(Args::command(), dir)
    }

    #[test]
    fn completions_offer_every_command_and_option() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let text = String::from_utf8(completions(shell)).unwrap();
            for command in Args::command()
                .get_subcommands()
                .filter(|c| !c.is_hide_set())
            {
                assert!(
                    text.contains(command.get_name()),
                    "{shell} completions lack `{}`",
                    command.get_name()
                );
            }
            assert!(text.contains("workspace"), "{shell}: {text}");
            assert!(text.contains("daemon"), "{shell}: {text}");
        }
    }

    /// The package ships the generated pages and scripts from `data/man` and
    /// `data/completions` (so that a plain `cargo deb` needs no step before it). They must be
    /// exactly what the definition generates now: `SYNCTRAY_BLESS=1 cargo test --lib usage`
    /// writes them anew after a change to the arguments.
    #[test]
    fn the_packaged_man_pages_and_completions_are_generated_from_the_current_arguments() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let fresh = tempfile::tempdir().unwrap();
        man_pages(fresh.path()).unwrap();
        let mut expected: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(fresh.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    root.join("man").join(e.file_name()),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        for (shell, name) in [
            (clap_complete::Shell::Bash, "synctray.bash"),
            (clap_complete::Shell::Zsh, "_synctray"),
            (clap_complete::Shell::Fish, "synctray.fish"),
        ] {
            expected.push((root.join("completions").join(name), completions(shell)));
        }
        let bless = std::env::var_os("SYNCTRAY_BLESS").is_some();
        if bless {
            for dir in ["man", "completions"] {
                let _ = std::fs::remove_dir_all(root.join(dir));
                std::fs::create_dir_all(root.join(dir)).unwrap();
            }
        }
        let mut stale = Vec::new();
        for (path, text) in &expected {
            if bless {
                std::fs::write(path, text).unwrap();
            } else if std::fs::read(path).ok().as_ref() != Some(text) {
                stale.push(path.display().to_string());
            }
        }
        let shipped = std::fs::read_dir(root.join("man")).unwrap().count();
        let generated = expected.len() - 3;
        assert!(
            stale.is_empty() && shipped == generated,
            "out of date with the arguments: {stale:?} ({shipped} man pages shipped, \
             {generated} generated); run `SYNCTRAY_BLESS=1 cargo test --lib usage`"
        );
    }

    #[test]
    fn man_pages_cover_the_program_and_each_visible_command() {
        let dir = tempfile::tempdir().unwrap();
        man_pages(dir.path()).unwrap();
        let main = std::fs::read_to_string(dir.path().join("synctray.1")).unwrap();
        assert!(main.contains(".TH synctray 1"), "{main}");
        assert!(main.contains("\\-\\-workspace"), "{main}");
        for command in Args::command()
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
        {
            let page = dir
                .path()
                .join(format!("synctray-{}.1", command.get_name()));
            assert!(page.is_file(), "no page {}", page.display());
        }
        assert!(
            !dir.path().join("synctray-man.1").exists(),
            "the hidden generator has no page"
        );
    }
}
