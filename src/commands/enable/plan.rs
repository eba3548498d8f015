//! `enable`'s decisions, as pure functions of what was read: for each step,
//! create, update or ok, and the call that would make it so.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::cloudformation::Stack;
use crate::aws::ec2::Endpoint;
use crate::aws::lambda::FunctionVpc;
use crate::model::{Action, RotationRules, Secret};
use crate::policy::{SECRETS_MANAGER, grants};
use crate::rotation::describe_rules;
use crate::schedule::same_schedule;

/// The statement id rotctl gives the permission it adds.
pub(crate) const STATEMENT_ID: &str = "rotctl-secretsmanager-invoke";

/// A decision and what it means, in words (the call it makes, or why none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) action: Action,
    pub(crate) detail: String,
    /// Something the operator should know even though rotctl leaves it alone.
    pub(crate) note: Option<String>,
}

impl Decision {
    fn new(action: Action, detail: impl Into<String>) -> Decision {
        Decision { action, detail: detail.into(), note: None }
    }
}

/// The stack step: create, update, or the deployed stack is already this.
pub(crate) fn stack(
    name: &str,
    existing: Option<&Stack>,
    deployed_body: Option<&str>,
    body: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Decision, String> {
    let Some(stack) = existing else {
        return Ok(Decision::new(
            Action::Create,
            format!("CreateChangeSet (CREATE) and ExecuteChangeSet for stack {name}, then wait for it"),
        ));
    };
    match stack.status.as_str() {
        // An interrupted run made a change set and never executed it.
        "REVIEW_IN_PROGRESS" => {
            Ok(Decision::new(Action::Create, "execute the stack's pending CREATE change set, then wait"))
        }
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "DELETE_FAILED" | "UPDATE_ROLLBACK_FAILED" => Err(format!(
            "stack {} is {} after a failed deployment (see its events; delete it with `aws cloudformation delete-stack --stack-name {}` and re-run)",
            stack.name, stack.status, stack.name
        )),
        _ if stack.in_progress() => Ok(Decision::new(
            Action::Update,
            format!("wait for the stack's running {} to end, then compare again", stack.status),
        )),
        // DescribeStacks lists every parameter, defaults included: compare those rotctl passes.
        _ if deployed_body == Some(body) && parameters.iter().all(|(k, v)| stack.parameters.get(k) == Some(v)) => {
            Ok(Decision::new(
                Action::Ok,
                format!("stack {} is {} with this template and these parameters", stack.name, stack.status),
            ))
        }
        _ => Ok(Decision::new(
            Action::Update,
            format!("CreateChangeSet (UPDATE) and ExecuteChangeSet on {}, then wait", stack.name),
        )),
    }
}

/// The invoke-permission step, from the function's policy (None: it has none).
pub(crate) fn invoke_permission(policy: Option<&str>, secret_arn: &str) -> Decision {
    let account = secret_arn.split(':').nth(4).unwrap_or_default();
    // The statements that let Secrets Manager invoke the function for this secret.
    let found: Vec<_> = policy.map(grants).unwrap_or_default().into_iter().filter(|g| g.covers(secret_arn)).collect();
    let add = Decision::new(
        Action::Create,
        format!(
            "AddPermission {STATEMENT_ID}: {SECRETS_MANAGER} may call lambda:InvokeFunction, aws:SourceAccount {account}"
        ),
    );
    if let Some(grant) = found.iter().find(|g| g.scoped_account().is_some()) {
        return Decision::new(
            Action::Ok,
            format!("statement {} lets {SECRETS_MANAGER} invoke it for account {account}", grant.sid),
        );
    }
    if let Some(grant) = found.first() {
        let mut decision =
            Decision::new(Action::Ok, format!("statement {} lets {SECRETS_MANAGER} invoke it", grant.sid));
        decision.note = Some(format!(
            "the function's policy statement {} lets {SECRETS_MANAGER} invoke it without an aws:SourceAccount \
             condition, so Secrets Manager acting for any account could (confused deputy); remove that statement \
             (aws lambda remove-permission) and re-run enable to replace it with one scoped to {account}",
            grant.sid
        ));
        return decision;
    }
    add
}

/// The VPC-config step: set the function's subnets and security groups if they differ.
pub(crate) fn vpc_config(
    current: Option<&FunctionVpc>,
    subnet_ids: &[String],
    security_group_ids: &[String],
) -> Decision {
    if subnet_ids.is_empty() {
        let left = match current {
            Some(vpc) => format!("the function stays in {}", vpc.vpc_id),
            None => "the function stays outside any VPC".to_string(),
        };
        return Decision::new(Action::Ok, format!("no --subnet-ids: {left}"));
    }
    let set = |ids: &[String]| ids.iter().cloned().collect::<BTreeSet<_>>();
    if current.is_some_and(|vpc| {
        set(&vpc.subnet_ids) == set(subnet_ids) && set(&vpc.security_group_ids) == set(security_group_ids)
    }) {
        return Decision::new(Action::Ok, "the function already uses these subnets and security groups");
    }
    Decision::new(
        Action::Update,
        format!(
            "UpdateFunctionConfiguration VpcConfig subnets {} security groups {}, then wait for it",
            subnet_ids.join(","),
            security_group_ids.join(",")
        ),
    )
}

/// `--vpc-endpoint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EndpointMode {
    /// Make sure the function's VPC has one, when the function is in a VPC
    Auto,
    /// The same, and the function must be in a VPC
    Create,
    /// Neither check nor create one
    Skip,
}

