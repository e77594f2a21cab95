//! The LaunchAgent that launchd loads at login, for macOS.

use std::io;
use std::path::{Path, PathBuf};

use super::Starts;

const LABEL: &str = "dev.synctray.tray";

pub fn location() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    Some(
        base.home_dir()
            .join("Library/LaunchAgents")
            .join(format!("{LABEL}.plist")),
    )
}

fn path() -> io::Result<PathBuf> {
    location().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "no home folder for the LaunchAgent",
        )
    })
}

pub fn is_enabled(starts: Starts<'_>) -> io::Result<bool> {
    let text = std::fs::read_to_string(path()?)?;
    Ok(match starts {
        Starts::Workspace(root) => text.contains(&workspace_args(root)),
        Starts::List => !text.contains("<string>--workspace</string>"),
    })
}

pub fn enable(exe: &Path, starts: Starts<'_>) -> io::Result<()> {
    super::file::write_entry(&path()?, &launch_agent(exe, starts))
}

pub fn disable() -> io::Result<()> {
    super::file::remove_entry(&path()?)
}

fn workspace_args(root: &Path) -> String {
    format!(
        "<string>--workspace</string>\n    <string>{}</string>",
        xml_escape(&root.to_string_lossy())
    )
}

fn launch_agent(exe: &Path, starts: Starts<'_>) -> String {
    let args = match starts {
        Starts::Workspace(root) => workspace_args(root),
        Starts::List => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n  \
           <key>Label</key>\n  <string>{LABEL}</string>\n  \
           <key>ProgramArguments</key>\n  <array>\n    <string>{}</string>\n    {}\n  </array>\n  \
           <key>RunAtLoad</key>\n  <true/>\n  \
           <key>ProcessType</key>\n  <string>Interactive</string>\n\
         </dict>\n\
         </plist>\n",
        xml_escape(&exe.to_string_lossy()),
        args
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape(r#"a&b<c>"d""#), "a&amp;b&lt;c&gt;&quot;d&quot;");
    }

    #[test]
    fn the_agent_starts_the_workspace_it_names() {
        let agent = launch_agent(
            Path::new("/Applications/synctray"),
            Starts::Workspace(Path::new("/Users/me/a&b")),
        );
        assert!(agent.contains(&workspace_args(Path::new("/Users/me/a&b"))));
        assert!(
            agent.contains("<string>/Users/me/a&amp;b</string>"),
            "{agent}"
        );
    }
}
