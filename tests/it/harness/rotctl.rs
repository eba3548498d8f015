//! Running rotctl: the `Rotctl` builder ("given this, run this, expect
//! this"), a rotctl started in the background (`Spawned`) and one in a
//! pseudo-terminal (`Terminal`).

use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

use super::{Run, World, eventually};

impl World {
    /// rotctl with this world's endpoint, region and credentials, and an
    /// environment otherwise empty (no profile files, no IMDS).
    pub fn rotctl(&self, args: &[&str]) -> Rotctl {
        Rotctl::new(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", &self.region)
            .env("AWS_ACCESS_KEY_ID", &self.rotctl_key)
            .env("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    }
}

/// A rotctl invocation being set up: "given this, run this, expect this".
pub struct Rotctl {
    command: Command,
    args: Vec<String>,
}

impl Rotctl {
    pub fn new(args: &[&str]) -> Rotctl {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rotctl"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env!("CARGO_TARGET_TMPDIR"))
            .env("AWS_CONFIG_FILE", "/nonexistent/rotctl-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/rotctl-test-credentials")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // As on this machine: a backtrace would show if rotctl ever panicked.
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null());
        Rotctl { command, args: args.iter().map(std::string::ToString::to_string).collect() }
    }

    /// One more argument, any bytes (non-UTF-8 included).
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Rotctl {
        self.args.push(arg.as_ref().to_string_lossy().chars().take(200).collect());
        self.command.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Rotctl {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Rotctl {
        self.command.env_remove(key);
        self
    }

    /// Starts rotctl without waiting (for tests that interrupt it).
    pub fn spawn(mut self) -> Spawned {
        let child = self.command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("starting rotctl");
        Spawned { child, args: self.args }
    }

    pub fn run(mut self) -> Run {
        let output = self.command.output().expect("running rotctl");
        Run::checked(self.args, &output)
    }

    /// Starts rotctl in a pseudo-terminal (util-linux `script`), as a person
    /// runs it: stdin and stderr are a terminal, so it may ask.
    pub fn spawn_in_terminal(self) -> Terminal {
        let quote = |arg: &std::ffi::OsStr| format!("'{}'", arg.to_string_lossy().replace('\'', "'\\''"));
        let line: Vec<String> =
            std::iter::once(self.command.get_program()).chain(self.command.get_args()).map(quote).collect();
        let mut script = Command::new("script");
        script.env_clear();
        for (key, value) in self.command.get_envs() {
            if let Some(value) = value {
                script.env(key, value);
            }
        }
        script
            .args(["-q", "-e", "-c", &format!("exec {}", line.join(" ")), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = script.spawn().expect("starting rotctl under script(1)");
        let keyboard = child.stdin.take().expect("the terminal's input");
        let mut screen = child.stdout.take().expect("the terminal's output");
        let shown = std::sync::Arc::new(Mutex::new(Vec::new()));
        let sink = shown.clone();
        // Reads until script(1) exits and its output closes: `finish` joins it.
        let reader = std::thread::spawn(move || {
            let mut buffer = [0_u8; 4096];
            loop {
                match std::io::Read::read(&mut screen, &mut buffer) {
                    Ok(0) => return,
                    Ok(n) => sink.lock().expect("the screen").extend_from_slice(&buffer[..n]),
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(error) => panic!("reading the terminal: {error}"),
                }
            }
        });
        Terminal { child, keyboard, shown, reader, args: self.args }
    }
}

/// rotctl running in a pseudo-terminal.
pub struct Terminal {
    child: Child,
    keyboard: ChildStdin,
    shown: std::sync::Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
    args: Vec<String>,
}

impl Terminal {
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.shown.lock().expect("the screen")).into_owned()
    }

    /// Waits until the terminal shows `text`.
    pub async fn wait_for(&self, text: &str) {
        eventually(format!("the terminal to show {text:?}"), async || {
            let screen = self.screen();
            if screen.contains(text) { Ok(()) } else { Err(format!("\n{screen}")) }
        })
        .await;
    }

    /// Keys typed at the terminal (b"\x03" is Ctrl-C).
    pub fn type_keys(&mut self, keys: &[u8]) {
        use std::io::Write;
        self.keyboard.write_all(keys).expect("typing");
        self.keyboard.flush().expect("typing");
    }

    /// Waits for rotctl to end: its exit code and everything the terminal
    /// showed (stdout and stderr together), with the same checks as `run`.
    pub fn finish(mut self) -> Run {
        let status = self.child.wait().expect("waiting for rotctl");
        // script(1) has exited, so its output is closed: once the reader has
        // read to the end, the screen holds everything rotctl printed.
        self.reader.join().expect("reading the terminal");
        let output =
            std::process::Output { status, stdout: self.shown.lock().expect("the screen").clone(), stderr: Vec::new() };
        Run::checked(self.args, &output)
    }
}

/// A rotctl started in the background.
pub struct Spawned {
    child: Child,
    args: Vec<String>,
}

impl Spawned {
    /// SIGKILL, as a crash or an OOM kill would end it, and what it printed.
    pub fn kill(mut self) -> Run {
        self.child.kill().expect("SIGKILL");
        self.finish()
    }

    /// SIGINT, as Ctrl-C in a terminal sends it.
    pub fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("kill -INT");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for rotctl to end; the same checks as `Rotctl::run`.
    pub fn finish(self) -> Run {
        let output = self.child.wait_with_output().expect("waiting for rotctl");
        Run::checked(self.args, &output)
    }
}