/// The VPC-endpoint step, from the function's VPC (after the VPC step) and the VPC's endpoints.
pub(crate) fn vpc_endpoint(
    mode: EndpointMode,
    vpc_id: Option<&str>,
    service: &str,
    endpoints: &[Endpoint],
) -> Decision {
    if mode == EndpointMode::Skip {
        return Decision::new(Action::Ok, "not checked (--vpc-endpoint skip)");
    }
    let Some(vpc_id) = vpc_id else {
        return Decision::new(Action::Ok, "the function is not in a VPC: it reaches Secrets Manager's public endpoint");
    };
    if let Some(endpoint) = endpoints.iter().find(|e| e.private_dns).or_else(|| endpoints.first()) {
        let mut decision =
            Decision::new(Action::Ok, format!("{} ({service}) is {} in {vpc_id}", endpoint.id, endpoint.state));
        if !endpoint.private_dns {
            decision.note = Some(format!(
                "VPC endpoint {} has private DNS off, so the function's default Secrets Manager endpoint does not \
                 resolve to it; turn private DNS on, or set the function's SECRETS_MANAGER_ENDPOINT to the endpoint's DNS name",
                endpoint.id
            ));
        }
        return decision;
    }
    Decision::new(
        Action::Create,
        format!("CreateVpcEndpoint {service} (Interface, private DNS) in {vpc_id}, then wait"),
    )
}

/// The rules rotation gets: those asked for, else the secret's own, else every 30 days.
/// The secret's own are sent as AWS takes them: AWS reports AutomaticallyAfterDays
/// beside a ScheduleExpression, but refuses the two together in RotateSecret.
pub(crate) fn desired_rules(requested: Option<RotationRules>, current: Option<&RotationRules>) -> RotationRules {
    let mut rules = requested
        .or_else(|| current.filter(|rules| **rules != RotationRules::default()).cloned())
        .unwrap_or(RotationRules { automatically_after_days: Some(30), ..Default::default() });
    if rules.schedule_expression.is_some() {
        rules.automatically_after_days = None;
    }
    rules
}

/// The rotation step: RotateSecret unless rotation is already on, with this
/// function and this schedule.
pub(crate) fn rotation(secret: &Secret, function_arn: &str, rules: &RotationRules, immediately: bool) -> Decision {
    let same_function = secret.rotation_lambda_arn.as_deref() == Some(function_arn);
    let same_rules = secret.rotation_rules.as_ref().is_some_and(|current| same_schedule(current, rules));
    let enabled = secret.rotation_enabled == Some(true);
    let call = format!(
        "RotateSecret with {function_arn}, {}, {}",
        describe_rules(rules),
        if immediately { "rotating now" } else { "not rotating now (AWS runs only testSecret)" }
    );
    if enabled && same_function && same_rules {
        return Decision::new(
            Action::Ok,
            format!("rotation is enabled with {function_arn}, {}", describe_rules(rules)),
        );
    }
    if !crate::rotation::is_configured(secret) {
        return Decision::new(Action::Create, call);
    }
    let mut changes = Vec::new();
    if !enabled {
        changes.push("turn rotation back on".to_string());
    }
    if !same_function {
        changes.push(format!("function was {}", secret.rotation_lambda_arn.as_deref().unwrap_or("none")));
    }
    if !same_rules {
        changes.push(format!("schedule was {}", secret.rotation_rules.as_ref().map_or("none".into(), describe_rules)));
    }
    Decision::new(Action::Update, format!("{call} ({})", changes.join("; ")))
}

