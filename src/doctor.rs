//! Pure: what a rotation of a secret needs, each judged `ok`, `warn` or
//! `fail` with its fix, from what `rotctl doctor` (and `enable`'s preflight)
//! read. A `fail` is a rotation that will fail; a `warn` one that may, or a
//! risk that does not stop it.
//!
//! Sources: AWS's rotation troubleshooting page and permissions page
//! (https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html,
//! .../rotating-secrets-required-permissions-function.html), the KMS key
//! policy rules (a customer managed key's policy must allow the role, or
//! delegate to IAM through the account's root principal), and the issues of
//! aws-samples/aws-secrets-manager-rotation-lambdas (#53 KMS, #60 a reader
//! endpoint as `host`, #103 an RDS Proxy as `host`).

use serde::Serialize;
use serde_json::Value;

use crate::policy::Grant;
use crate::runtimes::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Judgement {
    Ok,
    Warn,
    Fail,
}

impl Judgement {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Judgement::Ok => "ok",
            Judgement::Warn => "warn",
            Judgement::Fail => "fail",
        }
    }
}

/// One check: `{"Check", "Result", "Detail", "Fix"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Check {
    #[serde(rename = "Check")]
    pub(crate) name: &'static str,
    pub(crate) result: Judgement,
    pub(crate) detail: String,
    pub(crate) fix: Option<String>,
}

impl Check {
    pub(crate) fn ok(check: &'static str, detail: impl Into<String>) -> Check {
        Check { name: check, result: Judgement::Ok, detail: detail.into(), fix: None }
    }

    pub(crate) fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { name: check, result: Judgement::Warn, detail: detail.into(), fix: Some(fix.into()) }
    }

    pub(crate) fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { name: check, result: Judgement::Fail, detail: detail.into(), fix: Some(fix.into()) }
    }
}

/// What the rotation role does on the secret (AWS's permissions page for rotation functions).
pub(crate) const SECRET_ACTIONS: [&str; 4] = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
];
/// On "*": the new password.
pub(crate) const RANDOM_PASSWORD: &str = "secretsmanager:GetRandomPassword";
/// On the secret's customer managed key: reading (Decrypt) and writing (GenerateDataKey) versions.
pub(crate) const SECRET_KEY_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];
/// On the master secret's key: reading it.
pub(crate) const MASTER_KEY_ACTIONS: [&str; 1] = ["kms:Decrypt"];

/// The timeout AWS's rotation templates give their functions.
const TEMPLATE_TIMEOUT: i32 = 30;

/// The invoke permission: a statement for secretsmanager.amazonaws.com that
/// covers this secret (its aws:SourceAccount and aws:SourceArn, when set),
/// scoped by one of them (else any account's secrets could use the function).
pub(crate) fn invoke(secret: &str, secret_arn: &str, function: &str, grants: &[Grant]) -> Check {
    let account = secret_arn.split(':').nth(4).unwrap_or_default();
    let usable: Vec<&Grant> = grants.iter().filter(|g| g.covers(secret_arn)).collect();
    let add =
        format!("rotctl enable {secret} --lambda-arn {function} (adds a statement scoped with aws:SourceAccount)");
    match usable.as_slice() {
        [] => Check::fail(
            "invoke-permission",
            format!(
                "{function}'s policy does not let secretsmanager.amazonaws.com invoke it for this secret (account {account})"
            ),
            add,
        ),
        grants if grants.iter().all(|g| g.source_account.is_none() && g.source_arn.is_none()) => Check::warn(
            "invoke-permission",
            "secretsmanager.amazonaws.com may invoke the function, with no aws:SourceAccount or aws:SourceArn \
             condition (any account's secrets could use it: a confused deputy)",
            format!(
                "first add a scoped statement (aws lambda add-permission --function-name {function} --statement-id \
                 rotctl-secretsmanager-invoke --action lambda:InvokeFunction --principal secretsmanager.amazonaws.com \
                 --source-account {account}), then remove the open one (aws lambda remove-permission --function-name \
                 {function} --statement-id {}); a statement a CloudFormation stack made is changed in its template",
                grants[0].sid
            ),
        ),
        _ => Check::ok(
            "invoke-permission",
            format!("secretsmanager.amazonaws.com may invoke it for this secret (account {account})"),
        ),
    }
}

