//! `rotctl doctor`: everything a rotation of this secret needs, checked
//! before it runs (`crate::doctor` judges; this reads). Reads only; exit 3
//! when a check fails. It reads the secret's value to check the keys the
//! rotation needs (`--no-value` skips that), and shows key names only.

use clap::Args;
use serde_json::Value;

use crate::arn::SecretId;
use crate::aws::{Clients, ec2, iam, kms, lambda, rds, secrets};
use crate::doctor::{self, Check, Evaluation, KeySays, Path};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{DoctorReport, Owner, RotationState, Secret};
use crate::owner;
use crate::strategy::APPLICATION_TAG;
use crate::templates;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Do not read the secret's value (skips the checks of its keys, host and master secret)
    #[arg(long)]
    pub no_value: bool,
}

pub(crate) async fn run(env: &Env, args: &DoctorArgs) -> Result<DoctorReport> {
    let clients = env.clients().await?;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    let secret = secrets::describe(&clients.secrets, &clients.region, id.as_str()).await?;
    let mut notes = Vec::new();
    // A replica rotates with its primary: its function, keys and value are checked there.
    let (clients, secret) = match crate::aws::primary_of(clients, &secret) {
        Some((primary, arn)) => {
            let read = secrets::describe(&primary.secrets, &primary.region, &arn).await?;
            notes.push(format!(
                "{} is a replica: checked its primary in {}, where it rotates",
                secret.name, primary.region
            ));
            (primary, read)
        }
        None => (Clients::clone(clients), secret),
    };
    let clients = &clients;
    // Boxed: the reads it joins make a large future.
    let checks = Box::pin(checks(clients, &secret, !args.no_value, env.ctx.now, &mut notes)).await;
    if args.no_value && owner::of(&secret).is_none() && secret.rotation_lambda_arn.is_some() {
        notes.push("--no-value: the secret's keys, host and master secret were not checked".to_string());
    }
    Ok(DoctorReport { name: secret.name.clone(), arn: secret.arn.clone(), checks, notes })
}

/// Every check for `secret`, in the order a rotation meets them.
pub(crate) async fn checks(
    clients: &Clients,
    secret: &Secret,
    read_value: bool,
    now: jiff::Timestamp,
    notes: &mut Vec<String>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut owner_read = None;
    if secret.dangling_pending().is_some() {
        let (check, owner) = pending_check(clients, secret, now).await;
        checks.push(check);
        owner_read = owner;
    }
    if owner::of(secret).is_some() {
        // The pending check read the owner already (status does): not read twice.
        let owner = match owner_read {
            Some(owner) => (Some(owner), None),
            None => rds::owner(clients, secret).await,
        };
        checks.push(owner_check(secret, owner));
        return checks;
    }
    let Some(function_arn) = secret.rotation_lambda_arn.clone().filter(|a| !a.is_empty()) else {
        checks.push(Check::fail(
            "rotation",
            "rotation is not set up: the secret has no rotation function",
            format!("rotctl enable {} --lambda-arn ARN (or --template NAME)", secret.name),
        ));
        return checks;
    };
    if secret.rotation_enabled == Some(true) {
        checks.push(Check::ok("rotation", format!("on, with {function_arn}")));
    } else {
        checks.push(Check::warn(
            "rotation",
            format!("turned off (the function {function_arn} is kept): the checks below are for when it is on"),
            format!("rotctl enable {} --lambda-arn {function_arn}", secret.name),
        ));
    }
    let function = match lambda::function(&clients.lambda, &function_arn).await {
        Ok(Some(function)) => function,
        Ok(None) => {
            checks.push(Check::fail(
                "function",
                format!("{function_arn} does not exist: every rotation fails"),
                format!("rotctl enable {} with a function that exists (--lambda-arn or --template)", secret.name),
            ));
            return checks;
        }
        Err(error) => {
            checks.push(Check::warn("function", format!("{function_arn} could not be read: {error}"), "see the error"));
            return checks;
        }
    };
    checks.push(Check::ok("function", format!("{} exists", function.arn)));

    // The function's policy, its network, the secret's key and value: independent reads, at once.
    let policy = lambda::policy(&clients.lambda, &function.arn);
    let path = network_path(clients, &function);
    let key = key_policy(clients, secret.kms_key_id.as_deref());
    let template = template_of(clients, &function.arn);
    let (policy, path, key, template) = tokio::join!(policy, path, key, template);
    let value = if read_value { Some(value_facts(clients, secret, template).await) } else { None };
    checks.extend(function_checks(secret, &function, policy, path, now));
    let master = value.as_ref().and_then(|v| v.as_ref().ok()).and_then(|v| v.master.clone());
    let access = Access { key: &key, master: master.as_ref(), template: template.is_some() };
    let (access, master_key) = access_checks(clients, secret, &function, &access, notes).await;
    checks.extend(access);
    match value {
        None => {}
        Some(Err(error)) => checks.push(Check::warn(
            "secret-keys",
            format!("the value could not be read: {error}"),
            "allow the caller secretsmanager:GetSecretValue (and kms:Decrypt), or pass --no-value",
        )),
        Some(Ok(facts)) => {
            checks.extend(facts.checks);
            if let Some(master) = &master {
                checks.push(doctor::master_secret(&master.arn, master.exists));
            }
            checks.extend(master_key);
        }
    }
    checks
}