/// A CloudFormation template of the operator's own (`--template-file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateFile {
    pub(crate) body: String,
    /// Parameters the template declares.
    pub(crate) parameters: BTreeSet<String>,
    /// Declared parameters rotctl fills that have no default: they need a value.
    pub(crate) required: BTreeSet<String>,
    /// Capabilities its resources need acknowledged.
    pub(crate) capabilities: Vec<&'static str>,
}

/// CloudFormation's limit for a template passed in the request.
const MAX_TEMPLATE_BODY: usize = 51_200;

/// Template parameters rotctl can fill (the SAR templates' names).
pub(crate) const KNOWN_PARAMETERS: &[&str] = &[
    "endpoint",
    "functionName",
    "vpcSubnetIds",
    "vpcSecurityGroupIds",
    "kmsKeyArn",
    "excludeCharacters",
    "masterSecretArn",
    "masterSecretKmsKeyArn",
];

/// Reads and checks a template file: YAML or JSON, with resources, an
/// output RotationLambdaARN, and no parameter rotctl cannot fill that lacks a default.
pub(crate) fn template_file(path: &str, body: String) -> Result<TemplateFile, String> {
    if body.len() > MAX_TEMPLATE_BODY {
        return Err(format!(
            "{path} is {} bytes; CloudFormation takes at most {MAX_TEMPLATE_BODY} in a request",
            body.len()
        ));
    }
    let document: serde_norway::Value =
        serde_norway::from_str(&body).map_err(|error| format!("{path} is not a YAML or JSON template: {error}"))?;
    let key = |name: &str| serde_norway::Value::String(name.to_string());
    let resources = document.get("Resources").and_then(|r| r.as_mapping()).filter(|r| !r.is_empty());
    let Some(resources) = resources else {
        return Err(format!("{path} has no Resources"));
    };
    if document.get("Outputs").and_then(|o| o.as_mapping()).is_none_or(|o| !o.contains_key(key("RotationLambdaARN"))) {
        return Err(format!(
            "{path} does not output RotationLambdaARN (add an output with the rotation function's ARN)"
        ));
    }
    let mut parameters = BTreeSet::new();
    let mut required = BTreeSet::new();
    if let Some(declared) = document.get("Parameters").and_then(|p| p.as_mapping()) {
        for (name, definition) in declared {
            let name = name.as_str().unwrap_or_default().to_string();
            let known = KNOWN_PARAMETERS.contains(&name.as_str());
            if known && definition.get("Default").is_none() {
                required.insert(name.clone());
            }
            if !known && definition.get("Default").is_none() {
                return Err(format!(
                    "{path} declares parameter {name} without a Default, and rotctl only fills {}",
                    KNOWN_PARAMETERS.join(", ")
                ));
            }
            parameters.insert(name);
        }
    }
    let types: Vec<&str> = resources.values().filter_map(|r| r.get("Type").and_then(|t| t.as_str())).collect();
    let mut capabilities = Vec::new();
    if types.iter().any(|t| t.starts_with("AWS::IAM::") || t.starts_with("AWS::Serverless::")) {
        capabilities.push("CAPABILITY_IAM");
        let named = ["RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"];
        if resources.values().any(|r| named.iter().any(|n| r.get("Properties").and_then(|p| p.get(*n)).is_some())) {
            capabilities.push("CAPABILITY_NAMED_IAM");
        }
    }
    if document.get("Transform").is_some() || types.iter().any(|t| t.starts_with("AWS::Serverless::")) {
        capabilities.push("CAPABILITY_AUTO_EXPAND");
    }
    Ok(TemplateFile { body, parameters, required, capabilities })
}

