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
        let progress = Progress::new(ctx.progress, ctx.verbosity > 0);
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

    /// An Env whose clients answer from `aws-smithy-mocks` rules (any
    /// service not given answers nothing: a call to it fails the test), with
    /// a context for a script: table output, no terminal, no prompts.
    #[cfg(test)]
    pub(crate) fn mocked(configure: impl FnOnce(&mut mocked::Services)) -> Env {
        let mut services = mocked::Services::default();
        configure(&mut services);
        let sent = ChangesSent::default();
        let mocked::Services { secrets, lambda, cloudformation, ec2, cloudtrail, logs } = services;
        let clients = Clients::from_clients("us-east-1", &sent, secrets, lambda, cloudformation, ec2, cloudtrail, logs);
        let ctx = Context::for_tests();
        Env {
            ctx,
            progress: Progress::quiet(),
            connection: Connection::default(),
            sent,
            clients: OnceCell::from(clients),
        }
    }
}

#[cfg(test)]
pub(crate) mod mocked {
    use aws_smithy_mocks::{Rule, mock_client};

    /// One client per service; replace the ones a test gives rules to.
    pub(crate) struct Services {
        pub(crate) secrets: aws_sdk_secretsmanager::Client,
        pub(crate) lambda: aws_sdk_lambda::Client,
        pub(crate) cloudformation: aws_sdk_cloudformation::Client,
        pub(crate) ec2: aws_sdk_ec2::Client,
        pub(crate) cloudtrail: aws_sdk_cloudtrail::Client,
        pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    }

    impl Default for Services {
        fn default() -> Services {
            let none: [&Rule; 0] = [];
            Services {
                secrets: mock_client!(aws_sdk_secretsmanager, none),
                lambda: mock_client!(aws_sdk_lambda, none),
                cloudformation: mock_client!(aws_sdk_cloudformation, none),
                ec2: mock_client!(aws_sdk_ec2, none),
                cloudtrail: mock_client!(aws_sdk_cloudtrail, none),
                logs: mock_client!(aws_sdk_cloudwatchlogs, none),
            }
        }
    }
}
