//! `rotctl enable`: the enablement workflow AWS documents as six manual
//! steps, each run only when needed. Two phases, each read → plan → apply:
//! first where the function comes from (a stack, or an existing function),
//! then the steps that depend on the function (invoke permission, VPC
//! config, VPC endpoint, rotation). Everything the input can get wrong is
//! checked before the first change; `--dry-run` returns each phase's plan;
//! a second run changes nothing; a run after an interrupted one converges.

mod apply;
pub mod plan;
mod request;

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{ArgGroup, Args};

use self::plan::{Decision, EndpointMode};
use self::request::{Request, Source, ValueCheck};
use crate::arn::Arn;
use crate::aws::{Clients, cloudformation, ec2, lambda, rotation as follow, secrets};
use crate::commands::doctor;
use crate::doctor::{Check, Judgement};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::model::{Action, EnableReport, EnableStep, PlannedStep, RotationRules, RotationState, Secret, SecretStatus};
use crate::templates::{self, RotationTemplate, TemplateParameters};
use crate::{naming, prompt, rotation};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["template", "template_file", "lambda_arn"])))]
pub struct EnableArgs {
    /// The secret to rotate, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Deploy this AWS rotation template from the Serverless Application
    /// Repository (`rotctl templates` lists them)
    #[arg(long, value_name = "NAME", help_heading = "Rotation function (one of)")]
    pub template: Option<String>,

    /// Deploy your own CloudFormation template; it must output RotationLambdaARN
    #[arg(long, value_name = "FILE", help_heading = "Rotation function (one of)")]
    pub template_file: Option<PathBuf>,

    /// Use this existing rotation function
    #[arg(long, value_name = "ARN", help_heading = "Rotation function (one of)")]
    pub lambda_arn: Option<String>,

    /// Rotate every N days (1-1000) [default: the secret's schedule, else 30]
    #[arg(long, value_name = "N", help_heading = "Schedule")]
    pub every_days: Option<i64>,

    /// Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)
    #[arg(long, value_name = "EXPR", help_heading = "Schedule")]
    pub schedule: Option<String>,

    /// How long each rotation window lasts, e.g. 4h [default: 1h for hourly
    /// schedules, the rest of the UTC day for daily ones]
    #[arg(long, value_name = "HOURS", help_heading = "Schedule")]
    pub window: Option<String>,

    /// Set up rotation without rotating now (AWS still runs the function's testSecret step)
    #[arg(long, help_heading = "Schedule")]
    pub no_rotate_immediately: bool,

    /// Run the function in these subnets (comma-separated; needs --security-group-ids)
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "security_group_ids", help_heading = "Network")]
    pub subnet_ids: Vec<String>,

    /// With these security groups (comma-separated; needs --subnet-ids)
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "subnet_ids", help_heading = "Network")]
    pub security_group_ids: Vec<String>,

    /// A Secrets Manager interface endpoint in the function's VPC
    #[arg(long, value_name = "MODE", value_enum, default_value_t = EndpointMode::Auto, help_heading = "Network")]
    pub vpc_endpoint: EndpointMode,

    /// CloudFormation stack for the function [default: rotctl-<secret name>]
    #[arg(long, value_name = "NAME", conflicts_with = "lambda_arn", help_heading = "Template options")]
    pub stack_name: Option<String>,

    /// Name of the function the template creates [default: <secret name>-rotation]
    #[arg(long, value_name = "NAME", conflicts_with = "lambda_arn", help_heading = "Template options")]
    pub function_name: Option<String>,

    /// Template version to deploy [default: the version rotctl pins]
    #[arg(long, value_name = "SEMVER", requires = "template", help_heading = "Template options")]
    pub template_version: Option<String>,

    /// The master (superuser) secret, for alternating-users templates
    #[arg(long, value_name = "ARN", conflicts_with = "lambda_arn", help_heading = "Template options")]
    pub master_secret: Option<String>,

    /// KMS key of the master secret, when it is a customer managed key
    #[arg(long, value_name = "ARN", requires = "master_secret", help_heading = "Template options")]
    pub master_secret_kms_key_arn: Option<String>,

    /// KMS key of the secret, when it is a customer managed key (the function is granted its use)
    #[arg(long, value_name = "ARN", conflicts_with = "lambda_arn", help_heading = "Template options")]
    pub kms_key_arn: Option<String>,

    /// Characters new passwords must not contain [default: the template's]
    #[arg(long, value_name = "CHARS", conflicts_with = "lambda_arn", help_heading = "Template options")]
    pub exclude_characters: Option<String>,

    /// Let rotctl read the secret's value once (GetSecretValue) to check it has
    /// the keys the template needs; only missing key names are ever shown.
    /// Without it rotctl asks at a terminal (--yes does not answer this), and
    /// skips the check, saying so, when nobody can answer
    #[arg(long, conflicts_with = "no_preflight_value", help_heading = "Template options")]
    pub check_value: bool,

    /// Do not read the secret's value to check it has the keys the template needs
    #[arg(long, help_heading = "Template options")]
    pub no_preflight_value: bool,

    /// Wait for the first rotation's outcome, as `rotate-now --wait` (exit 1 failed, 4 timed out)
    #[arg(long, conflicts_with = "no_rotate_immediately")]
    pub wait: bool,

    /// How long --wait waits, e.g. 90s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::cli::parse_timeout)]
    pub timeout: jiff::SignedDuration,

    /// Show the plan (each step: create, update or ok, and the call it would make); change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Start the rotation even when a doctor check fails (the function's
    /// runtime, timeout, role permissions, KMS keys); the checks still show
    #[arg(long)]
    pub no_preflight_checks: bool,
}

