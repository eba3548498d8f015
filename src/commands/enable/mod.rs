//! `rotctl enable`: the enablement workflow AWS documents as six manual
//! steps, each run only when needed. Everything the input can get wrong is
//! checked before the first change; a second run changes nothing; a run
//! after an interrupted one converges to the same result.

pub mod plan;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use clap::{ArgGroup, Args};

use self::plan::{Decision, EndpointMode, TemplateFile};
use super::rotate_now::{self, Outcome};
use crate::arn::{Arn, SecretId};
use crate::aws::diagnose::RotationFailure;
use crate::aws::{Clients, cloudformation, ec2, lambda, secrets};
use crate::context::Context;
use crate::exit::{not_found, shown, usage};
use crate::model::{Action, EnableStep, PlannedStep, RotationRules, Secret, SecretStatus};
use crate::output::Progress;
use crate::templates::{self, RotationTemplate, TemplateParameters};
use crate::{prompt, rotation, schedule};

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

    /// Do not read the secret's value to check it has the keys the template needs
    #[arg(long, help_heading = "Template options")]
    pub no_preflight_value: bool,

    /// Wait for the first rotation's outcome, as `rotate-now --wait` (exit 1 failed, 4 timed out)
    #[arg(long, conflicts_with = "no_rotate_immediately")]
    pub wait: bool,

    /// How long --wait waits, e.g. 90s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = super::rotate_now::parse_timeout)]
    pub timeout: jiff::SignedDuration,

    /// Show the plan (each step: create, update or ok, and the call it would make); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What `enable` did (or, with --dry-run, would do), and the secret's status after.
#[derive(Debug)]
pub struct EnableReport {
    pub plan: Vec<PlannedStep>,
    pub status: SecretStatus,
    pub dry_run: bool,
    pub notes: Vec<String>,
    /// With --wait: the rotation started and how it ended.
    pub rotation: Option<(String, Outcome, Option<RotationFailure>)>,
}

impl EnableReport {
    pub fn nothing_to_do(&self) -> bool {
        self.plan.iter().all(|step| step.action == Action::Ok)
    }

    pub fn exit(&self) -> crate::exit::Exit {
        match &self.rotation {
            Some((_, Outcome::Failed, _)) => crate::exit::Exit::Failure,
            Some((_, Outcome::TimedOut, _)) => crate::exit::Exit::TimedOut,
            _ => crate::exit::Exit::Success,
        }
    }
}

