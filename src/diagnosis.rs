//! Pure: why a rotation failed, from the error its function logged (or the
//! event CloudTrail recorded): the class of cause and its fix. The table
//! follows AWS's rotation troubleshooting page
//! (https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html),
//! the error texts of AWS's rotation functions
//! (aws-samples/aws-secrets-manager-rotation-lambdas) and Lambda's own
//! messages (a timeout, an import error). The first class that matches wins.

use serde::Serialize;
use serde_json::Value;

/// Lambda's line when it stops a function at its timeout: `<time> <request id> Task timed out after 30.03 seconds`.
pub(crate) const TIMED_OUT: &str = "Task timed out after";

/// A known cause of a failed rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Class {
    /// Lambda stopped the function at its timeout.
    FunctionTimeout,
    /// The function could not reach Secrets Manager (no VPC endpoint, no NAT).
    Network,
    /// KMS refused the function's role the secret's key.
    KmsDenied,
    /// IAM refused the function's role an action on the secret (or the master secret).
    PermissionDenied,
    /// The master secret (`masterarn`) is missing or unreadable.
    MasterSecret,
    /// The database could not be reached at all.
    DatabaseUnreachable,
    /// The database refused every version's credentials (or could not be reached).
    DatabaseLogin,
    /// The function's code or runtime cannot start.
    ImportError,
    /// The versions' labels are not what a rotation expects.
    Labels,
    /// The rotation was turned off or cancelled while it ran.
    Abandoned,
    /// The function failed with an error of its own.
    FunctionError,
}

/// Words (lowercase) that mark each class, in the order classes are tried.
const TABLE: [(Class, &[&str]); 10] = [
    (Class::FunctionTimeout, &["task timed out after"]),
    (
        Class::Network,
        &["could not connect to the endpoint url", "connect timeout on endpoint url", "endpointconnectionerror"],
    ),
    (
        Class::KmsDenied,
        &[
            "kms.accessdeniedexception",
            "kmsaccessdenied",
            "kms:decrypt",
            "kms:generatedatakey",
            "access to kms is not allowed",
        ],
    ),
    (Class::PermissionDenied, &["accessdeniedexception", "is not authorized to perform"]),
    // Inside a rotation its own secret exists: a secret Secrets Manager cannot
    // find is the master secret (AWS's multi-user functions fetch it unguarded).
    (Class::MasterSecret, &["master secret", "masterarn", "can't find the specified secret"]),
    (
        Class::DatabaseUnreachable,
        &[
            "connection refused",
            "could not connect to server",
            "can't create a connection",
            "timeout expired",
            "no route to host",
        ],
    ),
    (
        Class::DatabaseLogin,
        &["unable to log into database", "password authentication failed", "login failed", "access denied for user"],
    ),
    (Class::ImportError, &["unable to import module", "runtime.importmoduleerror", "no module named"]),
    (Class::Labels, &["not set as awspending", "has no stage for rotation", "is not enabled for rotation"]),
    (Class::Abandoned, &["lost its awspending label", "rotationabandoned"]),
];