pub(crate) async fn run(env: &Env, args: &EnableArgs) -> Result<EnableReport> {
    let clients = env.clients().await?;
    let request = Request::new(args, &clients.region)?;
    let sent = env.changes_sent();
    enable(env, clients, &request).await.map_err(|error| {
        // Exit 2 promises nothing changed: once a change was sent, a failure is exit 1 and says so.
        // A timeout or Ctrl-C keeps its own message, which already says what goes on in AWS.
        let own_advice = matches!(error.code(), Exit::TimedOut | Exit::Interrupted);
        if env.changes_sent() > sent && !own_advice {
            error.after_sent(
                format!("enable of {} stopped part-way", request.secret.as_str()),
                Some(
                    "changes were sent and may have applied; fix the cause and re-run the same enable: it picks up \
                     where this stopped"
                        .into(),
                ),
            )
        } else {
            error
        }
    })
}

/// What Ctrl-C leaves behind when rotctl had sent a change but was not waiting on AWS work.
pub(crate) fn interrupted_advice(args: &EnableArgs) -> String {
    format!(
        "a step rotctl had sent may still apply; run the same enable again: it reads what is there and finishes \
         (check first with --dry-run: rotctl enable {} ... --dry-run)",
        args.secret
    )
}

async fn enable(env: &Env, clients: &Clients, request: &Request) -> Result<EnableReport> {
    let region = clients.region.as_str();
    let now = env.ctx.now;
    let mut notes = Vec::new();

    // Phase 1, read: the secret, the master secret, the stack, the function if known, the network.
    let secret = secrets::read(&clients.secrets, region, request.secret.as_str()).await?;
    refuse_secret(&secret, region)?;
    // Its ARN names the account the invoke permission is scoped to.
    Arn::parse(&secret.arn).map_err(|why| Error::failed(format!("reading {}", secret.name), why))?;
    let master = match &request.master_secret {
        Some(master) => Some(secrets::describe(&clients.secrets, region, master.as_str()).await?),
        None => None,
    };
    let master_arn = master.as_ref().map(|m| m.arn.clone());
    let stack = match &request.source {
        Source::Function(_) => None,
        _ => Some(read_stack(clients, request, &secret, master_arn.as_deref()).await?),
    };
    let known = match (&request.source, &stack) {
        (Source::Function(arn), _) => Some(read_function(clients, &arn.to_string()).await?),
        (_, Some(stack)) if stack.decision.action == Action::Ok => {
            Some(read_function(clients, &stack_output(stack.existing.as_ref())?).await?)
        }
        _ => None,
    };
    let network = network(clients, request, known.as_ref()).await?;

    // Phase 1, check: what would make a later step fail, before anything changes.
    let outside_vpc = match (&known, &request.source) {
        (Some(function), _) => function.vpc.is_none(),
        // An AWS template's function is in a VPC only through --subnet-ids.
        (None, Source::Template { .. }) => true,
        (None, _) => false,
    };
    if request.endpoint == EndpointMode::Create && network.vpc_id.is_none() && outside_vpc {
        return Err(endpoint_needs_vpc());
    }
    let rules = plan::desired_rules(request.rules.clone(), secret.rotation_rules.as_ref());
    // Would RotateSecret run? Then a rotation left pending blocks it: say so before changing anything.
    let rotates = known
        .as_ref()
        .is_none_or(|f| plan::rotation(&secret, &f.arn, &rules, request.immediately).action != Action::Ok);
    if rotates {
        check_not_pending(&follow::status(clients, secret.clone(), now).await, now)?;
    }
    // The value is read only when the template's function will be (re)deployed or run.
    let deploys = stack.as_ref().is_some_and(|work| work.decision.action != Action::Ok);
    if let Source::Template { template, .. } = &request.source
        && !request.dry_run
        && (deploys || rotates)
    {
        check_value(env, clients, &secret, template, request.value_check).await?;
    }

    // Phase 1, plan and apply: the stack, when there is one.
    let mut plan = Vec::new();
    let function = match stack {
        None => known,
        Some(work) => {
            let (step, function) = apply::stack(env, clients, request, work).await?;
            plan.push(step);
            function.or(known)
        }
    };
    let Some(function) = function else {
        // A dry run of a stack not yet deployed: the function is not known yet.
        plan.extend(after_stack(request, &secret, &rules));
        return Ok(EnableReport::new(plan, follow::status(clients, secret, now).await, true, None, notes));
    };

    // Phase 2, read and plan: what the function's steps depend on, and the decisions.
    let (vpc_id, steps) = function_steps(clients, request, &secret, &function, &network, &rules).await?;
    notes.extend(steps.iter().filter_map(|(_, decision)| decision.note.clone()));
    plan.extend(steps.iter().map(|(name, decision)| step(*name, decision)));
    // doctor's checks of the function a rotation will run (the invoke permission
    // and the network are steps above), before a rotation is started.
    let rotate_step = steps[3].1.action != Action::Ok;
    let master = master.map(|m| doctor::Master { arn: m.arn, exists: Some(true), key: m.kms_key_id });
    let checks = preflight(clients, request, &secret, &function, master, rotate_step, now).await?;
    if request.dry_run {
        let mut report = EnableReport::new(plan, follow::status(clients, secret, now).await, true, None, notes);
        report.checks = checks;
        return Ok(report);
    }

    // Phase 2, apply: one function per step, each only when its plan says so.
    let [(_, invoke), (_, vpc), (_, endpoint), (_, rotate)] = steps;
    if invoke.action == Action::Create {
        apply::invoke_permission(clients, &function.arn, &secret.arn).await?;
    }
    if vpc.action == Action::Update {
        apply::vpc_config(env, clients, request, &function).await?;
    }
    if let (Action::Create, Some(vpc)) = (endpoint.action, &vpc_id) {
        apply::vpc_endpoint(env, clients, request, &function, &network, vpc).await?;
    }
    let mut rotation = None;
    if rotate.action != Action::Ok {
        rotation = apply::rotation(env, clients, request, &secret, &function.arn, &rules, &mut notes).await?;
    } else if request.wait.is_some() {
        notes.push("--wait: no rotation was started, so there is nothing to wait for".to_string());
    }

    let status = if env.changes_sent() > 0 {
        let read = secrets::read_patiently(&clients.secrets, region, &secret.arn).await?;
        follow::status(clients, read, jiff::Timestamp::now().max(now)).await
    } else {
        follow::status(clients, secret, now).await
    };
    let mut report = EnableReport::new(plan, status, false, rotation, notes);
    report.checks = checks;
    Ok(report)
}

