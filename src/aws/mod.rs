//! The only code that calls the AWS SDKs. It builds the clients once, and
//! turns SDK shapes and errors into model types and errors people can act on.

mod call_log;
pub mod cloudformation;
pub mod diagnose;
pub mod ec2;
pub mod error;
pub mod lambda;
pub mod poll;
pub mod secrets;

use std::time::Duration;

use anyhow::Result;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};

use crate::cli::GlobalArgs;
use crate::context::Context;
use crate::exit::usage;
pub use call_log::{CallLog, ChangesSent};

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
pub struct Clients {
    pub region: String,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    setup: std::sync::Arc<Setup>,
}

impl Clients {
    /// Resolves region, credentials chain and endpoint (aws-config: flags,
    /// then environment, then profile, SSO, web identity, IMDS) and builds the clients.
    /// `sent` counts the changes the clients send.
    pub async fn connect(global: &GlobalArgs, ctx: &Context, sent: ChangesSent) -> Result<Clients> {
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
        let region = config.region().map(|r| r.to_string()).filter(|r| !r.is_empty()).ok_or_else(|| {
            usage("no AWS region is configured (pass --region, set AWS_REGION, or set `region` in the AWS profile)")
        })?;
        check_region(&region)?;
        let log = (ctx.verbosity > 0).then(|| CallLog::new(ctx.color_stderr));
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
            region,
            setup: std::sync::Arc::new(setup),
        }
    }

    /// The same clients for another region (one configuration, resolved once).
    pub fn for_region(&self, region: &str) -> Clients {
        let mut config = self.setup.config.to_builder();
        config.set_region(Some(Region::new(region.to_string())));
        let setup = Setup {
            config: config.build(),
            log: self.setup.log.clone(),
            sent: self.setup.sent.clone(),
            forced_endpoint: self.setup.forced_endpoint.clone(),
        };
        Clients::build(setup, region.to_string())
    }
}

/// What every client is built from.
#[derive(Debug)]
struct Setup {
    config: aws_config::SdkConfig,
    log: Option<CallLog>,
    sent: ChangesSent,
    forced_endpoint: Option<Option<String>>,
}

/// The SDK reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` itself,
/// and panics on an empty one: check them first. A malformed one is exit 2;
/// an empty one counts as unset (as an empty AWS_REGION does), and then
/// rotctl sets every client's endpoint itself: `Some(None)` means AWS's own.
fn configured_endpoints(flag: Option<&str>) -> Result<Option<Option<String>>> {
    let configured: Vec<(String, String)> =
        std::env::vars().filter(|(key, _)| key.starts_with("AWS_ENDPOINT_URL")).collect();
    for (key, value) in &configured {
        if !value.trim().is_empty() {
            check_endpoint_url(value).map_err(|_| {
                usage(format!(
                    "{key}={} is not an endpoint URL (use http:// or https:// and a host, or unset it)",
                    crate::exit::shown(value)
                ))
            })?;
        }
    }
    if !configured.iter().any(|(_, value)| value.trim().is_empty()) {
        return Ok(None);
    }
    let general = configured.iter().find(|(key, value)| key == "AWS_ENDPOINT_URL" && !value.trim().is_empty());
    Ok(Some(flag.map(str::to_string).or_else(|| general.map(|(_, url)| url.clone()))))
}

/// A region name as AWS spells them (public: `audit --regions` checks its list).
pub fn valid_region(region: &str) -> Result<()> {
    check_region(region)
}

/// A region name as AWS spells them (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
fn check_region(region: &str) -> Result<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if shaped {
        Ok(())
    } else {
        Err(usage(format!("{} is not an AWS region name (use a name such as us-east-1)", crate::exit::shown(region))))
    }
}

fn check_endpoint_url(url: &str) -> Result<()> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(usage(format!(
            "{} is not an endpoint URL (use http:// or https:// and a host, e.g. http://127.0.0.1:5000)",
            crate::exit::shown(url)
        ))),
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