#[cfg(test)]
#[allow(clippy::needless_pass_by_value)] // test helpers take json! values
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const ACCOUNT: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";

    fn policy(statements: Value) -> String {
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    }

    #[test]
    fn no_policy_or_no_grant_adds_a_scoped_permission() {
        assert_eq!(invoke_permission(None, ACCOUNT).action, Action::Create);
        let other = policy(
            json!([{"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction"}]),
        );
        let decision = invoke_permission(Some(&other), ACCOUNT);
        assert_eq!(decision.action, Action::Create);
        assert!(decision.detail.contains("aws:SourceAccount 123456789012"), "{}", decision.detail);
    }

    #[test]
    fn a_scoped_grant_is_ok() {
        let scoped = policy(json!([{"Sid": "sm", "Effect": "Allow", "Principal": {"Service": SECRETS_MANAGER},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}]));
        let decision = invoke_permission(Some(&scoped), ACCOUNT);
        assert_eq!((decision.action, decision.note), (Action::Ok, None));
    }

    #[test]
    fn an_unscoped_grant_is_ok_but_reported() {
        let open = policy(
            json!({"Sid": "SecretsManagerAccess", "Effect": "Allow", "Principal": {"Service": SECRETS_MANAGER}, "Action": "lambda:InvokeFunction"}),
        );
        let decision = invoke_permission(Some(&open), ACCOUNT);
        assert_eq!(decision.action, Action::Ok);
        assert!(decision.note.is_some_and(|n| n.contains("SecretsManagerAccess") && n.contains("confused deputy")));
    }

    #[test]
    fn a_grant_for_another_account_or_a_deny_does_not_count() {
        let elsewhere = policy(json!([{"Sid": "x", "Effect": "Allow", "Principal": {"Service": SECRETS_MANAGER},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}},
            {"Sid": "d", "Effect": "Deny", "Principal": {"Service": SECRETS_MANAGER}, "Action": "lambda:InvokeFunction"}]));
        assert_eq!(invoke_permission(Some(&elsewhere), ACCOUNT).action, Action::Create);
    }

    #[test]
    fn a_grant_scoped_by_source_arn_is_scoped_for_its_secret_only() {
        let grant = |arn: &str| {
            policy(json!([{"Sid": "arn", "Effect": "Allow", "Principal": {"Service": SECRETS_MANAGER},
                "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"aws:SourceArn": arn}}}]))
        };
        let this =
            invoke_permission(Some(&grant("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*")), ACCOUNT);
        assert_eq!((this.action, this.note), (Action::Ok, None), "scoped: no confused-deputy note");
        let other = grant("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf");
        assert_eq!(invoke_permission(Some(&other), ACCOUNT).action, Action::Create, "another secret's statement");
    }

    #[test]
    fn vpc_config_compares_as_sets() {
        let ids = |v: &[&str]| v.iter().map(std::string::ToString::to_string).collect::<Vec<_>>();
        let current = FunctionVpc {
            vpc_id: "vpc-1".into(),
            subnet_ids: ids(&["subnet-a", "subnet-b"]),
            security_group_ids: ids(&["sg-1"]),
        };
        assert_eq!(vpc_config(Some(&current), &ids(&["subnet-b", "subnet-a"]), &ids(&["sg-1"])).action, Action::Ok);
        assert_eq!(vpc_config(Some(&current), &ids(&["subnet-a"]), &ids(&["sg-1"])).action, Action::Update);
        assert_eq!(vpc_config(None, &ids(&["subnet-a"]), &ids(&["sg-1"])).action, Action::Update);
        assert_eq!(vpc_config(None, &[], &[]).action, Action::Ok);
    }

    #[test]
    fn endpoints() {
        let service = "com.amazonaws.us-east-1.secretsmanager";
        assert_eq!(vpc_endpoint(EndpointMode::Auto, None, service, &[]).action, Action::Ok);
        assert_eq!(vpc_endpoint(EndpointMode::Auto, Some("vpc-1"), service, &[]).action, Action::Create);
        assert_eq!(vpc_endpoint(EndpointMode::Skip, Some("vpc-1"), service, &[]).action, Action::Ok);
        let dark = Endpoint { id: "vpce-1".into(), state: "available".into(), private_dns: false };
        let decision = vpc_endpoint(EndpointMode::Auto, Some("vpc-1"), service, &[dark]);
        assert_eq!(decision.action, Action::Ok);
        assert!(decision.note.is_some_and(|n| n.contains("private DNS off")));
    }

    fn configured(enabled: bool, function: &str, days: i64) -> Secret {
        Secret {
            rotation_enabled: Some(enabled),
            rotation_lambda_arn: Some(function.into()),
            rotation_rules: Some(RotationRules { automatically_after_days: Some(days), ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn rotation_runs_only_when_something_differs() {
        let rules = RotationRules { automatically_after_days: Some(30), ..Default::default() };
        assert_eq!(rotation(&Secret::default(), "fn", &rules, true).action, Action::Create);
        assert_eq!(rotation(&configured(true, "fn", 30), "fn", &rules, true).action, Action::Ok);
        for (secret, says) in [
            (configured(false, "fn", 30), "turn rotation back on"),
            (configured(true, "other", 30), "function was other"),
            (configured(true, "fn", 7), "schedule was every 7 days"),
        ] {
            let decision = rotation(&secret, "fn", &rules, true);
            assert_eq!(decision.action, Action::Update);
            assert!(decision.detail.contains(says), "{}", decision.detail);
        }
    }

    #[test]
    fn rules_default_to_the_secret_s_then_30_days() {
        let seven = RotationRules { automatically_after_days: Some(7), ..Default::default() };
        assert_eq!(desired_rules(None, Some(&seven)), seven);
        assert_eq!(desired_rules(None, None).automatically_after_days, Some(30));
        assert_eq!(desired_rules(None, Some(&RotationRules::default())).automatically_after_days, Some(30));
        let reported = RotationRules {
            automatically_after_days: Some(30),
            schedule_expression: Some("rate(30 days)".into()),
            duration: Some("4h".into()),
        };
        assert_eq!(
            desired_rules(None, Some(&reported)).automatically_after_days,
            None,
            "AWS refuses days and a schedule together"
        );
    }

    #[test]
    fn stacks() {
        let parameters = BTreeMap::from([("functionName".to_string(), "f".to_string())]);
        let stack = |status: &str| Stack {
            id: "id".into(),
            name: "rotctl-db".into(),
            status: status.into(),
            outputs: BTreeMap::new(),
            parameters: parameters.clone(),
        };
        assert_eq!(super::stack("s", None, None, "body", &parameters).map(|d| d.action), Ok(Action::Create));
        let done = stack("CREATE_COMPLETE");
        assert_eq!(super::stack("s", Some(&done), Some("body"), "body", &parameters).map(|d| d.action), Ok(Action::Ok));
        assert_eq!(
            super::stack("s", Some(&done), Some("old"), "body", &parameters).map(|d| d.action),
            Ok(Action::Update)
        );
        let changed = BTreeMap::from([("functionName".to_string(), "g".to_string())]);
        assert_eq!(
            super::stack("s", Some(&done), Some("body"), "body", &changed).map(|d| d.action),
            Ok(Action::Update)
        );
        assert_eq!(
            super::stack("s", Some(&stack("REVIEW_IN_PROGRESS")), None, "body", &parameters).map(|d| d.action),
            Ok(Action::Create)
        );
        assert!(
            super::stack("s", Some(&stack("ROLLBACK_COMPLETE")), None, "body", &parameters)
                .is_err_and(|e| e.contains("delete-stack"))
        );
    }

    #[test]
    fn template_files_are_checked() {
        let good = "Parameters:\n  functionName: {Type: String}\n  memory: {Type: Number, Default: 128}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: r}\n  Fn:\n    Type: AWS::Lambda::Function\n  Perm:\n    Type: AWS::Lambda::Permission\nOutputs:\n  RotationLambdaARN:\n    Value: !GetAtt Fn.Arn\n";
        let file = template_file("t.yaml", good.to_string()).expect("a good template");
        assert_eq!(file.parameters, BTreeSet::from(["functionName".to_string(), "memory".to_string()]));
        assert_eq!(file.required, BTreeSet::from(["functionName".to_string()]));
        assert_eq!(file.capabilities, ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
        for (text, says) in [
            ("Resources: {}\n", "no Resources"),
            ("Resources:\n  Fn: {Type: AWS::Lambda::Function}\n", "does not output RotationLambdaARN"),
            (
                "Parameters:\n  dbHost: {Type: String}\nResources:\n  Fn: {Type: AWS::Lambda::Function}\nOutputs:\n  RotationLambdaARN: {Value: x}\n",
                "dbHost without a Default",
            ),
            ("{not: [valid", "not a YAML or JSON template"),
        ] {
            let error = template_file("t.yaml", text.to_string()).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
        let json_template = r#"{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"App": {"Type": "AWS::Serverless::Application"}}, "Outputs": {"RotationLambdaARN": {"Value": "x"}}}"#;
        let file = template_file("t.json", json_template.to_string()).expect("JSON is accepted");
        assert_eq!(file.capabilities, ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]);
    }
}