/// doctor's checks of the function, where they apply: before a rotation is
/// started, and in a dry run's plan. A failed one refuses the rotation unless
/// --no-preflight-checks.
async fn preflight(
    clients: &Clients,
    request: &Request,
    secret: &Secret,
    function: &lambda::Function,
    master: Option<doctor::Master>,
    rotate_step: bool,
    now: jiff::Timestamp,
) -> Result<Vec<Check>> {
    if !request.dry_run && !rotate_step {
        return Ok(Vec::new());
    }
    let template = matches!(request.source, Source::Template { .. });
    let checks = Box::pin(doctor::preflight(clients, secret, function, master, template, now)).await;
    let failed: Vec<&Check> = checks.iter().filter(|c| c.result == Judgement::Fail).collect();
    if !request.dry_run && !failed.is_empty() && !request.preflight_checks_skipped {
        let why = failed.iter().map(|c| format!("{}: {}", c.name, c.detail)).collect::<Vec<_>>().join("; ");
        let fix = failed.iter().filter_map(|c| c.fix.clone()).collect::<Vec<_>>().join("; ");
        return Err(Error::usage(
            format!("enabling rotation of {}", secret.name),
            format!("the rotation would fail: {why}"),
            format!("{fix} (or pass --no-preflight-checks to start it anyway)"),
        ));
    }
    Ok(checks)
}