impl Class {
    /// The class of a failure message (the first that matches, else a function error).
    pub(crate) fn of(message: &str) -> Class {
        let text = message.to_lowercase();
        TABLE
            .iter()
            .find(|(_, words)| words.iter().any(|w| text.contains(w)))
            .map_or(Class::FunctionError, |(class, _)| *class)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Class::FunctionTimeout => "function-timeout",
            Class::Network => "network",
            Class::KmsDenied => "kms-denied",
            Class::PermissionDenied => "permission-denied",
            Class::MasterSecret => "master-secret",
            Class::DatabaseUnreachable => "database-unreachable",
            Class::DatabaseLogin => "database-login",
            Class::ImportError => "import-error",
            Class::Labels => "labels",
            Class::Abandoned => "abandoned",
            Class::FunctionError => "function-error",
        }
    }

    /// What the class means, in words.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Class::FunctionTimeout => "Lambda stopped the rotation function at its timeout",
            Class::Network => "the rotation function could not reach Secrets Manager from where it runs",
            Class::KmsDenied => "KMS refused the function's role the secret's key",
            Class::PermissionDenied => "IAM refused the function's role an action on the secret or the master secret",
            Class::MasterSecret => "the master secret the function logs in with is missing or cannot be read",
            Class::DatabaseUnreachable => "the function could not reach the database",
            Class::DatabaseLogin => {
                "the database refused every version's password, or could not be reached to try them"
            }
            Class::ImportError => "the function's code or runtime cannot start",
            Class::Labels => "the versions' staging labels are not what a rotation expects",
            Class::Abandoned => "the rotation was turned off or cancelled while it ran",
            Class::FunctionError => "the rotation function failed with an error of its own",
        }
    }

    /// The fix, naming `SECRET` where the secret goes.
    pub(crate) fn fix(self) -> &'static str {
        match self {
            Class::FunctionTimeout => {
                "raise the function's timeout (aws lambda update-function-configuration --timeout 60), and check that \
                 the database and Secrets Manager answer from the function's network (a hung connection ends at the \
                 timeout); then rotctl rotate-now SECRET --retry --wait"
            }
            Class::Network => {
                "give the function's VPC a Secrets Manager interface endpoint with private DNS (rotctl enable SECRET \
                 --lambda-arn FUNCTION --subnet-ids ... --security-group-ids ... creates one) or a NAT route; then \
                 rotctl rotate-now SECRET --retry --wait"
            }
            Class::KmsDenied => {
                "let the function's role use the secret's KMS key: kms:Decrypt and kms:GenerateDataKey in the key \
                 policy (IAM alone is not enough for a customer managed key); then rotctl rotate-now SECRET --retry --wait"
            }
            Class::PermissionDenied => {
                "give the function's role secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue and \
                 UpdateSecretVersionStage on the secret (and GetSecretValue on the master secret); then rotctl \
                 rotate-now SECRET --retry --wait"
            }
            Class::MasterSecret => {
                "make the secret's masterarn name a secret that exists and that the function's role may read; then \
                 rotctl rotate-now SECRET --retry --wait"
            }
            Class::DatabaseUnreachable => {
                "check that the database is up and reachable from the function (its subnets, security groups, and \
                 the secret's host and port); then rotctl rotate-now SECRET --retry --wait"
            }
            Class::DatabaseLogin => {
                "check that the database is up and reachable from the function, and that nobody changed the \
                 password outside rotation (if so, set the database's password to AWSCURRENT's again); then rotctl \
                 rotate-now SECRET --retry --wait"
            }
            Class::ImportError => {
                "redeploy the function (rotctl enable SECRET --template NAME deploys the current application) or fix \
                 its package and runtime; then rotctl rotate-now SECRET --retry --wait"
            }
            Class::Labels => {
                "clear the rotation's AWSPENDING and rotate again: rotctl rotate-now SECRET --retry --wait (and \
                 rotctl status SECRET to see the labels)"
            }
            Class::Abandoned => {
                "turn rotation back on if it should be: rotctl status SECRET, then rotctl enable SECRET ..."
            }
            Class::FunctionError => {
                "read the function's log around the error, fix what it names; then rotctl rotate-now SECRET --retry --wait"
            }
        }
    }
}

/// The longest function error line quoted, in characters (the contract's cut).
const MESSAGE_CHARS: usize = 300;

/// The error itself, from a line in the Lambda runtime's formats:
/// `[ERROR]\t<time>\t<request id>\t<message>` (the logging module),
/// `[ERROR] ValueError: <message>` (an uncaught exception, first line),
/// or `{"errorMessage": ..., "errorType": ...}`.
pub(crate) fn error_line(line: &str) -> String {
    if let Ok(record) = serde_json::from_str::<Value>(line.trim())
        && let Some(message) = record["errorMessage"].as_str()
    {
        return match record["errorType"].as_str() {
            Some(kind) => format!("{kind}: {message}"),
            None => message.to_string(),
        };
    }
    let first = line.lines().find(|l| l.contains("[ERROR]")).unwrap_or(line);
    let rest = first.split_once("[ERROR]").map_or(first, |(_, rest)| rest);
    let fields: Vec<&str> = rest.split('\t').collect();
    let message = match fields.as_slice() {
        // "", time, request id, message...
        [_, time, _, message @ ..] if time.ends_with('Z') && !message.is_empty() => message.join(" "),
        _ => rest.to_string(),
    };
    message.trim().to_string()
}

/// A log line as `--follow` shows it: its first line, and for the Lambda
/// runtime's `[LEVEL]\t<time>\t<request id>\t<message>` just `[LEVEL] <message>`.
pub(crate) fn log_message(line: &str) -> String {
    let first = line.lines().next().unwrap_or_default();
    let fields: Vec<&str> = first.split('\t').collect();
    match fields.as_slice() {
        [level, time, _, message @ ..] if level.starts_with('[') && time.ends_with('Z') && !message.is_empty() => {
            quoted(&format!("{level} {}", message.join(" ")))
        }
        _ => quoted(first),
    }
}

/// A function's error text as rotctl shows it: credentials masked, one line, cut.
pub(crate) fn quoted(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let masked = mask_credentials(&one_line);
    if masked.chars().count() <= MESSAGE_CHARS {
        return masked;
    }
    let cut: String = masked.chars().take(MESSAGE_CHARS - 1).collect();
    format!("{cut}…")
}

