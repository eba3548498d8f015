//! The only code that calls the AWS SDKs. It builds the clients once, and
//! turns SDK shapes and errors into model types and errors people can act on.

pub(crate) mod accounts;
mod call_log;
pub(crate) mod cloudformation;
pub(crate) mod ec2;
pub(crate) mod error;
pub(crate) mod iam;
pub(crate) mod kms;
pub(crate) mod lambda;
pub(crate) mod rds;
pub(crate) mod rotation;
pub(crate) mod secrets;
pub(crate) mod trail;
pub(crate) mod wait;

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};

use crate::error::{Error, Result, shown};
use call_log::CallLog;
pub(crate) use call_log::ChangesSent;

/// Where and as whom to connect, as resolved from the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Connection {
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    /// `-v`: one stderr line per AWS call.
    pub(crate) log_calls: bool,
    /// Colour on stderr (for the call log).
    pub(crate) color: bool,
}

/// Connection set-up: an endpoint that does not answer fails in seconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One HTTP attempt; the SDK's standard retry mode (3 attempts) wraps it.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// A service client from the shared configuration, with the call log when `-v`.
/// (Building a client makes no call; each is built once per run.)
macro_rules! client {
    ($sdk:ident, $config:expr, $log:expr, $sent:expr, $endpoint:expr) => {{
        let mut builder = $sdk::config::Builder::from($config).interceptor($sent.clone());
        if let Some(log) = $log {
            builder = builder.interceptor(log.clone());
        }
        if let Some(endpoint) = $endpoint {
            builder.set_endpoint_url(endpoint.clone());
        }
        $sdk::Client::from_conf(builder.build())
    }};
}

/// The AWS clients of one run, built once from one resolved configuration.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub(crate) region: String,
    pub(crate) secrets: aws_sdk_secretsmanager::Client,
    pub(crate) lambda: aws_sdk_lambda::Client,
    pub(crate) cloudformation: aws_sdk_cloudformation::Client,
    pub(crate) ec2: aws_sdk_ec2::Client,
    pub(crate) cloudtrail: aws_sdk_cloudtrail::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    /// RDS, and DocumentDB through the same API: the owners of managed secrets.
    pub(crate) rds: aws_sdk_rds::Client,
    /// Who the caller is, and roles in other accounts (an organization's audit).
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) organizations: aws_sdk_organizations::Client,
    /// The rotation role's permissions, simulated (doctor).
    pub(crate) iam: aws_sdk_iam::Client,
    /// The secrets' keys and their policies (doctor).
    pub(crate) kms: aws_sdk_kms::Client,
    /// What the clients were built from; None for clients made in tests.
    setup: Option<std::sync::Arc<Setup>>,
}

impl Clients {
    /// Resolves region, credentials chain and endpoint (aws-config: flags,
    /// then environment, then profile, SSO, web identity, IMDS) and builds the clients.
    /// `sent` counts the changes the clients send.
    pub(crate) async fn connect(connection: &Connection, sent: ChangesSent) -> Result<Clients> {
        let global = connection;
        if let Some(region) = global.region.as_deref() {
            check_region(region)?;
        }
        if let Some(url) = &global.endpoint_url {
            check_endpoint_url(url)?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .build(),
        );
        if let Some(region) = global.region.as_deref().filter(|r| !r.is_empty()) {
            loader = loader.region(Region::new(region.to_string()));
        }
        if let Some(profile) = &global.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &global.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let forced_endpoint = configured_endpoints(global.endpoint_url.as_deref())?;
        let config = loader.load().await;
        let region =
            config.region().map(std::string::ToString::to_string).filter(|r| !r.is_empty()).ok_or_else(|| {
                Error::usage(
                    "choosing the AWS region",
                    "no AWS region is configured",
                    "pass --region, set AWS_REGION, or set `region` in the AWS profile",
                )
            })?;
        check_region(&region)?;
        let log = global.log_calls.then(|| CallLog::new(global.color));
        let setup = Setup { config, log, sent, forced_endpoint };
        Ok(Clients::build(setup, region))
    }