/// Where the rotation function comes from.
#[derive(Debug)]
enum Source {
    Template { template: &'static RotationTemplate, version: String },
    TemplateFile { path: String, file: TemplateFile },
    Function(Arn),
}

/// The command line, checked: everything that can be wrong with the input
/// fails here, before any AWS call.
#[derive(Debug)]
struct Request {
    secret: SecretId,
    source: Source,
    rules: Option<RotationRules>,
    immediately: bool,
    subnet_ids: Vec<String>,
    security_group_ids: Vec<String>,
    endpoint: EndpointMode,
    master_secret: Option<SecretId>,
    preflight_value: bool,
    dry_run: bool,
}

fn request(args: &EnableArgs, region: &str) -> Result<Request> {
    let secret = SecretId::parse(&args.secret, region).map_err(usage)?;
    let rules =
        schedule::rules_from_args(args.every_days, args.schedule.as_deref(), args.window.as_deref()).map_err(usage)?;
    let source = if let Some(name) = &args.template {
        let template = templates::find(name).map_err(usage)?;
        let version = match (&args.template_version, template.semantic_version) {
            (Some(version), _) => check_semver(version)?,
            (None, Some(pinned)) => pinned.to_string(),
            (None, None) => {
                return Err(usage(format!(
                    "{} has no version rotctl pins: pass --template-version (see the Serverless Application Repository)",
                    template.name
                )));
            }
        };
        match (template.is_multi_user(), &args.master_secret) {
            (true, None) => {
                return Err(usage(format!(
                    "{} alternates two users and needs the master (superuser) secret: pass --master-secret ARN",
                    template.short_name
                )));
            }
            (false, Some(_)) if template.engine != "db2" => {
                return Err(usage(format!(
                    "{} is a single-user template: it takes no --master-secret",
                    template.short_name
                )));
            }
            _ => {}
        }
        Source::Template { template, version }
    } else if let Some(path) = &args.template_file {
        let shown = path.display().to_string();
        let body =
            std::fs::read(path).map_err(|error| usage(format!("cannot read --template-file {shown}: {error}")))?;
        let body = String::from_utf8(body).map_err(|_| usage(format!("--template-file {shown} is not UTF-8 text")))?;
        let file = plan::template_file(&shown, body).map_err(usage)?;
        Source::TemplateFile { path: shown, file }
    } else if let Some(arn) = &args.lambda_arn {
        Source::Function(function_arn(arn, region)?)
    } else {
        return Err(usage("name the rotation function: --template NAME, --template-file FILE or --lambda-arn ARN"));
    };
    for id in &args.subnet_ids {
        check_id(id, "subnet-", "--subnet-ids")?;
    }
    for id in &args.security_group_ids {
        check_id(id, "sg-", "--security-group-ids")?;
    }
    for (value, option) in
        [(&args.kms_key_arn, "--kms-key-arn"), (&args.master_secret_kms_key_arn, "--master-secret-kms-key-arn")]
    {
        if let Some(value) = value {
            let arn = Arn::parse(value).map_err(|e| usage(format!("{option}: {e}")))?;
            if arn.service != "kms" || !arn.resource.starts_with("key/") {
                return Err(usage(format!(
                    "{option} {} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
                    shown(value)
                )));
            }
        }
    }
    if args.exclude_characters.as_ref().is_some_and(|chars| chars.is_empty() || chars.chars().any(char::is_control)) {
        return Err(usage("--exclude-characters must be printable characters (e.g. '/@\"\\'\\\\:;')"));
    }
    if let Some(name) = &args.function_name {
        let valid =
            (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(usage(format!(
                "--function-name {}: a function name is 1-64 letters, digits, - and _ (choose another, or leave it out for rotctl's name)",
                shown(name)
            )));
        }
    }
    if let Some(name) = &args.stack_name {
        let valid = (1..=128).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(usage(format!(
                "--stack-name {}: a stack name is a letter, then up to 127 letters, digits and - (choose another)",
                shown(name)
            )));
        }
    }
    let master_secret = args.master_secret.as_deref().map(|m| SecretId::parse(m, region).map_err(usage)).transpose()?;
    Ok(Request {
        secret,
        source,
        rules,
        immediately: !args.no_rotate_immediately,
        subnet_ids: args.subnet_ids.clone(),
        security_group_ids: args.security_group_ids.clone(),
        endpoint: args.vpc_endpoint,
        master_secret,
        preflight_value: !args.no_preflight_value,
        dry_run: args.dry_run,
    })
}

fn check_semver(version: &str) -> Result<String> {
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        Ok(version.to_string())
    } else {
        Err(usage(format!("--template-version {} is not a version like 1.1.671", shown(version))))
    }
}

fn check_id(id: &str, prefix: &str, option: &str) -> Result<()> {
    let hex =
        id.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex {
        Ok(())
    } else {
        Err(usage(format!("{option}: {} is not an id (use ids like {prefix}0123456789abcdef0)", shown(id))))
    }
}

