//! Least privilege: docs/iam.md allows every operation the code calls, and
//! AccessDenied on each call stops rotctl cleanly, naming the IAM action.

use serde_json::json;

use crate::harness::{World, reads};

/// docs/iam.md's policies: key (`### Policy: KEY`) → the actions it allows.
fn iam_policies() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let doc = std::fs::read_to_string(crate::harness::root().join("docs/iam.md")).expect("docs/iam.md");
    let mut policies = std::collections::BTreeMap::new();
    for section in doc.split("### Policy: ").skip(1) {
        let key = section.lines().next().expect("a policy key").trim().to_string();
        let start = section.find("```json").expect("a JSON policy") + "```json".len();
        let end = start + section[start..].find("```").expect("the end of the JSON policy");
        let policy: serde_json::Value = serde_json::from_str(&section[start..end]).expect("a valid policy document");
        let mut actions = std::collections::BTreeSet::new();
        for statement in policy["Statement"].as_array().expect("statements") {
            assert_eq!(statement["Effect"], "Allow", "{key}: {statement}");
            let listed = match &statement["Action"] {
                serde_json::Value::String(one) => vec![one.clone()],
                many => {
                    many.as_array().expect("actions").iter().map(|a| a.as_str().expect("an action").into()).collect()
                }
            };
            for action in listed {
                assert!(!action.contains('*'), "{key}: a wildcard action {action}");
                actions.insert(action);
            }
        }
        policies.insert(key, actions);
    }
    policies
}

/// Every AWS operation the code calls, as IAM actions, found by reading
/// src/: each SDK call is `client.operation()` (the service is the file's
/// client) or `clients.<service>.operation()`.
fn operations_in_code() -> std::collections::BTreeSet<String> {
    let prefix_of = |client: &str| match client {
        "secrets" | "secrets.rs" => Some("secretsmanager"),
        "lambda" | "lambda.rs" => Some("lambda"),
        "cloudformation" | "cloudformation.rs" => Some("cloudformation"),
        "ec2" | "ec2.rs" => Some("ec2"),
        "cloudtrail" => Some("cloudtrail"),
        "logs" => Some("logs"),
        "rds" | "rds.rs" => Some("rds"),
        "sts" | "accounts.rs" => Some("sts"),
        "organizations" => Some("organizations"),
        "kms" | "kms.rs" => Some("kms"),
        "iam" | "iam.rs" => Some("iam"),
        _ => None,
    };
    let pascal = |snake: &str| -> String { snake.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect() };
    let mut operations = std::collections::BTreeSet::new();
    let (mut sites, mut sends) = (0, 0);
    let mut files = vec![crate::harness::root().join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).expect("src/").map(|e| e.expect("an entry").path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a source file");
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        // `client\n    .operation()` → `client.operation()`; words stay apart.
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ").replace(" .", ".").replace(". ", ".");
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        for (at, _) in code.match_indices("()") {
            let before = &code[..at];
            let Some(dot) = before.rfind('.') else { continue };
            let method = &before[dot + 1..];
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                continue;
            }
            let receiver = before[..dot].rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).next();
            let service = match receiver.unwrap_or_default().rsplit('.').collect::<Vec<_>>()[..] {
                ["client", ..] => prefix_of(file),
                [name, "clients", ..] => prefix_of(name),
                _ => None,
            };
            if let Some(service) = service {
                // A waiter sends the operation it polls (the SDK's waiter definitions).
                let operation = match method.strip_prefix("wait_until_") {
                    Some(waiter) => polled_by(waiter).to_string(),
                    // IAM spells RDS's `DB` in capitals (rds:DescribeDBInstances).
                    None if service == "rds" => pascal(method).replace("Db", "DB"),
                    None => pascal(method),
                };
                operations.insert(format!("{service}:{operation}"));
                sites += 1;
            }
        }
        sends += code.matches(".send()").count() + code.matches(".wait(").count();
    }
    // Every request sent is one of the calls found: none was missed.
    assert_eq!(sites, sends, "SDK calls found {sites}, requests sent {sends}: {operations:?}");
    operations
}

