//! Progress for people, on stderr only: a spinner with what is being waited
//! for and the time so far when stderr is a terminal, one line per step with
//! `-v`, and nothing for scripts. It also knows what keeps running in AWS
//! while rotctl waits, for what Ctrl-C says.

use std::cell::RefCell;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug)]
pub(crate) struct Progress {
    /// stderr is a terminal: waits animate.
    animate: bool,
    /// Step lines are printed (a terminal, or `-v`).
    lines: bool,
    running_in_aws: RefCell<Vec<String>>,
    spinner: RefCell<Option<ProgressBar>>,
}

impl Progress {
    pub(crate) fn new(animate: bool, verbose: bool) -> Progress {
        Progress { animate, lines: animate || verbose, running_in_aws: RefCell::default(), spinner: RefCell::default() }
    }

    /// No progress at all (tests).
    #[cfg(test)]
    pub(crate) fn quiet() -> Progress {
        Progress::new(false, false)
    }

    /// One line about a step (above the spinner, if one turns).
    pub(crate) fn say(&self, message: &str) {
        if self.lines {
            self.line(&format!("rotctl: {message}"));
        }
    }

    /// A note: always shown on stderr (a script's log needs it too), above the spinner.
    pub(crate) fn note(&self, message: &str) {
        self.line(&format!("rotctl: {message}"));
    }

    /// A line of the rotation function's log (`rotate-now --follow`): always shown, above the spinner.
    pub(crate) fn log_line(&self, time: &str, message: &str) {
        self.line(&format!("rotctl: log {time} {message}"));
    }

    /// A warning: always shown on stderr (scripts need it too), above the spinner.
    pub(crate) fn warn(&self, message: &str) {
        self.line(&format!("rotctl: warning: {message}"));
    }

    /// One stderr line, printed above a turning spinner so the two do not tangle.
    fn line(&self, text: &str) {
        match self.spinner.borrow().as_ref() {
            Some(spinner) => spinner.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    /// Shows `what` (e.g. "waiting for stack s") with a spinner and the
    /// elapsed time until the guard drops; `Waiting::set` changes the words.
    pub(crate) fn waiting(&self, what: String) -> Waiting<'_> {
        let spinner = if self.animate {
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            // A fixed template: the only way this fails is a typo, which the tests would show.
            if let Ok(style) = ProgressStyle::with_template("{spinner} rotctl: {msg} ({elapsed})") {
                spinner.set_style(style);
            }
            spinner.set_message(what);
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        } else {
            if self.lines {
                eprintln!("rotctl: {what}");
            }
            ProgressBar::hidden()
        };
        *self.spinner.borrow_mut() = Some(spinner);
        Waiting { progress: self }
    }

    /// Records, until the guard drops, that `what` (a sentence naming the
    /// work and how to check on it) goes on in AWS if rotctl stops waiting.
    pub(crate) fn running_in_aws(&self, what: String) -> RunningInAws<'_> {
        self.running_in_aws.borrow_mut().push(what);
        RunningInAws { progress: self }
    }

    /// What goes on in AWS right now, innermost last.
    pub(crate) fn still_running(&self) -> Vec<String> {
        self.running_in_aws.borrow().clone()
    }

    /// Clears the spinner line (before an error or the result is printed).
    pub(crate) fn clear(&self) {
        if let Some(spinner) = self.spinner.borrow_mut().take() {
            spinner.finish_and_clear();
        }
    }
}

/// A wait being shown; it disappears when the guard drops.
#[derive(Debug)]
pub(crate) struct Waiting<'a> {
    progress: &'a Progress,
}

impl Waiting<'_> {
    /// New words for the same wait (e.g. the stack's new status): the
    /// spinner's, or a line of their own without one (`-v` in a pipe).
    pub(crate) fn set(&self, what: String) {
        if self.progress.animate {
            if let Some(spinner) = self.progress.spinner.borrow().as_ref() {
                spinner.set_message(what);
            }
        } else if self.progress.lines {
            eprintln!("rotctl: {what}");
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.progress.clear();
    }
}

/// Forgets one `Progress::running_in_aws` entry when the wait it covers ends.
#[derive(Debug)]
pub(crate) struct RunningInAws<'a> {
    progress: &'a Progress,
}

impl Drop for RunningInAws<'_> {
    fn drop(&mut self) {
        self.progress.running_in_aws.borrow_mut().pop();
    }
}