/// The function's runtime against Lambda's schedule.
pub(crate) fn runtime(runtime: Option<&str>, now: jiff::Timestamp, secret: &str) -> Check {
    let Some(runtime) = runtime else {
        return Check::ok("runtime", "a container image: its runtime is the image's");
    };
    let verdict = Verdict::of(runtime, now);
    let detail = verdict.describe(runtime, now);
    if verdict.is_concern() {
        let fix = crate::audit::Rule::RotationFunctionRuntimeDeprecated.help().fix.replace("SECRET", secret);
        Check::warn("runtime", detail, fix)
    } else {
        Check::ok("runtime", detail)
    }
}

/// The function's timeout: each step is one invocation; AWS's templates give 30 s.
pub(crate) fn timeout(seconds: Option<i32>, function: &str) -> Check {
    let seconds = seconds.unwrap_or(3);
    if seconds >= TEMPLATE_TIMEOUT {
        Check::ok("timeout", format!("{seconds} s per step"))
    } else {
        Check::warn(
            "timeout",
            format!(
                "{seconds} s per step, less than the {TEMPLATE_TIMEOUT} s AWS's rotation templates give: a cold start \
                 in a VPC or a slow database login ends in \"Task timed out\""
            ),
            format!("aws lambda update-function-configuration --function-name {function} --timeout {TEMPLATE_TIMEOUT}"),
        )
    }
}

/// How the function reaches Secrets Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Path {
    /// Not in a VPC: Lambda's own network reaches AWS's public endpoints.
    NoVpc,
    /// In `vpc`: its endpoints for Secrets Manager (id, private DNS), the
    /// subnets whose route tables have no default route out through a NAT, and
    /// whether those are all closed (only local routes, tables read).
    Vpc { vpc: String, endpoints: Vec<(String, bool)>, subnets_without_nat: Vec<String>, closed: bool },
}

pub(crate) fn network(path: &Path, secret: &str, function: &str) -> Check {
    let fix = format!(
        "rotctl enable {secret} --lambda-arn {function} --subnet-ids ... --security-group-ids ... (creates a Secrets \
         Manager interface endpoint with private DNS), or a NAT gateway route (0.0.0.0/0) in each subnet's route table"
    );
    match path {
        Path::NoVpc => {
            Check::ok("network", "the function runs outside a VPC: it reaches Secrets Manager's public endpoint")
        }
        Path::Vpc { vpc, endpoints, .. } if endpoints.iter().any(|(_, dns)| *dns) => {
            let id = endpoints.iter().find(|(_, dns)| *dns).map(|(id, _)| id.as_str()).unwrap_or_default();
            Check::ok("network", format!("{vpc} has Secrets Manager endpoint {id} with private DNS"))
        }
        Path::Vpc { vpc, subnets_without_nat, .. } if subnets_without_nat.is_empty() => {
            Check::ok("network", format!("every subnet of the function in {vpc} routes 0.0.0.0/0 through a NAT"))
        }
        Path::Vpc { vpc, endpoints, .. } if !endpoints.is_empty() => Check::warn(
            "network",
            format!(
                "{vpc}'s Secrets Manager endpoint {} has no private DNS: the function reaches it only if it is given \
                 the endpoint's own DNS name (SECRETS_MANAGER_ENDPOINT)",
                endpoints[0].0
            ),
            "turn on private DNS for the endpoint (aws ec2 modify-vpc-endpoint --private-dns-enabled), or set the \
             function's SECRETS_MANAGER_ENDPOINT to the endpoint's DNS name",
        ),
        Path::Vpc { vpc, subnets_without_nat, closed: true, .. } => Check::fail(
            "network",
            format!(
                "the function runs in {vpc}, which has no Secrets Manager endpoint, and subnet(s) {} route nowhere \
                 beyond the VPC: the function cannot reach Secrets Manager (\"Could not connect to the endpoint URL\")",
                subnets_without_nat.join(", ")
            ),
            fix,
        ),
        Path::Vpc { vpc, subnets_without_nat, closed: false, .. } => Check::warn(
            "network",
            format!(
                "the function runs in {vpc}, which has no Secrets Manager endpoint, and subnet(s) {} have no NAT route \
                 (their routes go elsewhere, or cannot be read): it reaches Secrets Manager only if those lead to an \
                 endpoint (a hub VPC's, with its DNS shared) or a NAT",
                subnets_without_nat.join(", ")
            ),
            fix,
        ),
    }
}