/// The operation each SDK waiter rotctl uses polls.
fn polled_by(waiter: &str) -> &'static str {
    match waiter {
        "change_set_create_complete" => "DescribeChangeSet",
        "stack_create_complete" | "stack_update_complete" => "DescribeStacks",
        "function_updated" => "GetFunctionConfiguration",
        other => panic!("the waiter {other} is new: name the operation it polls here"),
    }
}

#[test]
fn docs_iam_names_every_operation_the_code_calls() {
    let in_code = operations_in_code();
    // The reader itself is checked: it finds the calls of every service.
    for expected in [
        "secretsmanager:RotateSecret",
        "lambda:AddPermission",
        "cloudformation:ExecuteChangeSet",
        "ec2:CreateVpcEndpoint",
        "cloudtrail:LookupEvents",
        "logs:FilterLogEvents",
        "rds:ModifyDBInstance",
    ] {
        assert!(in_code.contains(expected), "{expected} not found in {in_code:?}");
    }
    let policies = iam_policies();
    let documented: std::collections::BTreeSet<String> = policies.values().flatten().cloned().collect();
    let missing: Vec<_> = in_code.difference(&documented).collect();
    assert!(missing.is_empty(), "docs/iam.md does not allow {missing:?}");
    for read_only in ["status", "audit"] {
        let writes: Vec<_> =
            policies[read_only].iter().filter(|action| !reads(action.split(':').nth(1).unwrap_or_default())).collect();
        assert!(writes.is_empty(), "{read_only} is read-only, but its policy allows {writes:?}");
    }
    eprintln!("IAM\t{} operations in code, all in docs/iam.md: {in_code:?}", in_code.len());
}

/// AccessDenied as each service words it.
fn denied(service: &str, operation: &str) -> serde_json::Value {
    let (code, status) = match service {
        "cloudformation" => ("AccessDenied", 403),
        "ec2" => ("UnauthorizedOperation", 403),
        "lambda" => ("AccessDeniedException", 403),
        _ => ("AccessDeniedException", 400),
    };
    let message =
        format!("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: {service}:{operation}");
    json!({"Service": service, "Operation": operation, "Code": code, "Status": status, "Count": 100, "Message": message})
}

/// Runs a command once to learn its calls, checks docs/iam.md's policy for
/// it allows each, then denies each call in turn on a fresh setup: rotctl
/// stops with exit 1 naming the IAM action, or (for an optional lookup)
/// finishes, and never makes a change after a denied call.
async fn each_call_denied(
    world: &World,
    policy: &str,
    optional: &[&str],
    mut setup: impl AsyncFnMut(usize) -> Vec<String>,
) {
    // `a+b`: the union of two policies (enable's VPC policy adds to a function source's).
    let policies = iam_policies();
    let allowed: std::collections::BTreeSet<String> = policy.split('+').flat_map(|key| policies[key].clone()).collect();
    let args = setup(0).await;
    let before = world.calls().len();
    let run = world.rotctl(&args.iter().map(String::as_str).collect::<Vec<_>>()).run();
    assert!(run.code == 0 || run.code == 3, "the baseline run failed:\n{run}");
    let mut seen: Vec<(String, String)> = Vec::new();
    for call in &world.calls()[before..] {
        let prefix = if call.service == "secretsmanager" { "secretsmanager" } else { call.service.as_str() };
        let action = (prefix.to_string(), call.operation.clone());
        if !seen.contains(&action) {
            seen.push(action);
        }
    }
    for (service, operation) in &seen {
        let action = format!("{service}:{operation}");
        assert!(allowed.contains(&action), "docs/iam.md policy {policy} does not allow {action}, which it calls");
    }
    for (i, (service, operation)) in seen.iter().enumerate() {
        let args = setup(i + 1).await;
        world.fault(denied(service, operation));
        let before = world.calls().len();
        let run = world.rotctl(&args.iter().map(String::as_str).collect::<Vec<_>>()).run();
        world.clear_faults();
        let calls = world.calls()[before..].to_vec();
        let optional_lookup = optional.contains(&operation.as_str());
        let Some(first_denied) = calls.iter().position(|c| c.injected) else {
            // These are read only while a rotation is pending (its age, its failure's
            // evidence), which a fast rotation may no longer be on this run.
            let while_pending = ["ListSecretVersionIds", "FilterLogEvents", "LookupEvents"];
            assert!(
                while_pending.contains(&operation.as_str()),
                "{policy}: {operation} was not called this time:\n{run}"
            );
            continue;
        };
        let after: Vec<_> = calls[first_denied + 1..].iter().filter(|c| c.is_mutating()).collect();
        assert!(
            optional_lookup || after.is_empty(),
            "{policy}: changes after {operation} was denied: {after:?}\n{run}"
        );
        if run.code == 0 {
            assert!(optional_lookup, "{policy}: {operation} denied, yet exit 0:\n{run}");
        } else {
            // audit's exit 3 (findings) outranks 1; what it could not read is named either way.
            let run = if policy == "audit" && run.code == 3 { run } else { run.code(1) };
            let named =
                run.stderr.contains(&format!("{service}:{operation}")) || run.stderr.contains("could not be checked");
            assert!(named, "{policy}: the denied action is not named:\n{run}");
        }
    }
    eprintln!("DENIED\t{policy}\t{}", seen.len());
}

