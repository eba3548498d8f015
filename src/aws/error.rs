//! AWS SDK errors turned into messages that say what failed and what to do.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response;

use crate::error::{Error, Message};

/// Error codes AWS uses for "the caller's policy does not allow this".
const DENIED: &[&str] = &["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError"];
/// Error codes for credentials AWS does not accept.
const BAD_CREDENTIALS: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
];
const THROTTLED: &[&str] = &["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"];

const CREDENTIALS_FIX: &str = "set AWS_PROFILE or pass --profile, run `aws sso login` for SSO profiles, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/// Whether a failed request may still have been applied by AWS: a server
/// error, a timeout, a dropped connection or an unreadable answer. A 4xx
/// answer means AWS refused it; a request never built was never sent.
pub(crate) fn may_have_applied<E>(error: &SdkError<E, Response>) -> bool {
    match error {
        SdkError::ServiceError(service) => service.raw().status().is_server_error(),
        SdkError::ConstructionFailure(_) => false,
        _ => true,
    }
}

/// Explains a failed call of `action` (as IAM names it, e.g. `secretsmanager:DescribeSecret`).
// By value: it is what `.map_err(|error| explain(error, ...))` has, and the error ends here.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn explain<E>(error: SdkError<E, Response>, action: &str) -> Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &error {
        let Some(code) = service.err().code() else {
            return Error::Failed(
                Message::new(
                    format!("{action} failed"),
                    format!("the endpoint answered HTTP {} without an AWS error", service.raw().status().as_u16()),
                )
                .fix("is --endpoint-url an AWS endpoint?"),
            );
        };
        let message = service.err().message().unwrap_or("no message");
        return if DENIED.contains(&code) {
            Error::Failed(
                Message::new(format!("{action} was denied"), message)
                    .fix(format!("the caller's IAM policy must allow {action}")),
            )
        } else if BAD_CREDENTIALS.contains(&code) {
            Error::usage(action, format!("AWS rejected the credentials ({code}: {message})"), CREDENTIALS_FIX)
        } else if THROTTLED.contains(&code) {
            Error::Failed(
                Message::new(action, format!("throttled even after retries ({code}: {message})"))
                    .fix("try again later, or raise AWS_MAX_ATTEMPTS"),
            )
        } else {
            Error::failed(format!("{action} failed"), format!("{code}: {message}"))
        };
    }
    if has_cause::<CredentialsError>(&error) {
        return Error::usage(action, "no usable AWS credentials were found", CREDENTIALS_FIX);
    }
    let detail = innermost(&error);
    let network = "check --endpoint-url, the network and any proxy";
    let message = match &error {
        SdkError::TimeoutError(_) => Message::new(action, "AWS did not answer in time").fix(network),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            Message::new(action, "timed out connecting to AWS").fix(network)
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            Message::new(action, format!("could not connect to the AWS endpoint: {detail}")).fix(network)
        }
        SdkError::ResponseError(_) => Message::new(action, format!("the answer could not be read as AWS's: {detail}"))
            .fix("is --endpoint-url an AWS endpoint?"),
        _ => Message::new(format!("{action} failed"), detail),
    };
    Error::Failed(message)
}

/// The deepest cause's message: what actually went wrong, without the
/// SDK's layers of wrapping.
fn innermost(error: &(dyn StdError + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

fn has_cause<T: StdError + 'static>(error: &(dyn StdError + 'static)) -> bool {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<T>() {
            return true;
        }
        cause = current.source();
    }
    false
}