/// One SimulatePrincipalPolicy answer: action, resource, decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evaluation {
    pub(crate) action: String,
    pub(crate) resource: String,
    pub(crate) decision: String,
    /// Condition keys a statement needed and the request did not give: IAM could not decide.
    pub(crate) missing_context: Vec<String>,
}

/// What IAM's simulation said of one action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Said {
    Allowed,
    Denied,
    /// Not allowed, but a statement needed a condition key rotctl could not give.
    Undecided,
}

pub(crate) fn said(evaluations: &[Evaluation], action: &str, resource: &str) -> Said {
    match evaluations.iter().find(|d| d.action == action && d.resource == resource) {
        Some(d) if d.decision == "allowed" => Said::Allowed,
        Some(d) if d.decision != "explicitDeny" && !d.missing_context.is_empty() => Said::Undecided,
        _ => Said::Denied,
    }
}

/// The role's identity policies, simulated, on the secret (and `*`, and the
/// master secret). `template`: the function is one of AWS's, which asks for a
/// random password (GetRandomPassword); another function may make its own.
pub(crate) fn role_permissions(
    role: &str,
    secret: &str,
    master: Option<&str>,
    template: bool,
    evaluations: &[Evaluation],
) -> Check {
    let mut needed: Vec<(String, &str, &str)> =
        SECRET_ACTIONS.iter().map(|a| (format!("{a} on the secret"), *a, secret)).collect();
    needed.push((format!("{RANDOM_PASSWORD} on *"), RANDOM_PASSWORD, "*"));
    if let Some(master) = master {
        needed.push((
            "secretsmanager:GetSecretValue on the master secret".to_string(),
            "secretsmanager:GetSecretValue",
            master,
        ));
    }
    let (mut denied, mut undecided, mut optional) = (Vec::new(), Vec::new(), Vec::new());
    for (what, action, resource) in &needed {
        match said(evaluations, action, resource) {
            Said::Allowed => {}
            Said::Undecided => undecided.push(what.clone()),
            Said::Denied if *action == RANDOM_PASSWORD && !template => optional.push(what.clone()),
            Said::Denied => denied.push(what.clone()),
        }
    }
    let fix = "add the missing actions to the role's policy (AWS's rotation templates attach them: \
               https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html)";
    if !denied.is_empty() {
        return Check::fail("role-permissions", format!("IAM does not allow {role}: {}", denied.join(", ")), fix);
    }
    if !undecided.is_empty() {
        let keys: std::collections::BTreeSet<&str> = evaluations
            .iter()
            .filter(|e| e.decision != "allowed")
            .flat_map(|e| e.missing_context.iter().map(String::as_str))
            .collect();
        return Check::warn(
            "role-permissions",
            format!(
                "IAM could not decide {} for {role}: its policy's conditions need {} (not known before the call)",
                undecided.join(", "),
                keys.into_iter().collect::<Vec<_>>().join(", ")
            ),
            "check those conditions hold for the rotation's calls",
        );
    }
    if !optional.is_empty() {
        return Check::warn(
            "role-permissions",
            format!(
                "IAM does not allow {role} {}: only needed if the function asks Secrets Manager for a password",
                optional.join(", ")
            ),
            fix,
        );
    }
    let also = if master.is_some() { " and the master secret" } else { "" };
    Check::ok("role-permissions", format!("{role} may use the secret{also}"))
}