/// What `enable` checks before it starts a rotation with a function that
/// exists (the invoke permission and the network are enable's own steps):
/// the runtime, the timeout, the role's permissions and the KMS keys of the
/// secret and of the master secret. Reads only.
pub(crate) async fn preflight(
    clients: &Clients,
    secret: &Secret,
    function: &lambda::Function,
    master: Option<Master>,
    template: bool,
    now: jiff::Timestamp,
) -> Vec<Check> {
    let key = key_policy(clients, secret.kms_key_id.as_deref()).await;
    let mut checks = vec![
        doctor::runtime(function.runtime.as_deref(), now, &secret.name),
        doctor::timeout(function.timeout, &function.arn),
    ];
    let mut notes = Vec::new();
    let access = Access { key: &key, master: master.as_ref(), template };
    let (access, master_key) = access_checks(clients, secret, function, &access, &mut notes).await;
    checks.extend(access);
    checks.extend(master_key);
    checks
}

/// A multi-user rotation's master secret: its ARN, whether it exists, its key.
#[derive(Debug, Clone)]
pub(crate) struct Master {
    pub(crate) arn: String,
    pub(crate) exists: Option<bool>,
    pub(crate) key: Option<String>,
}

/// The function's own: who may invoke it, its runtime, its timeout, its network.
fn function_checks(
    secret: &Secret,
    function: &lambda::Function,
    policy: Result<Option<String>>,
    path: Result<Path>,
    now: jiff::Timestamp,
) -> Vec<Check> {
    let unread = |check, what: &str, error: Error| {
        Check::warn(check, format!("{what} could not be read: {error}"), "allow the caller the action named")
    };
    vec![
        match policy {
            Ok(policy) => {
                let grants = policy.as_deref().map(crate::policy::grants).unwrap_or_default();
                doctor::invoke(&secret.name, &secret.arn, &function.arn, &grants)
            }
            Err(error) => unread("invoke-permission", "the function's policy", error),
        },
        doctor::runtime(function.runtime.as_deref(), now, &secret.name),
        doctor::timeout(function.timeout, &function.arn),
        match path {
            Ok(path) => doctor::network(&path, &secret.name, &function.arn),
            Err(error) => unread("network", "the function's network", error),
        },
    ]
}

