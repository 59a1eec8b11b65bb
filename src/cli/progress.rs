//! Terminal progress for long commands (`import`, `sitemap`).

/// A one-line progress display on stderr, redrawn at most ten times a second; silent
/// when stderr is not a terminal (logs and pipes get only the final summary).
pub(super) struct Progress {
    terminal: bool,
    last: Option<std::time::Instant>,
}

impl Progress {
    pub(super) fn on_terminal() -> Progress {
        use std::io::IsTerminal;
        Progress { terminal: std::io::stderr().is_terminal(), last: None }
    }

    pub(super) fn show(&mut self, line: &str) {
        let due = self.last.is_none_or(|at| at.elapsed() >= std::time::Duration::from_millis(100));
        if self.terminal && due {
            eprint!("\r\x1b[2K{line}");
            self.last = Some(std::time::Instant::now());
        }
    }

    /// Prints a line of its own above the progress line.
    pub(super) fn println(&mut self, line: &str) {
        self.clear();
        println!("{line}");
    }

    pub(super) fn clear(&mut self) {
        if self.terminal && self.last.take().is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}