#[tokio::test]
async fn access_denied_on_each_call() {
    let world = World::in_region("il-central-1");
    let function = world.rotation_function("rotate", &[]).await;
    let rotated = async |n: String| world.rotated_secret(&n, &function).await;
    // The failure evidence is optional everywhere: denied, the state is judged without it.
    let optional_diagnosis = ["LookupEvents", "FilterLogEvents"];
    each_call_denied(&world, "status", &optional_diagnosis, async |i| {
        vec!["status".into(), rotated(format!("s{i}")).await]
    })
    .await;
    each_call_denied(&world, "rotate-now", &optional_diagnosis, async |i| {
        vec!["rotate-now".into(), rotated(format!("r{i}")).await, "--wait".into()]
    })
    .await;
    each_call_denied(&world, "rollback", &["GetFunction", "LookupEvents", "FilterLogEvents"], async |i| {
        vec!["rollback".into(), rotated(format!("b{i}")).await, "--yes".into()]
    })
    .await;
    each_call_denied(&world, "schedule", &optional_diagnosis, async |i| {
        vec!["schedule".into(), rotated(format!("c{i}")).await, "--every-days".into(), "7".into()]
    })
    .await;
    each_call_denied(&world, "disable", &optional_diagnosis, async |i| {
        vec!["disable".into(), rotated(format!("d{i}")).await, "--yes".into()]
    })
    .await;
    // enable's preflight (doctor's checks) is optional too: denied, a check is a warning.
    let optional_enable = ["LookupEvents", "FilterLogEvents", "SimulatePrincipalPolicy"];
    each_call_denied(&world, "enable-lambda-arn", &optional_enable, async |i| {
        let secret = world.secret(&format!("e{i}")).await;
        let function = world.bare_function(&format!("e{i}"), &[]).await;
        vec!["enable".into(), secret, "--lambda-arn".into(), function]
    })
    .await;
    each_call_denied(&world, "enable-lambda-arn+enable-vpc", &optional_enable, async |i| {
        let secret = world.secret(&format!("v{i}")).await;
        let function = world.bare_function(&format!("v{i}"), &[]).await;
        let vpc = world.vpc().await;
        let network =
            ["--subnet-ids".to_string(), vpc.subnets.join(","), "--security-group-ids".into(), vpc.security_group];
        [vec!["enable".into(), secret, "--lambda-arn".into(), function], network.to_vec()].concat()
    })
    .await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path").to_string();
    each_call_denied(&world, "enable-template-file", &optional_enable, async |i| {
        vec!["enable".into(), world.secret(&format!("t{i}")).await, "--template-file".into(), template.clone()]
    })
    .await;
    // audit reads the whole region: the secrets above, their functions and policies.
    each_call_denied(&world, "audit", &optional_diagnosis, async |_| vec!["audit".into()]).await;
}

