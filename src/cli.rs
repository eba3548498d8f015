//! The command line: global options and one variant per subcommand. The doc
//! comments are the help text; `docs/man/rotctl.1` and `completions/` are
//! generated from these types.

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::SignedDuration;

use crate::commands::{
    audit::AuditArgs, completions::CompletionsArgs, disable::DisableArgs, doctor::DoctorArgs, enable::EnableArgs,
    history::HistoryArgs, rollback::RollbackArgs, rotate_now::RotateNowArgs, schedule::ScheduleArgs,
    status::StatusArgs, why::WhyArgs,
};

/// Configure and audit AWS Secrets Manager secret rotation.
///
/// rotctl reads and changes rotation metadata. It never prints, logs or
/// stores a secret's value, and reads one only with its own consent:
/// `enable --template --check-value` (or a yes at its terminal prompt, which
/// --yes does not give) reads it once to check the keys the template needs.
/// Results go to stdout (a table, or JSON with `-o json`); progress,
/// warnings and errors go to stderr.
#[derive(Debug, Parser)]
#[command(name = "rotctl", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "\
Examples:
  rotctl status prod/db/main
  rotctl status --all --check -o json

Exit codes: 0 success, 1 an operation failed, 2 invalid usage (nothing changed),
3 findings (not healthy), 4 timed out waiting, 130 interrupted (Ctrl-C).")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts, before or after its name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// AWS region [default: AWS_REGION, AWS_DEFAULT_REGION, else the profile's]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Named profile from the AWS config files (SSO, assume-role and
    /// credential_process profiles work) [default: AWS_PROFILE]
    #[arg(long, global = true, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// One endpoint for every AWS service, e.g. a local emulator or a VPC
    /// endpoint [default: AWS_ENDPOINT_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Output format: a table for people, JSON (AWS field names) for scripts, SARIF (audit)
    #[arg(
        short = 'o',
        long,
        global = true,
        env = "ROTCTL_OUTPUT",
        value_enum,
        default_value_t = OutputFormat::Table
    )]
    pub output: OutputFormat,

    /// Plain text without colour (also when NO_COLOR is set, or the stream is not a terminal)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Print one line per AWS call to stderr (service, operation, status, time); repeatable
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Answer yes to confirmations (needed when stdin is not a terminal)
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards (audit only)
    Sarif,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show rotation configuration, versions and the derived rotation state
    ///
    /// For each secret: whether rotation is enabled, the rotation function
    /// (or the service that owns it, and what that service says of it), the
    /// schedule and window, the last and next rotation, when the secret was
    /// last read, and each labelled version with its staging labels. The
    /// derived RotationState is one of healthy, in-progress, failed, stuck,
    /// overdue, impaired, disabled or not-configured.
    #[command(after_help = "\
Examples:
  rotctl status prod/db/main
  rotctl status prod/db/main prod/api/key -o json
  rotctl status --name-prefix prod/ --check      # exit 3 unless all are healthy")]
    Status(StatusArgs),

    /// Set up rotation for a secret: function, permission, network, schedule
    ///
    /// Runs each step only when needed, in order: deploy the rotation
    /// function (an AWS template through a CloudFormation change set, your
    /// own template, or an existing function); let Secrets Manager invoke it,
    /// for this account only; put it in your subnets; give its VPC a Secrets
    /// Manager endpoint; turn rotation on with the schedule, rotating at once
    /// unless told not to; and show the resulting status. Everything is
    /// checked before the first change; a second run changes nothing.
    #[command(after_help = "\