    fn build(setup: Setup, region: String) -> Clients {
        let Setup { config, log, sent, forced_endpoint } = &setup;
        Clients {
            secrets: client!(aws_sdk_secretsmanager, config, log, sent, forced_endpoint),
            lambda: client!(aws_sdk_lambda, config, log, sent, forced_endpoint),
            cloudformation: client!(aws_sdk_cloudformation, config, log, sent, forced_endpoint),
            ec2: client!(aws_sdk_ec2, config, log, sent, forced_endpoint),
            cloudtrail: client!(aws_sdk_cloudtrail, config, log, sent, forced_endpoint),
            logs: client!(aws_sdk_cloudwatchlogs, config, log, sent, forced_endpoint),
            rds: client!(aws_sdk_rds, config, log, sent, forced_endpoint),
            sts: client!(aws_sdk_sts, config, log, sent, forced_endpoint),
            organizations: client!(aws_sdk_organizations, config, log, sent, forced_endpoint),
            iam: client!(aws_sdk_iam, config, log, sent, forced_endpoint),
            kms: client!(aws_sdk_kms, config, log, sent, forced_endpoint),
            region,
            setup: Some(std::sync::Arc::new(setup)),
        }
    }

    /// Clients answered by `aws-smithy-mocks` rules, none given yet: a test
    /// replaces the ones it gives rules to, and a call to any other fails it.
    #[cfg(test)]
    pub(crate) fn mocked() -> Clients {
        use aws_smithy_mocks::{Rule, mock_client};
        let none: [&Rule; 0] = [];
        Clients {
            region: "us-east-1".to_string(),
            secrets: mock_client!(aws_sdk_secretsmanager, none),
            lambda: mock_client!(aws_sdk_lambda, none),
            cloudformation: mock_client!(aws_sdk_cloudformation, none),
            ec2: mock_client!(aws_sdk_ec2, none),
            cloudtrail: mock_client!(aws_sdk_cloudtrail, none),
            logs: mock_client!(aws_sdk_cloudwatchlogs, none),
            rds: mock_client!(aws_sdk_rds, none),
            sts: mock_client!(aws_sdk_sts, none),
            organizations: mock_client!(aws_sdk_organizations, none),
            iam: mock_client!(aws_sdk_iam, none),
            kms: mock_client!(aws_sdk_kms, none),
            setup: None,
        }
    }

    /// The same clients, each given the counter of changes sent, as `connect` gives it.
    #[cfg(test)]
    pub(crate) fn counted(self, sent: &ChangesSent) -> Clients {
        macro_rules! counted {
            ($sdk:ident, $client:expr) => {
                $sdk::Client::from_conf($client.config().to_builder().interceptor(sent.clone()).build())
            };
        }
        Clients {
            secrets: counted!(aws_sdk_secretsmanager, self.secrets),
            lambda: counted!(aws_sdk_lambda, self.lambda),
            cloudformation: counted!(aws_sdk_cloudformation, self.cloudformation),
            ec2: counted!(aws_sdk_ec2, self.ec2),
            cloudtrail: counted!(aws_sdk_cloudtrail, self.cloudtrail),
            logs: counted!(aws_sdk_cloudwatchlogs, self.logs),
            rds: counted!(aws_sdk_rds, self.rds),
            sts: counted!(aws_sdk_sts, self.sts),
            organizations: counted!(aws_sdk_organizations, self.organizations),
            iam: counted!(aws_sdk_iam, self.iam),
            kms: counted!(aws_sdk_kms, self.kms),
            ..self
        }
    }

    /// The same clients for another region (one configuration, resolved once).
    /// (Clients made in a test keep their connection and take the name.)
    pub(crate) fn for_region(&self, region: &str) -> Clients {
        let Some(setup) = &self.setup else { return Clients { region: region.to_string(), ..self.clone() } };
        let mut config = setup.config.to_builder();
        config.set_region(Some(Region::new(region.to_string())));
        let setup = Setup {
            config: config.build(),
            log: setup.log.clone(),
            sent: setup.sent.clone(),
            forced_endpoint: setup.forced_endpoint.clone(),
        };
        Clients::build(setup, region.to_string())
    }
}

impl Clients {
    /// The same clients acting with other credentials (a role assumed in
    /// another account), in the same region, through the same endpoint, log
    /// and change counter. (Clients made in a test are returned as they are.)
    pub(crate) fn with_credentials(
        &self,
        credentials: aws_credential_types::provider::SharedCredentialsProvider,
    ) -> Clients {
        let Some(setup) = &self.setup else { return self.clone() };
        let config = setup.config.to_builder().credentials_provider(credentials).build();
        let setup = Setup {
            config,
            log: setup.log.clone(),
            sent: setup.sent.clone(),
            forced_endpoint: setup.forced_endpoint.clone(),
        };
        Clients::build(setup, self.region.clone())
    }
}