/// The steps that depend on the function: reads what each depends on, then
/// decides each (pure). Returns the function's VPC (after the VPC step) too.
async fn function_steps(
    clients: &Clients,
    request: &Request,
    secret: &Secret,
    function: &lambda::Function,
    network: &Network,
    rules: &RotationRules,
) -> Result<(Option<String>, [(EnableStep, Decision); 4])> {
    let region = clients.region.as_str();
    let policy = lambda::policy(&clients.lambda, &function.arn).await?;
    let vpc_id = network.vpc_id.clone().or_else(|| function.vpc.as_ref().map(|v| v.vpc_id.clone()));
    if request.endpoint == EndpointMode::Create && vpc_id.is_none() {
        return Err(endpoint_needs_vpc());
    }
    let endpoints = match (&vpc_id, request.endpoint) {
        (Some(vpc), EndpointMode::Auto | EndpointMode::Create) => {
            ec2::secretsmanager_endpoints(&clients.ec2, vpc, region).await?
        }
        _ => Vec::new(),
    };
    let service = ec2::secretsmanager_service(region);
    let steps = [
        (EnableStep::InvokePermission, plan::invoke_permission(policy.as_deref(), &secret.arn)),
        (
            EnableStep::VpcConfig,
            plan::vpc_config(function.vpc.as_ref(), &request.subnet_ids, &request.security_group_ids),
        ),
        (EnableStep::VpcEndpoint, plan::vpc_endpoint(request.endpoint, vpc_id.as_deref(), &service, &endpoints)),
        (EnableStep::Rotation, plan::rotation(secret, &function.arn, rules, request.immediately)),
    ];
    Ok((vpc_id, steps))
}

/// Secrets whose rotation is not set up with a rotation function here.
fn refuse_secret(secret: &Secret, region: &str) -> Result<()> {
    let what = format!("enable of {}", secret.name);
    if let Some(service) = &secret.owning_service {
        return Err(Error::usage(
            what,
            format!(
                "it is managed by {service}, which rotates it itself; a rotation function would change the password \
                 behind {service}'s back"
            ),
            format!("change its schedule with rotctl schedule {} --every-days N, not with a function", secret.name),
        ));
    }
    if let Some(primary) = secret.primary_region.as_deref().filter(|primary| *primary != region) {
        return Err(Error::usage(
            what,
            format!("it is a replica; rotation is set up on the primary secret in {primary}"),
            format!("pass --region {primary}"),
        ));
    }
    Ok(())
}

fn endpoint_needs_vpc() -> Error {
    Error::usage(
        "setting up the VPC endpoint",
        "--vpc-endpoint create needs the function in a VPC",
        "pass --subnet-ids and --security-group-ids",
    )
}

fn step(step: EnableStep, decision: &Decision) -> PlannedStep {
    PlannedStep { step, action: decision.action, detail: decision.detail.clone() }
}

fn stack_output(stack: Option<&cloudformation::Stack>) -> Result<String> {
    let stack = stack.ok_or_else(|| Error::failed("reading the stack's output", "no stack was deployed"))?;
    stack.outputs.get("RotationLambdaARN").cloned().ok_or_else(|| {
        Error::Failed(
            crate::error::Message::new(format!("reading stack {}", stack.name), "it has no output RotationLambdaARN")
                .fix("is it a rotation function stack?"),
        )
    })
}

