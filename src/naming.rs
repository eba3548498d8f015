//! Names rotctl gives what it creates for a secret (stacks, functions,
//! change sets, idempotency tokens): stable, so a re-run finds its own work.

use std::collections::BTreeMap;

/// A name for the things rotctl creates for a secret: `prod/db` →
/// `prod-db-<6 hex of the ARN><suffix>`, within `max` characters of letters,
/// digits and hyphens, starting with a letter. The hash keeps `app/db`,
/// `app-db` and `app_db` apart (they read the same once sanitised).
pub(crate) fn derived_name_for(secret_name: &str, secret_arn: &str, suffix: &str, max: usize) -> String {
    let tag = format!("-{:06x}", fnv1a(secret_arn.as_bytes()) & 0xff_ffff);
    derived_name(secret_name, &format!("{tag}{suffix}"), max)
}

/// `derived_name_for` without the ARN's hash.
fn derived_name(secret_name: &str, suffix: &str, max: usize) -> String {
    let mut base: String = secret_name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let mut base = base.trim_matches('-').to_string();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert_str(0, "s-");
    }
    let whole = format!("{base}{suffix}");
    if whole.len() <= max {
        return whole;
    }
    let hash = format!("-{:08x}", fnv1a(secret_name.as_bytes()) as u32);
    let keep = max.saturating_sub(suffix.len() + hash.len());
    format!("{}{hash}{suffix}", base[..keep].trim_end_matches('-'))
}

/// FNV-1a: a stable, dependency-free hash for names (not for security).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The change set's name: from the content, so the same deployment always
/// has the same name and an interrupted run finds its own change set.
pub(crate) fn change_set_name(body: &str, parameters: &BTreeMap<String, String>) -> String {
    let mut content = body.as_bytes().to_vec();
    for (key, value) in parameters {
        content.extend_from_slice(format!("\n{key}={value}").as_bytes());
    }
    format!("rotctl-{:016x}", fnv1a(&content))
}

/// `/aws/lambda/<function name>`, where Lambda writes a function's output.
pub(crate) fn log_group(function_arn: &str) -> String {
    let name = function_arn.split(':').nth(6).unwrap_or(function_arn);
    format!("/aws/lambda/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_secrets_that_sanitise_alike_stay_apart() {
        let a = derived_name_for(
            "app/db",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf",
            "-rotation",
            64,
        );
        let b = derived_name_for(
            "app-db",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-GhIjKl",
            "-rotation",
            64,
        );
        assert_ne!(a, b);
        assert!(a.starts_with("app-db-") && a.ends_with("-rotation") && a.len() <= 64, "{a}");
    }

    #[test]
    fn derived_names_fit_aws_rules() {
        assert_eq!(derived_name("prod/db", "-rotation", 64), "prod-db-rotation");
        assert_eq!(derived_name("1st//db@x", "", 128), "s-1st-db-x");
        let long = derived_name(&"a/".repeat(100), "-rotation", 64);
        assert!(long.len() <= 64 && long.ends_with("-rotation") && long.starts_with("a-a"), "{long}");
        assert_ne!(long, derived_name(&"a/".repeat(101), "-rotation", 64), "long names stay distinct");
    }

    #[test]
    fn change_set_names_follow_the_content() {
        let p = BTreeMap::from([("a".to_string(), "1".to_string())]);
        assert_eq!(change_set_name("body", &p), change_set_name("body", &p));
        assert_ne!(change_set_name("body", &p), change_set_name("body2", &p));
        assert!(change_set_name("body", &p).starts_with("rotctl-"));
    }
}
