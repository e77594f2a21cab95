//! Texts made from the command-line definition ([`crate::cli::Args`]): the shell completion
//! scripts and the man pages. Both are generated from the clap definition at run time
//! (`synctray completions SHELL`, and the hidden `synctray man DIR`), which is also how the
//! Linux package gets its `synctray.1` and its bash, zsh and fish completions, so they
//! can never disagree with the arguments the program takes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Args;

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "synctray", &mut out);
    out
}

/// Writes `synctray.1` and one page per command (`synctray-sync.1`, …) into `dir`.
pub fn man_pages(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Args::command(), dir)
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
            eprintln!("synctray: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn write_man_pages(dir: &Path) -> ExitCode {
    match man_pages(dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "synctray: cannot write the man pages into {}: {e}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