/// The function, which must exist.
async fn read_function(clients: &Clients, arn: &str) -> Result<lambda::Function> {
    lambda::function(&clients.lambda, arn).await?.ok_or_else(|| {
        Error::not_found(format!("the rotation function {arn}"), "it does not exist", "check --lambda-arn and --region")
    })
}

/// The stack to deploy: name, template and parameters, and its decision.
struct StackWork {
    name: String,
    body: String,
    parameters: BTreeMap<String, String>,
    capabilities: Vec<&'static str>,
    existing: Option<cloudformation::Stack>,
    decision: Decision,
}

/// Builds the stack's template and parameters, reads the deployed stack, and decides.
async fn read_stack(
    clients: &Clients,
    request: &Request,
    secret: &Secret,
    master_arn: Option<&str>,
) -> Result<StackWork> {
    let region = clients.region.as_str();
    let name = request
        .stack_name
        .clone()
        .unwrap_or_else(|| format!("rotctl-{}", naming::derived_name_for(&secret.name, &secret.arn, "", 121)));
    let values = TemplateParameters {
        function_name: request
            .function_name
            .clone()
            .unwrap_or_else(|| naming::derived_name_for(&secret.name, &secret.arn, "-rotation", 64)),
        endpoint: templates::secretsmanager_endpoint(region),
        subnet_ids: request.subnet_ids.clone(),
        security_group_ids: request.security_group_ids.clone(),
        kms_key_arn: request.kms_key_arn.clone(),
        exclude_characters: request.exclude_characters.clone(),
        master_secret_arn: master_arn.map(str::to_string),
        master_secret_kms_key_arn: request.master_secret_kms_key_arn.clone(),
    };
    let (body, parameters, capabilities) = match &request.source {
        Source::Template { template, version } => (
            templates::stack_template(template, version, region, &values),
            BTreeMap::new(),
            templates::SAR_CAPABILITIES.to_vec(),
        ),
        Source::TemplateFile { path, file } => {
            let mut parameters = BTreeMap::new();
            for (key, value) in values.by_name() {
                if file.parameters.contains(key) {
                    parameters.insert(key.to_string(), value);
                }
            }
            if let Some(missing) = file.required.iter().find(|p| !parameters.contains_key(*p)) {
                return Err(Error::usage(
                    format!("--template-file {path}"),
                    format!("it needs a value for parameter {missing}"),
                    parameter_hint(missing),
                ));
            }
            (file.body.clone(), parameters, file.capabilities.clone())
        }
        Source::Function(arn) => {
            return Err(Error::failed(format!("deploying {arn}"), "it is an existing function: there is no stack"));
        }
    };
    let existing = cloudformation::stack(&clients.cloudformation, &name).await?;
    let deployed = match &existing {
        Some(stack) if stack.status != "REVIEW_IN_PROGRESS" && !stack.in_progress() => {
            Some(cloudformation::template(&clients.cloudformation, &name).await?)
        }
        _ => None,
    };
    // A stack left broken by a failed deployment is a failure to fix in AWS (exit 1), not bad input.
    let mut decision = plan::stack(&name, existing.as_ref(), deployed.as_deref(), &body, &parameters)
        .map_err(|why| Error::failed(format!("stack {name}"), why))?;
    if let (Source::Template { template, version }, Action::Create | Action::Update) =
        (&request.source, decision.action)
    {
        // Name what would be deployed: the application, its version and what it is given.
        let given: Vec<String> = values.by_name().iter().map(|(key, value)| format!("{key}={value}")).collect();
        decision.detail = format!(
            "{}; deploys {} {version} with {}",
            decision.detail,
            template.application_arn(region),
            given.join(", ")
        );
    }
    Ok(StackWork { name, body, parameters, capabilities, existing, decision })
}

fn parameter_hint(parameter: &str) -> &'static str {
    match parameter {
        "vpcSubnetIds" | "vpcSecurityGroupIds" => "pass --subnet-ids and --security-group-ids",
        "kmsKeyArn" => "pass --kms-key-arn",
        "excludeCharacters" => "pass --exclude-characters",
        "masterSecretArn" => "pass --master-secret",
        "masterSecretKmsKeyArn" => "pass --master-secret-kms-key-arn",
        _ => "give it a Default in the template",
    }
}

