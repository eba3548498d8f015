//! What every command runs with: the context resolved once at start-up, the
//! progress shown on stderr, and the AWS clients, built once on first use
//! (commands that need no AWS never build them).

use std::cell::OnceCell;

use crate::aws::{ChangesSent, Clients, Connection};
use crate::context::Context;
use crate::error::Result;
use crate::progress::Progress;

#[derive(Debug)]
pub(crate) struct Env {
    pub(crate) ctx: Context,
    pub(crate) progress: Progress,
    /// Region, profile and endpoint from the command line.
    pub(crate) connection: Connection,
    /// Counts the requests sent that can change something in AWS.
    sent: ChangesSent,
    clients: OnceCell<Clients>,
}

impl Env {
    pub(crate) fn new(ctx: Context, connection: Connection) -> Env {
        // -v prints a line per AWS call: a spinner would tangle with them.
        let progress = Progress::new(ctx.progress && ctx.verbosity == 0, ctx.verbosity > 0);
        Env { ctx, progress, connection, sent: ChangesSent::default(), clients: OnceCell::new() }
    }

    /// The AWS clients, connecting on first use.
    pub(crate) async fn clients(&self) -> Result<&Clients> {
        if let Some(clients) = self.clients.get() {
            return Ok(clients);
        }
        let clients = Clients::connect(&self.connection, self.sent.clone()).await?;
        Ok(self.clients.get_or_init(|| clients))
    }

    /// How many requests that can change something were sent so far.
    pub(crate) fn changes_sent(&self) -> usize {
        self.sent.count()
    }

    /// An Env whose clients answer from `aws-smithy-mocks` rules (`configure`
    /// sets the clients a test gives rules to; a call to any other fails the
    /// test), with a context for a script: table output, no terminal, no prompts.
    #[cfg(test)]
    pub(crate) fn mocked(configure: impl FnOnce(&mut Clients)) -> Env {
        let mut clients = Clients::mocked();
        configure(&mut clients);
        let sent = ChangesSent::default();
        let clients = OnceCell::from(clients.counted(&sent));
        Env { ctx: Context::for_tests(), progress: Progress::quiet(), connection: Connection::default(), sent, clients }
    }
}
