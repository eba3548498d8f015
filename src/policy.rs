//! Reading a Lambda function's resource policy: which statements let
//! Secrets Manager invoke it, and for which account (`audit` judges them,
//! `enable` adds one when none fits).

use serde_json::Value;

/// The service principal that invokes rotation functions.
pub(crate) const SECRETS_MANAGER: &str = "secretsmanager.amazonaws.com";

/// A statement in a Lambda resource policy that lets Secrets Manager invoke the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) sid: String,
    pub(crate) source_account: Option<String>,
}

/// The statements of a function's policy (JSON) that let Secrets Manager invoke it.
pub(crate) fn grants(policy: &str) -> Vec<Grant> {
    let Ok(document) = serde_json::from_str::<Value>(policy) else { return Vec::new() };
    let statements = match &document["Statement"] {
        Value::Array(statements) => statements.clone(),
        statement @ Value::Object(_) => vec![statement.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .filter(|s| s["Effect"].as_str().unwrap_or("Allow") == "Allow")
        .filter(|s| {
            let principal = &s["Principal"];
            principal["Service"] == SECRETS_MANAGER
                || principal["Service"].as_array().is_some_and(|a| a.iter().any(|p| p == SECRETS_MANAGER))
                || principal == SECRETS_MANAGER
        })
        .filter(|s| {
            let allows = |a: &Value| matches!(a.as_str(), Some("lambda:InvokeFunction" | "lambda:*" | "*"));
            allows(&s["Action"]) || s["Action"].as_array().is_some_and(|a| a.iter().any(allows))
        })
        .map(|s| Grant {
            sid: s["Sid"].as_str().unwrap_or("(no id)").to_string(),
            source_account: source_account(&s["Condition"]),
        })
        .collect()
}

/// The aws:SourceAccount a condition block requires, if any (keys are case-insensitive).
fn source_account(condition: &Value) -> Option<String> {
    let operators = condition.as_object()?;
    operators.values().filter_map(Value::as_object).flat_map(|keys| keys.iter()).find_map(|(key, value)| {
        key.eq_ignore_ascii_case("aws:SourceAccount").then(|| match value {
            Value::Array(values) => values.first().and_then(Value::as_str).unwrap_or_default().to_string(),
            other => other.as_str().unwrap_or_default().to_string(),
        })
    })
}