/// What a KMS key's policy (and grants) says of the role, for each action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySays {
    /// A statement allows the role (or everyone) the action, or a grant does.
    Allows,
    /// The account's root principal is allowed it: IAM decides.
    DelegatesToIam,
    /// A Deny statement with no condition covers the role.
    Denies,
    /// A statement rotctl cannot judge covers it: a Deny with a condition
    /// (often a guardrail the rotation meets), NotAction or NotPrincipal.
    Unclear,
    /// Nothing allows it.
    Silent,
}

/// Reads a key policy for `action` by `role` of `account` (statically: the
/// policy is read, not simulated; simulation cannot include a key policy for a
/// role). Conditions on an Allow are taken as met (a rotation's calls come
/// through Secrets Manager, which is what `kms:ViaService` and the
/// `SecretARN` encryption context usually ask); a Deny with a condition is unclear.
pub(crate) fn key_says(
    policy: &Value,
    role: &str,
    account: &str,
    action: &str,
    grants: &[(String, Vec<String>)],
) -> KeySays {
    let statements = match &policy["Statement"] {
        Value::Array(s) => s.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => Vec::new(),
    };
    let matches =
        |a: &str| a == "*" || a.eq_ignore_ascii_case("kms:*") || a.eq_ignore_ascii_case(action) || wildcard(a, action);
    let listed = |v: &Value| match v {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let root = format!("arn:aws:iam::{account}:root");
    let principals = |s: &Value| -> Vec<String> {
        match &s["Principal"] {
            Value::String(p) => vec![p.clone()],
            Value::Object(map) => map.get("AWS").map(listed).unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let mut says = KeySays::Silent;
    for s in &statements {
        let deny = s["Effect"].as_str() == Some("Deny");
        if s.get("NotAction").is_some() || s.get("NotPrincipal").is_some() {
            // Whether it covers this action or this role is a question rotctl does not answer.
            let covers = match s.get("NotAction") {
                Some(not) => !listed(not).iter().any(|a| matches(a)),
                None => listed(&s["Action"]).iter().any(|a| matches(a)),
            };
            if covers && says != KeySays::Allows {
                says = KeySays::Unclear;
            }
            continue;
        }
        if !listed(&s["Action"]).iter().any(|a| matches(a)) {
            continue;
        }
        let who = principals(s);
        let names_role = who.iter().any(|p| p == "*" || p == role);
        let names_root = who.iter().any(|p| *p == root || p == account);
        let conditioned = s.get("Condition").is_some_and(|c| c.as_object().is_some_and(|c| !c.is_empty()));
        match (deny, conditioned) {
            (true, false) if names_role || names_root => return KeySays::Denies,
            (true, true) if names_role || names_root => says = KeySays::Unclear,
            (false, _) if names_role && says != KeySays::Unclear => says = KeySays::Allows,
            (false, _) if names_root && says == KeySays::Silent => says = KeySays::DelegatesToIam,
            _ => {}
        }
    }
    let short = action.trim_start_matches("kms:");
    if matches!(says, KeySays::Silent | KeySays::DelegatesToIam)
        && grants.iter().any(|(grantee, ops)| grantee == role && ops.iter().any(|o| o == short))
    {
        return KeySays::Allows;
    }
    says
}

/// `kms:Gen*`, `kms:Generate*`-style wildcards in a policy's actions.
fn wildcard(pattern: &str, action: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, "")) => action.to_lowercase().starts_with(&head.to_lowercase()),
        _ => false,
    }
}