/// The same for the secrets RDS owns: reading the owner is optional (denied,
/// its status is unknown and a note says so); rotating through it is not.
#[tokio::test]
async fn access_denied_on_each_call_for_a_managed_secret() {
    let world = World::in_region("me-south-1");
    let optional = ["DescribeDBInstances", "DescribeDBClusters", "LookupEvents", "FilterLogEvents"];
    each_call_denied(&world, "status", &optional, async |i| {
        vec!["status".into(), world.managed_database(&format!("s{i}"), false).await.1]
    })
    .await;
    each_call_denied(&world, "rotate-now", &optional, async |i| {
        vec!["rotate-now".into(), world.managed_database(&format!("r{i}"), false).await.1]
    })
    .await;
    each_call_denied(&world, "audit", &optional, async |_| vec!["audit".into()]).await;
}

/// Across accounts: the caller's identity and the organization's listing are
/// needed (denied, the run stops naming them); a role or a region denied is
/// an access error, named, while the other accounts are still read.
#[tokio::test]
async fn access_denied_on_each_call_across_accounts() {
    let world = World::in_own_account("us-east-1");
    for member in world.organization(2).await {
        world.trusted_role(&member, "RotctlAudit", None);
    }
    let optional = ["LookupEvents", "FilterLogEvents"];
    each_call_denied(&world, "audit-accounts+audit", &optional, async |_| {
        ["audit", "--org", "--role-name", "RotctlAudit"].map(String::from).to_vec()
    })
    .await;
}

/// history only reads: the secret and its versions are needed; the function's
/// log and CloudTrail are optional (denied, history says so).
#[tokio::test]
async fn access_denied_on_each_call_of_history() {
    let world = World::new();
    each_call_denied(&world, "history", &["LookupEvents", "FilterLogEvents"], async |i| {
        let function = world.rotation_function(&format!("h{i}"), &[]).await;
        let secret = world.rotated_secret(&format!("h{i}"), &function).await;
        vec!["history".into(), secret]
    })
    .await;
}

/// doctor only reads: DescribeSecret is needed; each other read denied is its
/// check's warn, naming what could not be read.
#[tokio::test]
async fn access_denied_on_each_call_of_doctor() {
    let world = World::new();
    let role = world.role().await;
    let key = world
        .key(serde_json::json!([{"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:*", "Resource": "*"}]))
        .await;
    let optional = [
        "GetFunctionConfiguration",
        "GetPolicy",
        "GetFunction",
        "GetSecretValue",
        "SimulatePrincipalPolicy",
        "DescribeKey",
        "GetKeyPolicy",
        "ListGrants",
        "DescribeVpcEndpoints",
        "DescribeRouteTables",
    ];
    let vpc = world.vpc().await;
    world.create_secretsmanager_endpoint(&vpc).await;
    each_call_denied(&world, "doctor", &optional, async |i| {
        let function = world.rotation_function(&format!("d{i}"), &[]).await;
        world.put_in_vpc(&function, &vpc).await;
        let value = serde_json::json!({"engine": "postgres", "host": "db.internal", "username": "app", "password": "ROTCTL-TEST-SECRET-VALUE-iam"});
        let secret = world.secret_with_key(&format!("d{i}"), &value, Some(&key)).await;
        world.rotate(&secret, &function, 30).await;
        vec!["doctor".into(), secret]
    })
    .await;
}

/// why only reads: the secret and its versions are needed; the function's log
/// and CloudTrail are optional (denied, why says what it could not read).
#[tokio::test]
async fn access_denied_on_each_call_of_why() {
    let world = World::new();
    each_call_denied(&world, "why", &["LookupEvents", "FilterLogEvents"], async |i| {
        let broken = world.rotation_function(&format!("w{i}"), &[("FAIL_AT_STEP", "setSecret")]).await;
        let secret = world.secret(&format!("w{i}")).await;
        world.start_rotation(&secret, &broken, 30).await;
        world.wait_for_event(&secret, "RotationFailed").await;
        vec!["why".into(), secret]
    })
    .await;
}