fn function_arn(text: &str, region: &str) -> Result<Arn> {
    let arn = Arn::parse(text).map_err(|e| usage(format!("--lambda-arn: {e}")))?;
    if arn.service != "lambda" || !arn.resource.starts_with("function:") {
        return Err(usage(format!(
            "--lambda-arn {} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)",
            shown(text)
        )));
    }
    if arn.region != region {
        return Err(usage(format!(
            "--lambda-arn is a function in {}, but the secret is in {region}: Secrets Manager invokes functions in its own region",
            arn.region
        )));
    }
    Ok(arn)
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

pub async fn run(clients: &Clients, ctx: &Context, progress: &Progress, args: &EnableArgs) -> Result<EnableReport> {
    // Set before each mutating call: a call that failed may still have applied.
    let mut changed = false;
    match enable(clients, ctx, progress, args, &mut changed).await {
        // Exit 2 promises nothing changed: once a change was sent, a failure is exit 1 and says so.
        Err(error) if changed => Err(crate::exit::after_changes(
            error,
            "changes were sent and may have applied; fix the cause and re-run the same enable: it picks up where this stopped",
        )),
        result => result,
    }
}

async fn enable(
    clients: &Clients,
    ctx: &Context,
    progress: &Progress,
    args: &EnableArgs,
    changed: &mut bool,
) -> Result<EnableReport> {
    let region = clients.region.as_str();
    let request = request(args, region)?;
    let secret_id = request.secret.as_str();

    // Read everything a change depends on before changing anything.
    let (secret, versions) = tokio::try_join!(
        secrets::describe(&clients.secrets, region, secret_id),
        secrets::versions(&clients.secrets, region, secret_id)
    )?;
    if let Some(service) = &secret.owning_service {
        return Err(usage(format!(
            "{} is managed by {service}, which rotates it itself (managed rotation): change its schedule there, not with a rotation function",
            secret.name
        )));
    }
    if secret.primary_region.as_deref().is_some_and(|primary| primary != region) {
        return Err(usage(format!(
            "{} is a replica; rotation is set up on the primary secret in {} (pass --region {})",
            secret.name,
            secret.primary_region.as_deref().unwrap_or_default(),
            secret.primary_region.as_deref().unwrap_or_default()
        )));
    }
    let account = Arn::parse(&secret.arn).map(|arn| arn.account).map_err(anyhow::Error::msg)?;
    let master_arn = match &request.master_secret {
        Some(master) => Some(secrets::describe(&clients.secrets, region, master.as_str()).await?.arn),
        None => None,
    };

    let mut notes = Vec::new();
    let mut plan = Vec::new();
    let stack = match &request.source {
        Source::Function(_) => None,
        source => Some(stack_work(clients, &request, source, &secret, master_arn.as_deref(), args).await?),
    };
    let mut function_arn = match (&request.source, &stack) {
        (Source::Function(arn), _) => Some(arn.to_string()),
        (_, Some(work)) if work.decision.action == Action::Ok => Some(stack_output(work.existing.as_ref())?),
        _ => None,
    };
    let mut function = match &function_arn {
        Some(arn) => Some(lambda::function(&clients.lambda, arn).await?.ok_or_else(|| {
            not_found(format!("the rotation function {arn} does not exist (check --lambda-arn and --region)"))
        })?),
        None => None,
    };
    let network = network(clients, &request, function.as_ref()).await?;
    let known_outside_vpc = match (&function, &request.source) {
        (Some(function), _) => function.vpc.is_none(),
        // An AWS template's function is in a VPC only through --subnet-ids.
        (None, Source::Template { .. }) => true,
        (None, _) => false,
    };
    if request.endpoint == EndpointMode::Create && network.vpc_id.is_none() && known_outside_vpc {
        return Err(usage(
            "--vpc-endpoint create needs the function in a VPC: pass --subnet-ids and --security-group-ids",
        ));
    }

    // Would RotateSecret run? Then a rotation left pending blocks it: say so before changing anything.
    let rules = plan::desired_rules(request.rules.clone(), secret.rotation_rules.as_ref());
    let rotates = function_arn
        .as_deref()
        .is_none_or(|arn| plan::rotation(&secret, arn, &rules, request.immediately).action != Action::Ok);
    if rotates {
        check_not_pending(&secret, &versions, ctx.now)?;
    }
    // The value is read only when the template's function will be (re)deployed or run.
    let deploys = stack.as_ref().is_some_and(|work| work.decision.action != Action::Ok);
    if let Source::Template { template, .. } = &request.source
        && request.preflight_value
        && !request.dry_run
        && (deploys || rotates)
    {
        check_value(clients, ctx, &secret, template).await?;
    }

    // Apply, step by step; each step's decision comes from what was just read.
    if let Some(work) = stack {
        let StackWork { name, body, parameters, capabilities, mut existing, mut decision } = work;
        if existing.as_ref().is_some_and(cloudformation::Stack::in_progress) && !request.dry_run {
            // Another deployment is running: wait for it, then decide again.
            let settled = cloudformation::wait(&clients.cloudformation, &name, progress).await?;
            let deployed = cloudformation::template(&clients.cloudformation, &name).await?;
            decision =
                plan::stack(&name, Some(&settled), Some(&deployed), &body, &parameters).map_err(anyhow::Error::msg)?;
            if decision.action == Action::Ok {
                let arn = stack_output(Some(&settled))?;
                function = lambda::function(&clients.lambda, &arn).await?;
                function_arn = Some(arn);
            }
            existing = Some(settled);
        }
        plan.push(step(EnableStep::Stack, &decision));
        if decision.action != Action::Ok && !request.dry_run {
            let deployment = cloudformation::Deployment {
                stack_name: &name,
                change_set_name: plan::change_set_name(&body, &parameters),
                create: existing.as_ref().is_none_or(|s| s.status == "REVIEW_IN_PROGRESS"),
                template_body: &body,
                parameters: &parameters,
                capabilities: &capabilities,
            };
            *changed = true;
            let deployed = cloudformation::deploy(&clients.cloudformation, &deployment, progress).await?;
            let arn = stack_output(Some(&deployed))?;
            function = Some(lambda::function(&clients.lambda, &arn).await?.ok_or_else(|| {
                anyhow::anyhow!("stack {name} outputs RotationLambdaARN {arn}, but there is no such function")
            })?);
            function_arn = Some(arn);
        }
    }

    let (Some(function_arn), Some(function)) = (function_arn, function) else {
        // A dry run of a stack not yet deployed: the function is not known yet.
        plan.extend(after_stack(&request, &secret, &rules));
        let status = status(secret, versions, ctx);
        return Ok(EnableReport { plan, status, dry_run: true, notes, rotation: None });
    };

    // Invoke permission.
    let policy = lambda::policy(&clients.lambda, &function_arn).await?;
    let decision = plan::invoke_permission(policy.as_deref(), &account);
    notes.extend(decision.note.clone());
    plan.push(step(EnableStep::InvokePermission, &decision));
    if decision.action == Action::Create && !request.dry_run {
        *changed = true;
        if lambda::allow_secretsmanager(&clients.lambda, &function_arn, plan::STATEMENT_ID, &account).await?
            == lambda::Added::AlreadyThere
        {
            // An earlier, interrupted run added it, or the id is taken by something else: look again.
            let policy = lambda::policy(&clients.lambda, &function_arn).await?;
            if plan::invoke_permission(policy.as_deref(), &account).action != Action::Ok {
                return Err(anyhow::anyhow!(
                    "the function's policy has a statement {} that does not let Secrets Manager invoke it for {account} \
                     (remove it: aws lambda remove-permission --function-name {function_arn} --statement-id {})",
                    plan::STATEMENT_ID,
                    plan::STATEMENT_ID
                ));
            }
        }
    }

    // VPC config.
    let decision = plan::vpc_config(function.vpc.as_ref(), &request.subnet_ids, &request.security_group_ids);
    plan.push(step(EnableStep::VpcConfig, &decision));
    if decision.action == Action::Update && !request.dry_run {
        progress.say(&format!("updating the VPC config of {}", function.name));
        let _running = progress.running_in_aws(format!(
            "if the VPC config update of {} reached Lambda, Lambda goes on applying it (the same rotctl enable run again \
             waits for it and finishes)",
            function.name
        ));
        *changed = true;
        lambda::set_vpc(&clients.lambda, &function_arn, &request.subnet_ids, &request.security_group_ids).await?;
    }

    // VPC endpoint.
    let vpc_id = network.vpc_id.clone().or_else(|| function.vpc.as_ref().map(|v| v.vpc_id.clone()));
    let service = ec2::secretsmanager_service(region);
    let endpoints = match (&vpc_id, request.endpoint) {
        (Some(vpc), EndpointMode::Auto | EndpointMode::Create) => {
            ec2::secretsmanager_endpoints(&clients.ec2, vpc, region).await?
        }
        _ => Vec::new(),
    };
    if request.endpoint == EndpointMode::Create && vpc_id.is_none() {
        return Err(usage(
            "--vpc-endpoint create needs the function in a VPC: pass --subnet-ids and --security-group-ids",
        ));
    }
    let decision = plan::vpc_endpoint(request.endpoint, vpc_id.as_deref(), &service, &endpoints);
    notes.extend(decision.note.clone());
    plan.push(step(EnableStep::VpcEndpoint, &decision));
    if let (Action::Create, false, Some(vpc)) = (decision.action, request.dry_run, &vpc_id) {
        let (subnets, groups) = endpoint_placement(clients, &request, &function, &network).await?;
        progress.say(&format!("creating a Secrets Manager endpoint in {vpc}"));
        *changed = true;
        ec2::create_secretsmanager_endpoint(&clients.ec2, region, vpc, &subnets, &groups).await?;
    }

    // Rotation.
    let decision = plan::rotation(&secret, &function_arn, &rules, request.immediately);
    plan.push(step(EnableStep::Rotation, &decision));
    let mut rotation = None;
    if decision.action != Action::Ok && !request.dry_run {
        let started = jiff::Timestamp::now();
        *changed = true;
        let version = secrets::rotate(&clients.secrets, secret_id, &function_arn, &rules, request.immediately).await?;
        if args.wait {
            let (outcome, failure) =
                rotate_now::wait(clients, progress, &secret, &version, started, args.timeout.unsigned_abs()).await?;
            if let Some(failure) = &failure {
                notes.push(failure.sentence("the first rotation"));
            } else if outcome == Outcome::TimedOut {
                notes.push(format!(
                    "the first rotation (version {version}) has not finished; it may still finish in AWS"
                ));
            }
            rotation = Some((version, outcome, failure));
        }
    } else if args.wait && !request.dry_run {
        notes.push("--wait: no rotation was started, so there is nothing to wait for".to_string());
    }

    let status = if *changed {
        let (secret, versions) = tokio::try_join!(
            secrets::describe(&clients.secrets, region, secret_id),
            secrets::versions(&clients.secrets, region, secret_id)
        )?;
        status(secret, versions, ctx)
    } else {
        status(secret, versions, ctx)
    };
    Ok(EnableReport { plan, status, dry_run: request.dry_run, notes, rotation })
}

fn step(step: EnableStep, decision: &Decision) -> PlannedStep {
    PlannedStep { step, action: decision.action, detail: decision.detail.clone() }
}

fn status(mut secret: Secret, versions: Vec<crate::model::SecretVersion>, ctx: &Context) -> SecretStatus {
    secret.versions = versions;
    super::status::assessed(secret, ctx.now)
}

fn stack_output(stack: Option<&cloudformation::Stack>) -> Result<String> {
    let stack = stack.ok_or_else(|| anyhow::anyhow!("no stack was deployed"))?;
    stack.outputs.get("RotationLambdaARN").cloned().ok_or_else(|| {
        anyhow::anyhow!("stack {} has no output RotationLambdaARN (is it a rotation function stack?)", stack.name)
    })
}

/// Builds the stack's template and parameters, and reads the deployed stack to decide.
async fn stack_work(
    clients: &Clients,
    request: &Request,
    source: &Source,
    secret: &Secret,
    master_arn: Option<&str>,
    args: &EnableArgs,
) -> Result<StackWork> {
    let region = clients.region.as_str();
    let name = args
        .stack_name
        .clone()
        .unwrap_or_else(|| format!("rotctl-{}", plan::derived_name_for(&secret.name, &secret.arn, "", 121)));
    let values = TemplateParameters {
        function_name: args
            .function_name
            .clone()
            .unwrap_or_else(|| plan::derived_name_for(&secret.name, &secret.arn, "-rotation", 64)),
        endpoint: templates::secretsmanager_endpoint(region),
        subnet_ids: request.subnet_ids.clone(),
        security_group_ids: request.security_group_ids.clone(),
        kms_key_arn: args.kms_key_arn.clone(),
        exclude_characters: args.exclude_characters.clone(),
        master_secret_arn: master_arn.map(str::to_string),
        master_secret_kms_key_arn: args.master_secret_kms_key_arn.clone(),
    };
    let (body, parameters, capabilities) = match source {
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
                return Err(usage(format!(
                    "{path} needs a value for parameter {missing}: {}",
                    parameter_hint(missing)
                )));
            }
            (file.body.clone(), parameters, file.capabilities.clone())
        }
        Source::Function(arn) => {
            return Err(anyhow::anyhow!("{arn} is an existing function: there is no stack to deploy"));
        }
    };
    let existing = cloudformation::stack(&clients.cloudformation, &name).await?;
    let deployed = match &existing {
        Some(stack) if stack.status != "REVIEW_IN_PROGRESS" && !stack.in_progress() => {
            Some(cloudformation::template(&clients.cloudformation, &name).await?)
        }
        _ => None,
    };
    let decision =
        plan::stack(&name, existing.as_ref(), deployed.as_deref(), &body, &parameters).map_err(anyhow::Error::msg)?;
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
        return Err(usage("--subnet-ids are in different VPCs; a function runs in one VPC"));
    };
    if let Some((group, other)) = groups.iter().find(|(_, group_vpc)| group_vpc != vpc) {
        return Err(usage(format!("security group {group} is in {other}, not in {vpc} with the subnets")));
    }
    Ok(Network { vpc_id: Some(vpc.to_string()), subnets })
}