/// What the function's role may do: its identity policies on the secret (and
/// master secret), simulated once for every action and resource, and the KMS
/// key of the secret; then (second) the master secret's key.
async fn access_checks(
    clients: &Clients,
    secret: &Secret,
    function: &lambda::Function,
    access: &Access<'_>,
    notes: &mut Vec<String>,
) -> (Vec<Check>, Option<Check>) {
    let Access { key, master, template } = *access;
    let mut checks = Vec::new();
    let account = secret.arn.split(':').nth(4).unwrap_or_default();
    let master = master.filter(|m| m.exists == Some(true));
    let master_key = match master {
        Some(master) => Some(key_policy(clients, master.key.as_deref()).await),
        None => None,
    };
    let Some(role) = function.role.clone() else {
        notes.push("the function has no role: its permissions were not checked".to_string());
        return (checks, None);
    };
    let mut resources = vec![secret.arn.clone(), "*".to_string()];
    resources.extend(master.map(|m| m.arn.clone()));
    for key in [Some(key), master_key.as_ref()].into_iter().flatten() {
        if let KeyFacts::Customer { arn, .. } = key {
            resources.push(arn.clone());
        }
    }
    let mut actions: Vec<&str> = doctor::SECRET_ACTIONS.to_vec();
    actions.push(doctor::RANDOM_PASSWORD);
    actions.extend(doctor::SECRET_KEY_ACTIONS);
    let refs: Vec<&str> = resources.iter().map(String::as_str).collect();
    // The condition keys a rotation's calls carry, which the role's policies may ask.
    let region = secret.arn.split(':').nth(3).unwrap_or_default();
    let context = [
        ("secretsmanager:resource/AllowRotationLambdaArn", function.arn.clone()),
        ("secretsmanager:SecretId", secret.arn.clone()),
        ("kms:ViaService", format!("secretsmanager.{region}.amazonaws.com")),
        ("kms:CallerAccount", account.to_string()),
        ("kms:EncryptionContext:SecretARN", secret.arn.clone()),
        ("aws:PrincipalArn", role.clone()),
    ];
    let evaluations = match iam::simulate(&clients.iam, &role, &actions, &refs, &context).await {
        Ok(evaluations) => {
            let master = master.map(|m| m.arn.as_str());
            checks.push(doctor::role_permissions(&role, &secret.arn, master, template, &evaluations));
            Some(evaluations)
        }
        Err(error) => {
            checks.push(Check::warn(
                "role-permissions",
                format!("the role's permissions could not be simulated: {error}"),
                "allow the caller iam:SimulatePrincipalPolicy on the role, or read the role's policies by hand",
            ));
            None
        }
    };
    let iam = Iam { role: &role, account, evaluations: evaluations.as_deref() };
    checks.push(key_check("kms-key", "the secret's key", key, &doctor::SECRET_KEY_ACTIONS, &iam));
    let master_check = master_key
        .as_ref()
        .map(|key| key_check("master-kms-key", "the master secret's key", key, &doctor::MASTER_KEY_ACTIONS, &iam));
    (checks, master_check)
}

/// What the access checks judge: the secret's key, the master secret, and
/// whether the function is one of AWS's templates.
#[derive(Clone, Copy)]
struct Access<'a> {
    key: &'a KeyFacts,
    master: Option<&'a Master>,
    template: bool,
}

/// The role, and what IAM's simulation said (None: it could not be run).
struct Iam<'a> {
    role: &'a str,
    account: &'a str,
    evaluations: Option<&'a [Evaluation]>,
}