/// The secret a command that changes it acts on, read with its versions: the
/// secret itself, or for a replica (AWS refuses changes to one: "Operation
/// not permitted on a replica secret") its primary, read in the primary's
/// region, with clients for that region; a note on stderr says so. Only a
/// replica costs a second read.
pub(crate) async fn read_for_change(
    clients: &Clients,
    progress: &crate::progress::Progress,
    secret_id: &str,
) -> Result<(Clients, crate::model::Secret)> {
    let secret = secrets::read(&clients.secrets, &clients.region, secret_id).await?;
    let Some((primary, arn)) = primary_for_change(clients, progress, &secret) else {
        return Ok((clients.clone(), secret));
    };
    let read = secrets::read(&primary.secrets, &primary.region, &arn).await?;
    Ok((primary, read))
}

/// `primary_of`, said on stderr: a change to a replica is made on its primary.
pub(crate) fn primary_for_change(
    clients: &Clients,
    progress: &crate::progress::Progress,
    secret: &crate::model::Secret,
) -> Option<(Clients, String)> {
    let (primary, arn) = primary_of(clients, secret)?;
    progress.note(&format!(
        "{} in {} is a replica: acting on its primary in {} ({arn})",
        secret.name, clients.region, primary.region
    ));
    Some((primary, arn))
}

/// A replica's primary: the clients of its region and its ARN (the replica's,
/// in the primary's region). None for a secret that is no replica here.
pub(crate) fn primary_of(clients: &Clients, secret: &crate::model::Secret) -> Option<(Clients, String)> {
    let primary = secret.primary_region.as_deref().filter(|p| *p != clients.region)?;
    let mut fields: Vec<&str> = secret.arn.splitn(7, ':').collect();
    if fields.len() != 7 {
        return None;
    }
    fields[3] = primary;
    Some((clients.for_region(primary), fields.join(":")))
}

/// What every client is built from.
#[derive(Debug)]
struct Setup {
    config: aws_config::SdkConfig,
    log: Option<CallLog>,
    sent: ChangesSent,
    #[allow(clippy::option_option)] // see configured_endpoints
    forced_endpoint: Option<Option<String>>,
}

/// The SDK reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` itself,
/// and panics on an empty one: check them first. A malformed one is exit 2;
/// an empty one counts as unset (as an empty AWS_REGION does), and then
/// rotctl sets every client's endpoint itself: `Some(None)` means AWS's own.
#[allow(clippy::option_option)] // three cases: not forced, forced to AWS's own, forced to a URL
fn configured_endpoints(flag: Option<&str>) -> Result<Option<Option<String>>> {
    let configured: Vec<(String, String)> =
        std::env::vars().filter(|(key, _)| key.starts_with("AWS_ENDPOINT_URL")).collect();
    for (key, value) in &configured {
        if !value.trim().is_empty() {
            check_endpoint_url(value).map_err(|_| {
                Error::usage(
                    format!("{key}={}", shown(value)),
                    "not an endpoint URL",
                    "use http:// or https:// and a host, or unset it",
                )
            })?;
        }
    }
    if !configured.iter().any(|(_, value)| value.trim().is_empty()) {
        return Ok(None);
    }
    let general = configured.iter().find(|(key, value)| key == "AWS_ENDPOINT_URL" && !value.trim().is_empty());
    Ok(Some(flag.map(str::to_string).or_else(|| general.map(|(_, url)| url.clone()))))
}

/// A region name as AWS spells them (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub(crate) fn check_region(region: &str) -> Result<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if shaped {
        Ok(())
    } else {
        Err(Error::usage(shown(region), "not an AWS region name", "use a name such as us-east-1"))
    }
}

fn check_endpoint_url(url: &str) -> Result<()> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(Error::usage(
            shown(url),
            "not an endpoint URL",
            "use http:// or https:// and a host, e.g. http://127.0.0.1:5000",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for good in ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-5"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in ["", "us-east", "US-EAST-1", "us-east-1a", "us east 1", "us--east-1", "useast1"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoint_urls() {
        assert!(check_endpoint_url("http://127.0.0.1:5000").is_ok());
        assert!(check_endpoint_url("https://vpce-123.secretsmanager.us-east-1.vpce.amazonaws.com").is_ok());
        for bad in ["127.0.0.1:5000", "ftp://host", "http://", "http:///path", "http://a b"] {
            assert!(check_endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