Examples:
  rotctl enable prod/db --template postgres-single --every-days 30 --dry-run
  rotctl enable prod/db --template mysql-multi --master-secret prod/db-admin \\
      --subnet-ids subnet-0a1b2c3d,subnet-4e5f6a7b --security-group-ids sg-0123abcd \\
      --schedule 'cron(0 3 ? * SUN *)' --window 2h --check-value
  rotctl enable prod/api-key \\
      --lambda-arn arn:aws:lambda:us-east-1:123456789012:function:rotate-api-key")]
    Enable(Box<EnableArgs>),

    /// Rotate a secret now, with its configured function and schedule
    ///
    /// Refuses, changing nothing, when rotation is not set up or turned off,
    /// or while an earlier rotation is running, failed or stuck; after a
    /// failure, --retry removes only that rotation's AWSPENDING and rotates
    /// again. With --wait, waits until the new version is AWSCURRENT, or the
    /// rotation visibly failed (the step and the function's own error), or
    /// --timeout. A secret RDS, Aurora or DocumentDB owns is rotated through
    /// its owner (RotateMasterUserPassword), never with RotateSecret; a
    /// replica is rotated through its primary.
    #[command(
        name = "rotate-now",
        after_help = "\
Examples:
  rotctl rotate-now prod/db --wait
  rotctl rotate-now prod/db --wait --timeout 10m -o json
  rotctl rotate-now prod/db --retry --wait          # after a failed rotation"
    )]
    RotateNow(RotateNowArgs),

    /// Make the previous version current again
    ///
    /// Moves AWSCURRENT to the version holding AWSPREVIOUS (or --to-version),
    /// so the version it leaves becomes AWSPREVIOUS; removes AWSPENDING a
    /// failed rotation left; reads the result back. Asks first (or --yes).
    /// Moving a label does not change a database password: after a
    /// single-user rotation the database refuses the older one, so that
    /// rollback is refused (unless --labels-only); a failed rotation needs
    /// `rotate-now --retry`, not a rollback.
    #[command(after_help = "\
Examples:
  rotctl rollback prod/db --dry-run
  rotctl rollback prod/db --yes
  rotctl rollback prod/db --to-version 2e87528a-4c4e-422f-955c-b8efbe6d1b46 --yes
  rotctl rollback prod/db --yes \\
      --expect-current 9f1c3a52-0d6e-4b8a-b1f4-5c2e7a9d8e10   # safe to re-run")]
    Rollback(RollbackArgs),

    /// Turn rotation off and clear a pending rotation's label
    ///
    /// Calls CancelRotateSecret (AWS keeps the function and schedule, so
    /// `rotctl enable` can turn it back on) and removes AWSPENDING left on a
    /// version that is not current. Asks first (or --yes).
    #[command(after_help = "\
Examples:
  rotctl disable legacy/db --yes")]
    Disable(DisableArgs),

    /// Change the rotation schedule without rotating now
    ///
    /// Calls RotateSecret with RotateImmediately=false, keeping the function
    /// (AWS runs only its testSecret step); for a secret another service
    /// manages, the same call with no function. Refuses, changing nothing,
    /// when rotation is not set up or turned off, or while a rotation is
    /// pending. A second run changes nothing.
    #[command(after_help = "\
Examples:
  rotctl schedule prod/db --every-days 7
  rotctl schedule prod/db --schedule 'cron(0 3 ? * SUN *)' --window 2h --dry-run")]
    Schedule(ScheduleArgs),

    /// Say why a rotation failed: the step, the error, its cause and the fix
    ///
    /// For the pending rotation (or the one that made --version): the
    /// function's own error line for that version (one filtered query of its
    /// log), CloudTrail's RotationFailed event, the class of cause (network,
    /// KMS, permission, database login or reach, master secret, timeout,
    /// import error, labels, the function's own error) and its fix. Says which
    /// sources have nothing yet. Reads only.
    #[command(
        // --version here is the secret's version (the contract's), not rotctl's.
        disable_version_flag = true,
        after_help = "\
Examples:
  rotctl why prod/db
  rotctl why prod/db --version 7d5b2178-12dc-4dec-a9d4-54ae9472451f -o json"
    )]
    Why(WhyArgs),

    /// Say what happened to a secret: rotations, failures, manual puts, rollbacks
    ///
    /// One timeline of the last --days (90) from the secret's versions (the
    /// unlabelled too), its rotation function's log and CloudTrail's Secrets
    /// Manager events: each version's creation and what made it (rotation,
    /// rotation-failed, rotation-pending, manual), and labels moved by hand
    /// (a rollback). Gives the age of the current value, which
    /// LastRotatedDate does not. Reads only.
    #[command(after_help = "\