/// A rotation pending: still running (a warning), or failed or stuck, which
/// blocks the next one. Judged as `status` judges it (the version's age, the
/// function's log, CloudTrail).
async fn pending_check(clients: &Clients, secret: &Secret, now: jiff::Timestamp) -> (Check, Option<Owner>) {
    let mut read = secret.clone();
    if let Ok(versions) = secrets::versions(&clients.secrets, &clients.region, &secret.arn).await {
        read.versions = versions;
    }
    let status = crate::aws::rotation::status(clients, read, now).await;
    let retry = format!("rotctl why {0}, fix the cause, then rotctl rotate-now {0} --retry --wait", secret.name);
    let check = match status.rotation_state {
        RotationState::InProgress => Check::warn(
            "pending-rotation",
            format!("{}: this check is of the next rotation", status.reason),
            format!("rotctl status {} (or rotate-now --wait) to see it end", secret.name),
        ),
        RotationState::Failed | RotationState::Stuck => Check::fail(
            "pending-rotation",
            format!("{}; AWS refuses the next rotation until its AWSPENDING is removed", status.reason),
            retry,
        ),
        _ => Check::fail(
            "pending-rotation",
            "a version other than AWSCURRENT holds AWSPENDING: AWS refuses the next rotation until it is removed",
            retry,
        ),
    };
    (check, status.owner)
}

/// A managed secret: what its owner says.
fn owner_check(secret: &Secret, (owner, unread): (Option<Owner>, Option<String>)) -> Check {
    let service = owner.as_ref().map_or_else(String::new, |o| owner::display(&o.service));
    match owner.as_ref().and_then(|o| o.secret_status.as_deref()) {
        Some("impaired") => Check::fail(
            "owner",
            format!(
                "{service} reports the secret impaired: it lost access to the secret or its KMS key and cannot rotate it"
            ),
            format!(
                "give {service} back its access to the secret and its KMS key, then rotctl rotate-now {} --wait",
                secret.name
            ),
        ),
        Some("rotating") => Check::warn(
            "owner",
            format!("{service} is rotating the secret now"),
            format!("rotctl status {}", secret.name),
        ),
        Some(status) => Check::ok(
            "owner",
            format!("{service} manages the secret and reports it {status}; its rotation needs no function"),
        ),
        None => Check::warn(
            "owner",
            format!(
                "{service} manages the secret; its status could not be read{}",
                unread.map(|u| format!(" ({u})")).unwrap_or_default()
            ),
            "allow the caller rds:DescribeDBInstances and rds:DescribeDBClusters",
        ),
    }
}

async fn network_path(clients: &Clients, function: &lambda::Function) -> Result<Path> {
    let Some(vpc) = &function.vpc else { return Ok(Path::NoVpc) };
    let (endpoints, egress) = tokio::try_join!(
        ec2::secretsmanager_endpoints(&clients.ec2, &vpc.vpc_id, &clients.region),
        ec2::egress(&clients.ec2, &vpc.vpc_id, &vpc.subnet_ids),
    )?;
    let without_nat: Vec<&(String, ec2::Egress)> = egress.iter().filter(|(_, e)| *e != ec2::Egress::Nat).collect();
    Ok(Path::Vpc {
        vpc: vpc.vpc_id.clone(),
        endpoints: endpoints.into_iter().filter(|e| e.state == "available").map(|e| (e.id, e.private_dns)).collect(),
        closed: without_nat.iter().all(|(_, e)| *e == ec2::Egress::LocalOnly),
        subnets_without_nat: without_nat.into_iter().map(|(s, _)| s.clone()).collect(),
    })
}

/// A secret's KMS key, as doctor judges it.
#[derive(Debug, Clone)]
enum KeyFacts {
    /// aws/secretsmanager: its policy lets the account's principals use it through Secrets Manager.
    AwsManaged,
    Customer {
        arn: String,
        state: String,
        policy: Value,
        grants: Vec<(String, Vec<String>)>,
    },
    Missing(String),
    Unreadable(String),
}