/// The key check: `which` names the key ("the secret's key", "the master
/// secret's key"); `iam` is what IAM's simulation said of each action on the
/// key (None: it could not be run).
pub(crate) fn key_check(
    check: &'static str,
    which: &str,
    key_arn: &str,
    actions: &[&str],
    says: &[(&str, KeySays)],
    iam: Option<&dyn Fn(&str) -> Said>,
) -> Check {
    let (mut missing, mut denied, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for (action, said) in says {
        match (said, iam.map(|iam| iam(action))) {
            (KeySays::Allows, _) | (KeySays::DelegatesToIam, Some(Said::Allowed)) => {}
            (KeySays::DelegatesToIam, None | Some(Said::Undecided)) | (KeySays::Unclear, _) => unknown.push(*action),
            (KeySays::Denies, _) => denied.push(*action),
            (KeySays::DelegatesToIam, Some(Said::Denied)) | (KeySays::Silent, _) => missing.push(*action),
        }
    }
    let region = key_arn.split(':').nth(3).filter(|r| !r.is_empty()).unwrap_or("REGION");
    let fix = format!(
        "add a statement to the key policy of {key_arn} allowing the function's role {} (with the condition \
         kms:ViaService = secretsmanager.{region}.amazonaws.com), or allow them in the role's policy when the key \
         policy delegates to IAM (the account's root principal)",
        actions.join(" and ")
    );
    if !denied.is_empty() {
        return Check::fail(
            check,
            format!("{which} {key_arn}: its key policy denies the function's role {}", denied.join(", ")),
            fix,
        );
    }
    if !missing.is_empty() {
        return Check::fail(
            check,
            format!(
                "{which} {key_arn}: neither its key policy nor a grant (nor IAM, where the policy delegates to it) allows \
                 the function's role {} (\"Access to KMS is not allowed\")",
                missing.join(", ")
            ),
            fix,
        );
    }
    if !unknown.is_empty() {
        return Check::warn(
            check,
            format!(
                "{which} {key_arn}: rotctl cannot tell whether the function's role may {} (a conditioned Deny, NotAction \
                 or NotPrincipal in the key policy, or IAM's side undecided)",
                unknown.join(", ")
            ),
            fix,
        );
    }
    Check::ok(check, format!("{which} {key_arn} allows the function's role {}", actions.join(" and ")))
}

/// The keys a rotation needs in the secret's JSON (names only, never values),
/// and `host` judged: a writer endpoint, not an Aurora reader or an RDS Proxy.
/// `template`: the function is one of AWS's (by its application tag), whose
/// needs are known; another function's are its own, so only warned about.
pub(crate) fn secret_value(value: &Value, required: &[&str], template: Option<&str>) -> Vec<Check> {
    let judged = |check: &'static str, detail: String, fix: &str| match template {
        Some(_) => Check::fail(check, detail, fix),
        None => Check::warn(check, detail, fix),
    };
    let Some(object) = value.as_object() else {
        return vec![judged(
            "secret-keys",
            "the secret's value is not a JSON object: AWS's rotation functions read engine, host, username and password \
             from one"
                .to_string(),
            "put the value as JSON with the keys the function needs (rotctl templates lists them)",
        )];
    };
    let mut checks = Vec::new();
    let missing: Vec<&str> = required.iter().copied().filter(|k| !object.contains_key(*k)).collect();
    let whose = template.map_or_else(|| "the function".to_string(), |t| format!("{t}'s function"));
    checks.push(if missing.is_empty() {
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        Check::ok("secret-keys", format!("the value has the keys {whose} needs (keys: {})", keys.join(", ")))
    } else {
        Check::fail(
            "secret-keys",
            format!("the value lacks {} that {whose} needs", missing.join(", ")),
            "add the missing keys (aws secretsmanager put-secret-value with the full JSON; rotctl templates lists each template's keys)",
        )
    });
    if let Some(host) = object.get("host").and_then(Value::as_str) {
        let host = crate::diagnosis::quoted(host);
        let lower = host.to_lowercase();
        let rds = lower.ends_with(".rds.amazonaws.com") || lower.ends_with(".rds.amazonaws.com.cn");
        checks.push(if rds && lower.contains(".cluster-ro-") {
            judged(
                "host",
                format!("host {host} is an Aurora reader endpoint: the function cannot change a password there"),
                "set host to the cluster's writer endpoint (….cluster-….rds.amazonaws.com)",
            )
        } else if rds && lower.contains(".proxy-") {
            judged(
                "host",
                format!(
                    "host {host} is an RDS Proxy: AWS's rotation functions cannot log in through it (\"This RDS Proxy \
                     requires TLS connections\", SCRAM)"
                ),
                "set host to the database's own (writer) endpoint; clients keep using the proxy",
            )
        } else {
            Check::ok("host", format!("host {host} is not a reader or proxy endpoint"))
        });
    }
    checks
}