Examples:
  rotctl history prod/db
  rotctl history prod/db --days 30 -o json")]
    History(HistoryArgs),

    /// Check, before a rotation runs, everything it needs; exit 3 when one fails
    ///
    /// Each check is ok, warn or fail, with the fix: rotation set up, no
    /// pending rotation, the function exists, Secrets Manager may invoke it
    /// (scoped to the account), its runtime (Lambda's deprecation schedule),
    /// its timeout, its network path to Secrets Manager (an endpoint with
    /// private DNS, or a NAT route), its role's permissions on the secret and
    /// the master secret (IAM policy simulation), their KMS keys (key
    /// policies and grants read), and for a secret another service manages,
    /// the owner's status. It reads the secret's value to check the keys the
    /// rotation needs (a writer `host`, not a reader or an RDS Proxy; a
    /// `masterarn` that exists) and shows key names only, never a value;
    /// --no-value skips that. Reads only.
    #[command(after_help = "\
Examples:
  rotctl doctor prod/db
  rotctl doctor prod/db --no-value -o json")]
    Doctor(DoctorArgs),

    /// Check every secret of the region(s) against the rotation rules
    ///
    /// Rules (severity): rotation-disabled, rotation-failed, rotation-stuck,
    /// rotation-overdue, rotation-lambda-missing, rotation-lambda-not-invokable (high);
    /// rotation-lambda-no-source-account, rotation-interval-too-long,
    /// not-rotated-recently, vpc-endpoint-missing,
    /// rotation-function-runtime-deprecated (medium); unused,
    /// missing-tags, default-kms-key (low). Secrets another service owns (RDS,
    /// Aurora, DocumentDB, Redshift, ...) are judged by managed-secret-impaired
    /// (high) and managed-rotation-disabled (medium) only, in their own
    /// section; replicas and partner-rotated secrets are listed, not judged.
    /// Across accounts: --accounts or --org, with --role-name assumed in each.
    /// Exit 3 when a finding reaches --fail-on; 1 when something could not be
    /// read (with --strict, before 3).
    #[command(after_help = "\
Examples:
  rotctl audit
  rotctl audit --regions all --max-interval-days 90 --fail-on medium
  rotctl audit --required-tags owner,env --require-cmk -o sarif > rotctl.sarif
  rotctl audit --org --role-name RotctlAudit --regions all --strict")]
    Audit(AuditArgs),

    /// List the AWS rotation templates `enable --template` deploys
    #[command(after_help = "\
Examples:
  rotctl templates
  rotctl templates -o json --region cn-north-1")]
    Templates,

    /// Print the shell completion script for SHELL
    #[command(after_help = "\
Examples:
  rotctl completions bash > /etc/bash_completion.d/rotctl
  rotctl completions zsh > \"${fpath[1]}/_rotctl\"")]
    Completions(CompletionsArgs),

    /// Print the man page (roff)
    #[command(after_help = "\
Examples:
  rotctl man > /usr/local/share/man/man1/rotctl.1")]
    Man,
}

/// `--timeout`: a positive duration such as 90s, 5m or 1h30m.
pub(crate) fn parse_timeout(text: &str) -> Result<SignedDuration, String> {
    let duration: SignedDuration =
        text.parse().map_err(|_| format!("{} is not a duration (use e.g. 90s, 5m, 1h)", crate::error::shown(text)))?;
    if duration.is_positive() && duration <= SignedDuration::from_hours(24) {
        Ok(duration)
    } else {
        Err(format!("{} is out of range (more than 0s, at most 24h)", crate::error::shown(text)))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use jiff::SignedDuration;

    use super::{Cli, parse_timeout};

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("5m"), Ok(SignedDuration::from_mins(5)));
        assert_eq!(parse_timeout("90s"), Ok(SignedDuration::from_secs(90)));
        assert_eq!(parse_timeout("1h30m"), Ok(SignedDuration::from_mins(90)));
        for bad in ["0s", "-5m", "forever", "25h", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    /// clap wraps help at 100 columns: an example line longer than that
    /// would break in the middle of a command line.
    #[test]
    fn examples_never_wrap() {
        let cli = Cli::command();
        let commands = std::iter::once(&cli).chain(cli.get_subcommands());
        for command in commands {
            let examples = command.get_after_help().map(ToString::to_string).unwrap_or_default();
            for line in examples.lines() {
                assert!(line.chars().count() <= 100, "rotctl {}: {line:?} wraps", command.get_name());
            }
        }
    }
}