/// The subnets asked for, checked: they exist, are in one VPC, and so are the security groups.
struct Network {
    vpc_id: Option<String>,
    subnets: Vec<ec2::Subnet>,
}

async fn network(clients: &Clients, request: &Request, function: Option<&lambda::Function>) -> Result<Network> {
    if request.subnet_ids.is_empty() {
        return Ok(Network { vpc_id: None, subnets: Vec::new() });
    }
    // Already there: no need to look the subnets up again.
    if let Some(vpc) = function.and_then(|f| f.vpc.as_ref())
        && plan::vpc_config(Some(vpc), &request.subnet_ids, &request.security_group_ids).action == Action::Ok
    {
        return Ok(Network { vpc_id: Some(vpc.vpc_id.clone()), subnets: Vec::new() });
    }
    // Both at once, but the subnets' error first when both fail: the same input, the same message.
    let (subnets, groups) = tokio::join!(
        ec2::subnets(&clients.ec2, &request.subnet_ids),
        ec2::security_group_vpcs(&clients.ec2, &request.security_group_ids)
    );
    let (subnets, groups) = (subnets?, groups?);
    let vpcs: std::collections::BTreeSet<&str> = subnets.iter().map(|s| s.vpc_id.as_str()).collect();
    let [vpc] = vpcs.into_iter().collect::<Vec<_>>()[..] else {
        return Err(Error::usage(
            "--subnet-ids",
            "the subnets are in different VPCs",
            "name subnets of one VPC: a function runs in one",
        ));
    };
    if let Some((group, other)) = groups.iter().find(|(_, group_vpc)| group_vpc != vpc) {
        return Err(Error::usage(
            "--security-group-ids",
            format!("security group {group} is in {other}, not in {vpc} with the subnets"),
            "name security groups of the subnets' VPC",
        ));
    }
    Ok(Network { vpc_id: Some(vpc.to_string()), subnets })
}

/// A pending AWSPENDING makes AWS refuse RotateSecret: refuse first, saying why.
fn check_not_pending(status: &SecretStatus, now: jiff::Timestamp) -> Result<()> {
    let (secret, state) = (&status.secret, status.rotation_state);
    let Some(pending) = secret.dangling_pending() else { return Ok(()) };
    let age = secret
        .version_created(pending)
        .map_or_else(|| "an unknown time".into(), |c| rotation::age(now.duration_since(c)));
    let what = format!("enable of {}", secret.name);
    if state == RotationState::InProgress {
        return Err(Error::usage(
            what,
            format!("a rotation is in progress (AWSPENDING on version {pending}, {age} old)"),
            "wait for it to end, then re-run",
        ));
    }
    let failed = status.failure.as_ref().map(|f| format!(": {}", f.sentence("it"))).unwrap_or_default();
    Err(Error::usage(
        what,
        format!(
            "the last rotation did not finish and left AWSPENDING on version {pending} ({age} ago){failed}; AWS \
             refuses to start another until that label is removed"
        ),
        format!(
            "fix the cause, then retry it with the stored configuration (rotctl rotate-now {} --retry --wait), or \
             remove the label and re-run enable: aws secretsmanager update-secret-version-stage --secret-id {} \
             --version-stage AWSPENDING --remove-from-version-id {pending}",
            secret.name, secret.arn
        ),
    ))
}

/// Reads the secret's value once, with its own consent, to check the
/// template's keys are there. Only key names leave this function; the value
/// is dropped here. A check skipped for want of consent is a warning, shown
/// at once (the run may still fail later for another reason).
async fn check_value(
    env: &Env,
    clients: &Clients,
    secret: &Secret,
    template: &RotationTemplate,
    consent: ValueCheck,
) -> Result<()> {
    if template.required_keys.is_empty() || consent == ValueCheck::Skip {
        return Ok(());
    }
    if consent == ValueCheck::Ask {
        let question = format!(
            "{} needs the keys {} in the secret's JSON. May rotctl read the value of {} once to check them? \
             (only missing key names are shown; --yes does not answer this, --check-value does)",
            template.short_name,
            template.required_keys.join(", "),
            secret.name
        );
        match prompt::ask_person(&env.ctx, &question).await? {
            Some(true) => {}
            Some(false) => {
                env.progress.warn("the secret's keys were not checked (you declined)");
                return Ok(());
            }
            None => {
                env.progress.warn(&format!(
                    "the secret's keys ({}) were not checked: that reads its value, which needs --check-value",
                    template.required_keys.join(", ")
                ));
                return Ok(());
            }
        }
    }
    let value = secrets::value_json(&clients.secrets, &secret.arn).await?;
    let what = format!("checking the keys of {}", secret.name);
    let missing = value.and_then(|value| templates::missing_keys(template, &value)).map_err(|why| {
        Error::usage(&what, why, "store the secret as the JSON the template reads, or pass --no-preflight-value")
    })?;
    if !missing.is_empty() {
        return Err(Error::usage(
            what,
            format!(
                "{}'s value lacks the key(s) {} that {} needs",
                secret.name,
                missing.join(", "),
                template.short_name
            ),
            "add them, or pass --no-preflight-value to skip this check",
        ));
    }
    Ok(())
}