/// The master secret of a multi-user rotation: named by full ARN, and there.
pub(crate) fn master_secret(masterarn: &str, exists: Option<bool>) -> Check {
    let full = masterarn.starts_with("arn:") && masterarn.rsplit_once('-').is_some_and(|(_, suffix)| suffix.len() == 6);
    match exists {
        Some(false) => Check::fail(
            "master-secret",
            format!("masterarn {masterarn} names no secret (\"Unable to fetch master secret\")"),
            "set masterarn to the ARN of the secret the function logs in with to change the users",
        ),
        Some(true) if !full => Check::warn(
            "master-secret",
            format!(
                "masterarn {masterarn} is not a full ARN (with its 6-character suffix): the function's role policy may not match it"
            ),
            "set masterarn to the master secret's full ARN (rotctl status MASTER shows it)",
        ),
        Some(true) => Check::ok("master-secret", format!("masterarn {masterarn} exists")),
        None => Check::warn(
            "master-secret",
            format!("masterarn {masterarn} could not be read"),
            "check the caller's secretsmanager:DescribeSecret",
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/rotator";

    #[test]
    fn a_key_policy_is_read_for_the_role_the_root_and_denies() {
        let direct = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]});
        assert_eq!(key_says(&direct, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::Allows);
        assert_eq!(key_says(&direct, ROLE, "123456789012", "kms:GenerateDataKey", &[]), KeySays::Allows);
        let root = json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}});
        assert_eq!(key_says(&root, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::DelegatesToIam);
        let other = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"}, "Action": "kms:*"}]});
        assert_eq!(key_says(&other, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::Silent);
        let grants = vec![(ROLE.to_string(), vec!["Decrypt".to_string()])];
        assert_eq!(key_says(&other, ROLE, "123456789012", "kms:Decrypt", &grants), KeySays::Allows, "a grant");
        let deny = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt"}]});
        assert_eq!(key_says(&deny, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::Denies);

        let says = [("kms:Decrypt", KeySays::Allows), ("kms:GenerateDataKey", KeySays::Silent)];
        let check = key_check(
            "kms-key",
            "the secret's key",
            "arn:aws:kms:us-east-1:123456789012:key/k",
            &SECRET_KEY_ACTIONS,
            &says,
            Some(&|_| Said::Allowed),
        );
        assert_eq!(check.result, Judgement::Fail);
        assert!(
            check.detail.contains("arn:aws:kms:us-east-1:123456789012:key/k")
                && check.detail.contains("kms:GenerateDataKey"),
            "{}",
            check.detail
        );
        let delegated = [("kms:Decrypt", KeySays::DelegatesToIam), ("kms:GenerateDataKey", KeySays::DelegatesToIam)];
        assert_eq!(
            key_check("kms-key", "k", "k", &SECRET_KEY_ACTIONS, &delegated, Some(&|_| Said::Allowed)).result,
            Judgement::Ok
        );
        assert_eq!(
            key_check(
                "kms-key",
                "k",
                "k",
                &SECRET_KEY_ACTIONS,
                &delegated,
                Some(&|a| if a == "kms:Decrypt" { Said::Allowed } else { Said::Denied })
            )
            .result,
            Judgement::Fail
        );
        assert_eq!(
            key_check("kms-key", "k", "k", &SECRET_KEY_ACTIONS, &delegated, None).result,
            Judgement::Warn,
            "IAM's side unknown"
        );
    }

    #[test]
    fn the_hosts_that_cannot_rotate_and_the_keys_by_name_only() {
        let reader = json!({"engine": "postgres", "host": "db.cluster-ro-abc.us-east-1.rds.amazonaws.com", "username": "app", "password": "hunter2"});
        let checks = secret_value(&reader, &["engine", "host", "username", "password"], Some("postgres-single"));
        assert_eq!(
            checks.iter().map(|c| (c.name, c.result)).collect::<Vec<_>>(),
            [("secret-keys", Judgement::Ok), ("host", Judgement::Fail)]
        );
        assert!(checks.iter().all(|c| !c.detail.contains("hunter2")), "never a value: {checks:?}");
        let proxy = json!({"host": "p.proxy-abc.us-east-1.rds.amazonaws.com", "password": "hunter2"});
        let checks = secret_value(&proxy, &["engine", "host", "username", "password"], None);
        assert_eq!(checks[0].result, Judgement::Fail);
        assert!(checks[0].detail.contains("engine, username"), "{}", checks[0].detail);
        assert!(checks[1].detail.contains("RDS Proxy"));
        assert_eq!(secret_value(&json!("plain"), &[], Some("postgres-single"))[0].result, Judgement::Fail);
        let writer = json!({"host": "db.cluster-abc.us-east-1.rds.amazonaws.com"});
        assert_eq!(secret_value(&writer, &[], None)[1].result, Judgement::Ok);
    }

    #[test]
    fn invoke_network_timeout_and_master() {
        let grant = |account: Option<&str>, arn: Option<&str>| Grant {
            sid: "s".into(),
            source_account: account.map(str::to_string),
            source_arn: arn.map(str::to_string),
        };
        let scoped = [grant(Some("123456789012"), None)];
        let open = [grant(None, None)];
        let elsewhere = [grant(Some("999999999999"), None)];
        let this = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
        let for_this = [grant(None, Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-*"))];
        let for_other = [grant(None, Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf"))];
        assert_eq!(invoke("s", this, "f", &for_this).result, Judgement::Ok, "scoped by its SourceArn");
        assert_eq!(invoke("s", this, "f", &for_other).result, Judgement::Fail, "another secret's statement");
        assert!(
            invoke("s", this, "f", &open).fix.is_some_and(|f| f.starts_with("first add a scoped statement")),
            "add, then remove"
        );
        assert_eq!(invoke("s", this, "f", &scoped).result, Judgement::Ok);
        assert_eq!(invoke("s", this, "f", &open).result, Judgement::Warn);
        assert_eq!(invoke("s", this, "f", &elsewhere).result, Judgement::Fail);
        assert_eq!(invoke("s", this, "f", &[]).result, Judgement::Fail);

        let network_of = |path: &Path| network(path, "s", "f");
        let vpc = |endpoints: Vec<(String, bool)>, nat: Vec<String>| Path::Vpc {
            vpc: "vpc-1".into(),
            endpoints,
            subnets_without_nat: nat,
            closed: true,
        };
        assert_eq!(network(&Path::NoVpc, "s", "f").result, Judgement::Ok);
        assert_eq!(network_of(&vpc(vec![("vpce-1".into(), true)], vec!["subnet-1".into()])).result, Judgement::Ok);
        assert_eq!(network_of(&vpc(vec![], vec![])).result, Judgement::Ok, "NAT everywhere");
        assert_eq!(network_of(&vpc(vec![("vpce-1".into(), false)], vec!["subnet-1".into()])).result, Judgement::Warn);
        let none = network_of(&vpc(vec![], vec!["subnet-1".into()]));
        assert_eq!(none.result, Judgement::Fail);
        assert!(none.detail.contains("subnet-1"));

        assert_eq!(timeout(Some(30), "f").result, Judgement::Ok);
        assert_eq!(timeout(Some(3), "f").result, Judgement::Warn);
        let full = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf";
        assert_eq!(master_secret(full, Some(true)).result, Judgement::Ok);
        assert_eq!(master_secret("master", Some(true)).result, Judgement::Warn);
        assert_eq!(master_secret(full, Some(false)).result, Judgement::Fail);

        let evaluation = |action: &str, resource: &str, decision: &str, missing: &[&str]| Evaluation {
            action: action.into(),
            resource: resource.into(),
            decision: decision.into(),
            missing_context: missing.iter().map(|m| (*m).to_string()).collect(),
        };
        let mut evaluations: Vec<Evaluation> =
            SECRET_ACTIONS.iter().map(|a| evaluation(a, "s", "allowed", &[])).collect();
        evaluations.push(evaluation(RANDOM_PASSWORD, "*", "implicitDeny", &[]));
        // AWS's templates ask for a random password; another function may not.
        let check = role_permissions(ROLE, "s", None, true, &evaluations);
        assert_eq!(check.result, Judgement::Fail);
        assert!(check.detail.ends_with("secretsmanager:GetRandomPassword on *"), "{}", check.detail);
        assert_eq!(role_permissions(ROLE, "s", None, false, &evaluations).result, Judgement::Warn);
        // A condition IAM could not judge without a key: undecided, never a fail.
        evaluations[0] = evaluation(SECRET_ACTIONS[0], "s", "implicitDeny", &["aws:SourceVpce"]);
        evaluations[4] = evaluation(RANDOM_PASSWORD, "*", "allowed", &[]);
        let check = role_permissions(ROLE, "s", None, true, &evaluations);
        assert_eq!(check.result, Judgement::Warn);
        assert!(check.detail.contains("aws:SourceVpce"), "{}", check.detail);
        evaluations[0] = evaluation(SECRET_ACTIONS[0], "s", "explicitDeny", &["aws:SourceVpce"]);
        assert_eq!(role_permissions(ROLE, "s", None, true, &evaluations).result, Judgement::Fail);
    }

    #[test]
    fn what_rotctl_cannot_judge_in_a_key_policy_is_a_warning_never_a_fail() {
        let guardrail = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
        assert_eq!(key_says(&guardrail, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::Unclear);
        let not_action =
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "NotAction": "kms:Delete*"}]});
        assert_eq!(key_says(&not_action, ROLE, "123456789012", "kms:Decrypt", &[]), KeySays::Unclear);
        let says = [("kms:Decrypt", KeySays::Unclear), ("kms:GenerateDataKey", KeySays::Allows)];
        assert_eq!(key_check("kms-key", "k", "k", &SECRET_KEY_ACTIONS, &says, None).result, Judgement::Warn);
        // The value of a function rotctl does not know: its needs are its own.
        assert_eq!(secret_value(&json!("an API key"), &[], None)[0].result, Judgement::Warn);
        let proxy = json!({"host": "p.proxy-abc.us-east-1.rds.amazonaws.com"});
        assert_eq!(secret_value(&proxy, &[], None)[1].result, Judgement::Warn);
        assert_eq!(secret_value(&proxy, &[], Some("postgres-single"))[1].result, Judgement::Fail);
        let url = json!({"host": "postgres://app:hunter2@db.internal/x"});
        assert!(!secret_value(&url, &[], None)[1].detail.contains("hunter2"), "a host is shown masked");
    }
}