/// The endpoint goes in the function's subnets (one per availability zone,
/// as AWS requires) with the function's security groups.
async fn endpoint_placement(
    clients: &Clients,
    request: &Request,
    function: &lambda::Function,
    network: &Network,
) -> Result<(Vec<String>, Vec<String>)> {
    let (subnet_ids, groups) = match (&request.subnet_ids[..], &function.vpc) {
        ([], Some(vpc)) => (vpc.subnet_ids.clone(), vpc.security_group_ids.clone()),
        (ids, _) => (ids.to_vec(), request.security_group_ids.clone()),
    };
    let subnets = if network.subnets.is_empty() {
        ec2::subnets(&clients.ec2, &subnet_ids).await?
    } else {
        network.subnets.clone()
    };
    let mut zones = std::collections::BTreeSet::new();
    let one_per_zone =
        subnets.into_iter().filter(|s| zones.insert(s.availability_zone.clone())).map(|s| s.id).collect();
    Ok((one_per_zone, groups))
}

/// A pending AWSPENDING makes AWS refuse RotateSecret: refuse first, saying why.
fn check_not_pending(secret: &Secret, versions: &[crate::model::SecretVersion], now: jiff::Timestamp) -> Result<()> {
    let Some(pending) = secret.dangling_pending() else { return Ok(()) };
    let mut with_dates = secret.clone();
    with_dates.versions = versions.to_vec();
    let (state, _) = rotation::assess(&with_dates, now);
    let age = with_dates
        .version_created(pending)
        .map(|c| rotation::age(now.duration_since(c)))
        .unwrap_or_else(|| "an unknown time".into());
    if state == crate::model::RotationState::InProgress {
        return Err(usage(format!(
            "a rotation of {} is in progress (AWSPENDING on version {pending}, {age} old): wait for it to end, then re-run",
            secret.name
        )));
    }
    Err(usage(format!(
        "the last rotation of {} did not finish and left AWSPENDING on version {pending} ({age} ago); AWS refuses to \
         start another until that label is removed (fix the function, then: aws secretsmanager update-secret-version-stage \
         --secret-id {} --version-stage AWSPENDING --remove-from-version-id {pending})",
        secret.name, secret.arn
    )))
}

/// Reads the secret's value once, after asking, to check the template's keys are there.
/// Only key names leave this function; the value is dropped here.
async fn check_value(clients: &Clients, ctx: &Context, secret: &Secret, template: &RotationTemplate) -> Result<()> {
    if template.required_keys.is_empty() {
        return Ok(());
    }
    prompt::confirm(
        ctx,
        &format!(
            "{} needs the keys {} in the secret's JSON. rotctl will read the value once to check them, and print only missing key names.",
            template.short_name,
            template.required_keys.join(", ")
        ),
        "checking the secret's keys reads its value: pass --yes to allow that, or --no-preflight-value to skip the check",
    ).await?;
    let value = secrets::value_json(&clients.secrets, &secret.arn).await?;
    let missing = value
        .and_then(|value| templates::missing_keys(template, &value))
        .map_err(|why| usage(format!("{}: {why}", secret.name)))?;
    if !missing.is_empty() {
        return Err(usage(format!(
            "{}'s value lacks the key(s) {} that {} needs (add them, or pass --no-preflight-value to skip this check)",
            secret.name,
            missing.join(", "),
            template.short_name
        )));
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
