//! `-v`: one stderr line per AWS call attempt: service, operation, outcome,
//! milliseconds. Only metadata: no request or response body is ever read.
//! And a count of the changes sent, for what Ctrl-C says.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

#[derive(Debug, Clone)]
pub(crate) struct CallLog {
    color: bool,
}

impl CallLog {
    pub(crate) fn new(color: bool) -> CallLog {
        CallLog { color }
    }
}

/// "Secrets Manager" → "secretsmanager": the name IAM actions use.
fn iam_prefix(service: &str) -> String {
    service.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

#[derive(Debug)]
struct AttemptStarted(Instant);

impl Storable for AttemptStarted {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "rotctl::CallLog"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(AttemptStarted(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let millis = cfg.load::<AttemptStarted>().map(|s| s.0.elapsed().as_millis()).unwrap_or_default();
        let (service, operation) =
            cfg.load::<Metadata>().map_or(("?".to_string(), "?"), |m| (iam_prefix(m.service()), m.name()));
        let outcome = match (context.response(), context.output_or_error()) {
            (Some(response), _) => response.status().as_u16().to_string(),
            (None, Some(Err(error))) if error.is_timeout_error() => "timeout".to_string(),
            (None, Some(Err(error))) if error.is_connector_error() => "connection failed".to_string(),
            (None, Some(Err(_))) => "failed before sending".to_string(),
            (None, _) => "no response".to_string(),
        };
        let (dim, reset) = if self.color { ("\x1b[2m", "\x1b[0m") } else { ("", "") };
        eprintln!("{dim}rotctl: aws {service} {operation} {outcome} {millis} ms{reset}");
        Ok(())
    }
}

/// Counts the requests that can change something in AWS (every operation but
/// Describe*, List*, Get*, Lookup*, Filter* and Simulate*) as they are sent, so that an
/// interrupted run can say truthfully whether it changed anything.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangesSent(Arc<AtomicUsize>);

impl ChangesSent {
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// Whether an operation only reads.
fn reads(operation: &str) -> bool {
    // AssumeRole changes nothing in AWS: it hands out credentials. IAM's Simulate* only evaluate.
    ["Describe", "List", "Get", "Lookup", "Filter", "Simulate"].iter().any(|read| operation.starts_with(read))
        || operation == "AssumeRole"
}

impl Intercept for ChangesSent {
    fn name(&self) -> &'static str {
        "rotctl::ChangesSent"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<Metadata>().is_some_and(|m| !reads(m.name())) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::reads;

    #[test]
    fn reads_and_changes() {
        for read in ["DescribeSecret", "ListSecrets", "GetPolicy", "LookupEvents", "FilterLogEvents"] {
            assert!(reads(read), "{read}");
        }
        for change in ["RotateSecret", "AddPermission", "UpdateSecretVersionStage", "CreateVpcEndpoint"] {
            assert!(!reads(change), "{change}");
        }
    }
}
