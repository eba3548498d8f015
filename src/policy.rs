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
    /// The aws:SourceArn the statement requires (one secret, or a pattern), if any.
    pub(crate) source_arn: Option<String>,
}

impl Grant {
    /// The account the statement is scoped to: its aws:SourceAccount, else the
    /// account of its aws:SourceArn (when that names one). None: open to any.
    pub(crate) fn scoped_account(&self) -> Option<&str> {
        let from_arn = self.source_arn.as_deref().and_then(|arn| arn.split(':').nth(4));
        self.source_account.as_deref().or_else(|| from_arn.filter(|a| !a.is_empty() && !a.contains(['*', '?'])))
    }

    /// Whether the statement lets Secrets Manager invoke the function for `secret_arn`.
    pub(crate) fn covers(&self, secret_arn: &str) -> bool {
        let account = secret_arn.split(':').nth(4).unwrap_or_default();
        self.source_account.as_deref().is_none_or(|a| a == account)
            && self.source_arn.as_deref().is_none_or(|pattern| arn_like(pattern, secret_arn))
    }
}

/// IAM's ArnLike: `*` any run of characters, `?` one.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let (p, a): (Vec<char>, Vec<char>) = (pattern.chars().collect(), arn.chars().collect());
    // Classic wildcard matching, iterative with one backtrack point.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < a.len() {
        if i < p.len() && (p[i] == '?' || p[i] == a[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
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
            source_account: condition_value(&s["Condition"], "aws:SourceAccount"),
            source_arn: condition_value(&s["Condition"], "aws:SourceArn"),
        })
        .collect()
}

/// The value a condition block requires of `key` (keys are case-insensitive), if any.
fn condition_value(condition: &Value, wanted: &str) -> Option<String> {
    let operators = condition.as_object()?;
    operators.values().filter_map(Value::as_object).flat_map(|keys| keys.iter()).find_map(|(key, value)| {
        key.eq_ignore_ascii_case(wanted).then(|| match value {
            Value::Array(values) => values.first().and_then(Value::as_str).unwrap_or_default().to_string(),
            other => other.as_str().unwrap_or_default().to_string(),
        })
    })
}
