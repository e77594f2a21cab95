//! The exit statuses of `synctray` and `synctray-tray`: the front ends' own, never the
//! host's or the engine's (they return typed results; the front end maps them here).

/// How a command ended, as its exit status says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: done; a run succeeded.
    Success,
    /// 1: the run failed (or its output could not be written, or there is no such log).
    Failed,
    /// 2: bad usage, an invalid configuration, no desktop, or the workspace is already
    /// served (every front end exits with it when `Host::open` fails).
    Usage,
    /// 75 (EX_TEMPFAIL): skipped, another process holds the run lock.
    Skipped,
}

impl ExitCode {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failed => 1,
            ExitCode::Usage => 2,
            ExitCode::Skipped => 75,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_statuses_are_the_documented_numbers() {
        let codes = [
            ExitCode::Success,
            ExitCode::Failed,
            ExitCode::Usage,
            ExitCode::Skipped,
        ]
        .map(ExitCode::code);
        assert_eq!(codes, [0, 1, 2, 75]);
    }
}