/// A dry run cannot look at a function that a stack has yet to create: what would follow.
fn after_stack(request: &Request, secret: &Secret, rules: &RotationRules) -> Vec<PlannedStep> {
    let later =
        |step, action, detail: String| PlannedStep { step, action, detail: format!("after the stack: {detail}") };
    let vpc = if request.subnet_ids.is_empty() { Action::Ok } else { Action::Update };
    let endpoint = if request.subnet_ids.is_empty() || request.endpoint == EndpointMode::Skip {
        Action::Ok
    } else {
        Action::Create
    };
    let rotation = if rotation::is_configured(secret) { Action::Update } else { Action::Create };
    vec![
        later(
            EnableStep::InvokePermission,
            Action::Create,
            "AddPermission unless the stack grants Secrets Manager the invoke itself".into(),
        ),
        later(EnableStep::VpcConfig, vpc, "check the function's VPC config".into()),
        later(EnableStep::VpcEndpoint, endpoint, "check the VPC's Secrets Manager endpoint".into()),
        later(
            EnableStep::Rotation,
            rotation,
            format!("RotateSecret with the stack's function, {}", rotation::describe_rules(rules)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
    use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
    use aws_sdk_cloudformation::types::StackStatus;
    use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
    use aws_sdk_secretsmanager::operation::list_secret_version_ids::ListSecretVersionIdsOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    /// A stack left in ROLLBACK_COMPLETE by an earlier failed deployment is a
    /// failure to fix in AWS (exit 1, naming delete-stack), not bad input, and
    /// nothing is changed. In-process, on mocked clients.
    #[tokio::test]
    async fn a_broken_stack_is_a_failure_to_fix_not_bad_input() {
        const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
        let describe = mock!(aws_sdk_secretsmanager::Client::describe_secret)
            .then_output(|| DescribeSecretOutput::builder().name("prod/db").arn(ARN).build());
        let versions = mock!(aws_sdk_secretsmanager::Client::list_secret_version_ids)
            .then_output(|| ListSecretVersionIdsOutput::builder().build());
        let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
            let stack = aws_sdk_cloudformation::types::Stack::builder()
                .stack_name("rotctl-prod-db")
                .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/rotctl-prod-db/1")
                .stack_status(StackStatus::RollbackComplete)
                .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
                .build();
            DescribeStacksOutput::builder().stacks(stack).build()
        });
        let template =
            mock!(aws_sdk_cloudformation::Client::get_template).then_output(|| GetTemplateOutput::builder().build());
        let env = Env::mocked(|aws| {
            aws.secrets = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&describe, &versions]);
            aws.cloudformation = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&stacks, &template]);
        });
        let line = ["rotctl", "enable", "prod/db", "--template", "postgres-single", "--stack-name", "rotctl-prod-db"];
        let Command::Enable(args) = Cli::try_parse_from(line).expect("clap accepts it").command else {
            unreachable!("an enable command line")
        };
        let error = run(&env, &args).await.expect_err("a broken stack");
        assert_eq!(error.code(), Exit::Failure, "{error}");
        assert!(error.to_string().contains("ROLLBACK_COMPLETE"), "{error}");
        assert!(error.to_string().contains("delete-stack --stack-name rotctl-prod-db"), "{error}");
        assert_eq!(env.changes_sent(), 0, "nothing was sent");
    }
}