async fn key_policy(clients: &Clients, key_id: Option<&str>) -> KeyFacts {
    let Some(key_id) = key_id.filter(|k| !k.contains("alias/aws/secretsmanager")) else { return KeyFacts::AwsManaged };
    let key = match kms::describe(&clients.kms, key_id).await {
        Ok(Some(key)) if key.aws_managed => return KeyFacts::AwsManaged,
        Ok(Some(key)) => key,
        Ok(None) => return KeyFacts::Missing(key_id.to_string()),
        Err(error) => return KeyFacts::Unreadable(error.to_string()),
    };
    match tokio::try_join!(kms::policy(&clients.kms, &key.arn), kms::grants(&clients.kms, &key.arn)) {
        Ok((policy, grants)) => KeyFacts::Customer {
            policy: serde_json::from_str(&policy).unwrap_or(Value::Null),
            arn: key.arn,
            state: key.state,
            grants,
        },
        Err(error) => KeyFacts::Unreadable(error.to_string()),
    }
}

fn key_check(check: &'static str, which: &str, key: &KeyFacts, actions: &[&str], iam: &Iam<'_>) -> Check {
    match key {
        KeyFacts::AwsManaged => Check::ok(
            check,
            format!(
                "{which} is the AWS managed key aws/secretsmanager: any role of the account allowed by IAM may use it \
                 through Secrets Manager"
            ),
        ),
        KeyFacts::Missing(id) => Check::fail(
            check,
            format!("{which} {id} does not exist"),
            "set the secret's KmsKeyId to a key that exists (aws secretsmanager update-secret --kms-key-id)",
        ),
        KeyFacts::Unreadable(error) => Check::warn(
            check,
            format!("{which} could not be read: {error}"),
            "allow the caller kms:DescribeKey, kms:GetKeyPolicy and kms:ListGrants on the key",
        ),
        KeyFacts::Customer { arn, state, .. } if state != "Enabled" => Check::fail(
            check,
            format!("{which} {arn} is {state}: nothing can be read or written with it"),
            format!("enable the key (aws kms enable-key --key-id {arn}) or cancel its deletion"),
        ),
        KeyFacts::Customer { arn, policy, grants, .. } => {
            let says: Vec<(&str, KeySays)> =
                actions.iter().map(|a| (*a, doctor::key_says(policy, iam.role, iam.account, a, grants))).collect();
            let said = iam.evaluations.map(|evaluations| move |action: &str| doctor::said(evaluations, action, arn));
            match &said {
                Some(said) => doctor::key_check(check, which, arn, actions, &says, Some(said)),
                None => doctor::key_check(check, which, arn, actions, &says, None),
            }
        }
    }
}

/// What the secret's value says: the checks of its keys and host, and its
/// master secret (ARN, whether it exists, its key).
struct ValueFacts {
    checks: Vec<Check>,
    master: Option<Master>,
}

/// The AWS rotation application the function was deployed from (its tag), if any.
async fn template_of(clients: &Clients, function_arn: &str) -> Option<&'static templates::RotationTemplate> {
    let tags = lambda::tags(&clients.lambda, function_arn).await.ok().flatten()?;
    let application = tags.get(APPLICATION_TAG)?;
    templates::CATALOGUE.iter().find(|t| application.rsplit('/').next() == Some(t.name))
}

async fn value_facts(
    clients: &Clients,
    secret: &Secret,
    template: Option<&'static templates::RotationTemplate>,
) -> Result<ValueFacts> {
    let value = secrets::value_json(&clients.secrets, &secret.arn).await;
    let value = match value? {
        Ok(value) => value,
        Err(_) => Value::Null,
    };
    let required = template.map_or(&[][..], |t| t.required_keys);
    let checks = doctor::secret_value(&value, required, template.map(|t| t.short_name));
    let master = match value.get("masterarn").and_then(Value::as_str) {
        Some(arn) => {
            let found = match secrets::describe(&clients.secrets, &clients.region, arn).await {
                Ok(master) => Master { arn: master.arn, exists: Some(true), key: master.kms_key_id },
                Err(error) if error.is_not_found() => Master { arn: arn.to_string(), exists: Some(false), key: None },
                Err(_) => Master { arn: arn.to_string(), exists: None, key: None },
            };
            Some(found)
        }
        None => None,
    };
    Ok(ValueFacts { checks, master })
}