/// Masks what looks like a credential in a function's error text: the value
/// after `password`, `passwd` or `pwd` (`=`, `:`, quoted or not), and the
/// password of a `scheme://user:password@host` URL. rotctl never shows a
/// secret value; a function that logs one must not make rotctl repeat it.
fn mask_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let key = ["password", "passwd", "pwd"].iter().find(|k| lower[i..].starts_with(**k));
        if let Some(key) = key {
            let mut j = i + key.len();
            out.push_str(&text[i..j]);
            // Closing quote of the key, spaces, the separator, spaces, an opening quote.
            let start = j;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b' ') {
                j += 1;
            }
            if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
                j += 1;
                while j < bytes.len() && bytes[j] == b' ' {
                    j += 1;
                }
                let quote = (j < bytes.len() && matches!(bytes[j], b'"' | b'\'')).then(|| bytes[j]);
                if quote.is_some() {
                    j += 1;
                }
                let end = (j..bytes.len())
                    .find(|&k| match quote {
                        Some(q) => bytes[k] == q,
                        None => matches!(bytes[k], b' ' | b',' | b';' | b'}' | b'&' | b'"' | b'\''),
                    })
                    .unwrap_or(bytes.len());
                out.push_str(&text[start..j]);
                out.push_str("***");
                i = end;
            } else {
                i = start;
            }
            continue;
        }
        if lower[i..].starts_with("://") {
            // scheme://user:password@host
            let rest = &text[i + 3..];
            let authority = rest.split(['/', ' ']).next().unwrap_or_default();
            if let Some((userinfo, _)) = authority.rsplit_once('@')
                && let Some((user, _)) = userinfo.split_once(':')
            {
                out.push_str("://");
                out.push_str(user);
                out.push_str(":***@");
                i += 3 + userinfo.len() + 1;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_known_cause_is_recognised_from_its_own_words() {
        let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
        let cases = [
            ("2026-12-01T10:00:00Z abc Task timed out after 30.03 seconds", Class::FunctionTimeout),
            (
                "EndpointConnectionError: Could not connect to the endpoint URL: \"https://secretsmanager.us-east-1.amazonaws.com/\"",
                Class::Network,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: Access to KMS is not allowed",
                Class::KmsDenied,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the PutSecretValue operation: User: arn:aws:sts::1:assumed-role/r is not authorized to perform: secretsmanager:PutSecretValue",
                Class::PermissionDenied,
            ),
            ("setSecret: Unable to fetch master secret masterarn for secret arn", Class::MasterSecret),
            (
                "ResourceNotFoundException: An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret.",
                Class::MasterSecret,
            ),
            (
                "Can't create a connection to host db.example and port 5432 (Connection refused)",
                Class::DatabaseUnreachable,
            ),
            (
                &format!(
                    "setSecret: Unable to log into database with previous, current, or pending secret of secret arn {arn}"
                ),
                Class::DatabaseLogin,
            ),
            (
                "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'pg8000'",
                Class::ImportError,
            ),
            (&format!("Secret version v2 not set as AWSPENDING for rotation of secret {arn}."), Class::Labels),
            ("version v2 lost its AWSPENDING label: the rotation was cancelled or abandoned", Class::Abandoned),
            (&format!("RuntimeError: injected failure at setSecret for secret {arn}"), Class::FunctionError),
        ];
        for (message, class) in cases {
            assert_eq!(Class::of(message), class, "{message}");
            assert!(class.fix().contains("SECRET") || class == Class::Abandoned, "{class:?}");
        }
    }

    #[test]
    fn the_functions_own_error_is_quoted_from_each_runtime_format() {
        let logged = "[ERROR]\t2026-12-01T10:00:00.123Z\t1f0c-req\tsetSecret: Unable to log into database with \
                      previous, current, or pending secret of secret arn arn:aws:secretsmanager:x\n";
        assert_eq!(
            error_line(logged),
            "setSecret: Unable to log into database with previous, current, or pending secret of secret arn \
             arn:aws:secretsmanager:x"
        );
        let uncaught =
            "[ERROR] ValueError: setSecret: Unable to log into database\nTraceback (most recent call last):\n";
        assert_eq!(error_line(uncaught), "ValueError: setSecret: Unable to log into database");
        let json = r#"{"errorMessage": "testSecret failed", "errorType": "RuntimeError"}"#;
        assert_eq!(error_line(json), "RuntimeError: testSecret failed");
    }

    #[test]
    fn credentials_in_a_functions_error_are_masked_and_the_line_is_cut() {
        assert_eq!(
            quoted("connect failed: host=db password=hunter2 user=app"),
            "connect failed: host=db password=*** user=app"
        );
        assert_eq!(
            quoted(r#"bad value {"password": "s3cr:et", "user": "a"}"#),
            r#"bad value {"password": "***", "user": "a"}"#
        );
        assert_eq!(quoted("{'PWD': 'x y'} rejected"), "{'PWD': '***'} rejected");
        assert_eq!(quoted("postgres://app:hunter2@db:5432/x refused"), "postgres://app:***@db:5432/x refused");
        // Words that merely contain the key are left alone.
        assert_eq!(
            quoted("password authentication failed for user \"app\""),
            "password authentication failed for user \"app\""
        );
        assert_eq!(
            log_message("[INFO]\t2026-12-02T00:37:59.957Z\t9f4c-req\tcreateSecret: Successfully put secret\n"),
            "[INFO] createSecret: Successfully put secret"
        );
        assert_eq!(log_message("START RequestId: 1 Version: $LATEST"), "START RequestId: 1 Version: $LATEST");
        let long = quoted(&"x".repeat(1000));
        assert_eq!(long.chars().count(), 300);
        assert!(long.ends_with('…'));
        assert_eq!(quoted("two\n  lines"), "two lines");
    }
}
