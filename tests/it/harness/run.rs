//! What a rotctl run produced, the checks every run gets (no secret value,
//! no panic) and the archive of every run's output.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::SECRET_MARKER;

/// Where every run's stdout and stderr is kept for `scripts/test`'s
/// whole-suite scan for secret values (`docs/reliability.md`).
fn output_archive() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rotctl-output").join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("the output archive");
        dir
    })
}

/// What a rotctl run produced.
#[derive(Debug)]
pub struct Run {
    args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cut long arguments and output short: some tests pass 100,000-character values.
        let cut = |text: &str, max: usize| match text.char_indices().nth(max) {
            Some((end, _)) => format!("{}… ({} more bytes)", &text[..end], text.len() - end),
            None => text.to_string(),
        };
        let args: Vec<String> = self.args.iter().map(|a| cut(a, 120)).collect();
        write!(
            f,
            "rotctl {args:?} exited {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            cut(&self.stdout, 4000),
            cut(&self.stderr, 4000)
        )
    }
}

impl Run {
    /// Never a secret value, never a panic, whatever the test; every run's
    /// output is also archived for the whole-suite scan.
    pub(super) fn checked(args: Vec<String>, output: &std::process::Output) -> Run {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let run = Run {
            args,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            std::fs::write(output_archive().join(format!("{n:05}.{stream}")), bytes).expect("archiving rotctl output");
        }
        for stream in [&run.stdout, &run.stderr] {
            assert!(!stream.contains(SECRET_MARKER), "rotctl printed a secret value:\n{run}");
            assert!(!stream.contains("panicked") && !stream.contains("stack backtrace"), "rotctl panicked:\n{run}");
        }
        run
    }

    /// Asserts the exit code; returns the run for more checks.
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(self.code, expected, "unexpected exit code:\n{self}");
        self
    }

    /// Exit 0 and nothing on stderr.
    pub fn success(self) -> Run {
        let run = self.code(0);
        assert!(run.stderr.is_empty(), "unexpected stderr:\n{run}");
        run
    }

    /// A failure: `code`, nothing on stdout, and one `rotctl: ` line on
    /// stderr that contains every one of `says`.
    pub fn fails(self, code: i32, says: &[&str]) -> Run {
        let run = self.code(code);
        assert!(run.stdout.is_empty(), "a failure printed a result:\n{run}");
        assert!(run.stderr.starts_with("rotctl: "), "the error is not `rotctl: ...`:\n{run}");
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "the error is not one line:\n{run}");
        for text in says {
            assert!(run.stderr.contains(text), "stderr does not say {text:?}:\n{run}");
        }
        run
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}
