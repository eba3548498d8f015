//! `enable`'s input, checked: every option, validated before any AWS call.

use super::EnableArgs;
use super::plan::{self, EndpointMode, TemplateFile};
use crate::arn::{Arn, SecretId};
use crate::error::{Error, Result, shown};
use crate::model::RotationRules;
use crate::schedule;
use crate::templates::{self, RotationTemplate};

/// Where the rotation function comes from.
#[derive(Debug)]
pub(crate) enum Source {
    Template { template: &'static RotationTemplate, version: String },
    TemplateFile { path: String, file: TemplateFile },
    Function(Arn),
}

/// Whether rotctl may read the secret's value to check the template's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueCheck {
    /// `--check-value`: read it once, without asking.
    Allowed,
    /// Neither flag: ask a person (`--yes` does not answer); with nobody to ask, skip it and say so.
    Ask,
    /// `--no-preflight-value`: never.
    Skip,
}

/// The command line, checked: everything that can be wrong with the input
/// fails here, before any AWS call. Later code reads only this, never the arguments.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) secret: SecretId,
    pub(crate) source: Source,
    /// Rules asked for; None keeps the secret's own (or 30 days).
    pub(crate) rules: Option<RotationRules>,
    pub(crate) immediately: bool,
    pub(crate) subnet_ids: Vec<String>,
    pub(crate) security_group_ids: Vec<String>,
    pub(crate) endpoint: EndpointMode,
    pub(crate) stack_name: Option<String>,
    pub(crate) function_name: Option<String>,
    pub(crate) master_secret: Option<SecretId>,
    pub(crate) master_secret_kms_key_arn: Option<String>,
    pub(crate) kms_key_arn: Option<String>,
    pub(crate) exclude_characters: Option<String>,
    pub(crate) value_check: ValueCheck,
    /// With --wait: how long to wait for the first rotation.
    pub(crate) wait: Option<std::time::Duration>,
    pub(crate) dry_run: bool,
    /// --no-preflight-checks: a failed doctor check does not stop the rotation.
    pub(crate) preflight_checks_skipped: bool,
}

impl Request {
    pub(crate) fn new(args: &EnableArgs, region: &str) -> Result<Request> {
        request(args, region)
    }
}

fn request(args: &EnableArgs, region: &str) -> Result<Request> {
    let secret = SecretId::parse(&args.secret, region).map_err(Error::input)?;
    let rules = schedule::rules_from_args(args.every_days, args.schedule.as_deref(), args.window.as_deref())
        .map_err(Error::input)?;
    let source = source(args, region)?;
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
            let arn = Arn::parse(value).map_err(|e| Error::input(format!("{option}: {e}")))?;
            if arn.service != "kms" || !arn.resource.starts_with("key/") {
                return Err(Error::usage(
                    format!("{option} {}", shown(value)),
                    "not a KMS key ARN",
                    "use arn:aws:kms:REGION:ACCOUNT:key/ID",
                ));
            }
        }
    }
    if args.exclude_characters.as_ref().is_some_and(|chars| chars.is_empty() || chars.chars().any(char::is_control)) {
        return Err(Error::usage("--exclude-characters", "it must be printable characters", "e.g. '/@\"\\'\\\\:;'"));
    }
    if let Some(name) = &args.function_name {
        let valid =
            (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(Error::usage(
                format!("--function-name {}", shown(name)),
                "a function name is 1-64 letters, digits, - and _",
                "choose another, or leave it out for rotctl's name",
            ));
        }
    }
    if let Some(name) = &args.stack_name {
        let valid = (1..=128).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(Error::usage(
                format!("--stack-name {}", shown(name)),
                "a stack name is a letter, then up to 127 letters, digits and -",
                "choose another",
            ));
        }
    }
    let master_secret =
        args.master_secret.as_deref().map(|m| SecretId::parse(m, region).map_err(Error::input)).transpose()?;
    let value_check = match (args.check_value, args.no_preflight_value) {
        (true, _) => ValueCheck::Allowed,
        (false, true) => ValueCheck::Skip,
        (false, false) => ValueCheck::Ask,
    };
    Ok(Request {
        secret,
        source,
        rules,
        immediately: !args.no_rotate_immediately,
        subnet_ids: args.subnet_ids.clone(),
        security_group_ids: args.security_group_ids.clone(),
        endpoint: args.vpc_endpoint,
        stack_name: args.stack_name.clone(),
        function_name: args.function_name.clone(),
        master_secret,
        master_secret_kms_key_arn: args.master_secret_kms_key_arn.clone(),
        kms_key_arn: args.kms_key_arn.clone(),
        exclude_characters: args.exclude_characters.clone(),
        value_check,
        wait: args.wait.then(|| args.timeout.unsigned_abs()),
        dry_run: args.dry_run,
        preflight_checks_skipped: args.no_preflight_checks,
    })
}

/// Where the function comes from: a template (with its version), a template file (read and checked), or a function.
fn source(args: &EnableArgs, region: &str) -> Result<Source> {
    Ok(if let Some(name) = &args.template {
        let template = templates::find(name).map_err(Error::input)?;
        let version = match (&args.template_version, template.semantic_version) {
            (Some(version), _) => check_semver(version)?,
            (None, Some(pinned)) => pinned.to_string(),
            (None, None) => {
                return Err(Error::usage(
                    format!("--template {}", template.short_name),
                    format!("{} has no version rotctl pins", template.name),
                    "pass --template-version (see the Serverless Application Repository)",
                ));
            }
        };
        match (template.is_multi_user(), &args.master_secret) {
            (true, None) => {
                return Err(Error::usage(
                    format!("--template {}", template.short_name),
                    "it alternates two users and needs the master (superuser) secret",
                    "pass --master-secret ARN",
                ));
            }
            (false, Some(_)) if template.engine != "db2" => {
                return Err(Error::usage(
                    "--master-secret",
                    format!("{} is a single-user template: it takes no master secret", template.short_name),
                    "leave out --master-secret, or choose a -multi template",
                ));
            }
            _ => {}
        }
        Source::Template { template, version }
    } else if let Some(path) = &args.template_file {
        let shown = path.display().to_string();
        let what = format!("--template-file {shown}");
        let body = std::fs::read(path)
            .map_err(|error| Error::usage(&what, format!("cannot read it: {error}"), "check the path"))?;
        let body = String::from_utf8(body)
            .map_err(|_| Error::usage(&what, "it is not UTF-8 text", "pass a YAML or JSON template"))?;
        let file = plan::template_file(&shown, body).map_err(Error::input)?;
        Source::TemplateFile { path: shown, file }
    } else if let Some(arn) = &args.lambda_arn {
        Source::Function(function_arn(arn, region)?)
    } else {
        return Err(Error::usage(
            "enable",
            "no rotation function was named",
            "pass --template NAME, --template-file FILE or --lambda-arn ARN",
        ));
    })
}

fn check_semver(version: &str) -> Result<String> {
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        Ok(version.to_string())
    } else {
        Err(Error::usage(format!("--template-version {}", shown(version)), "not a version", "use one like 1.1.671"))
    }
}

fn check_id(id: &str, prefix: &str, option: &str) -> Result<()> {
    let hex =
        id.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex {
        Ok(())
    } else {
        Err(Error::usage(
            format!("{option} {}", shown(id)),
            "not an id",
            format!("use ids like {prefix}0123456789abcdef0"),
        ))
    }
}

fn function_arn(text: &str, region: &str) -> Result<Arn> {
    let arn = Arn::parse(text).map_err(|e| Error::input(format!("--lambda-arn: {e}")))?;
    if arn.service != "lambda" || !arn.resource.starts_with("function:") {
        return Err(Error::usage(
            format!("--lambda-arn {}", shown(text)),
            "not a Lambda function ARN",
            "use arn:aws:lambda:REGION:ACCOUNT:function:NAME",
        ));
    }
    if arn.region != region {
        return Err(Error::usage(
            "--lambda-arn",
            format!(
                "the function is in {}, but the secret is in {region}: Secrets Manager invokes functions in its own region",
                arn.region
            ),
            format!("deploy the function in {region}, or pass --region {}", arn.region),
        ));
    }
    Ok(arn)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::exit::Exit;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:rotate";

    fn request(words: &[&str]) -> Result<Request> {
        let mut line = vec!["rotctl", "enable", "prod/db"];
        line.extend_from_slice(words);
        let Command::Enable(args) = Cli::try_parse_from(line).expect("clap accepts it").command else {
            unreachable!("an enable command line")
        };
        Request::new(&args, "us-east-1")
    }

    fn refusal(words: &[&str]) -> String {
        let error = request(words).expect_err("refused");
        assert_eq!(error.code(), Exit::Usage, "{error}");
        error.to_string()
    }

    #[test]
    fn every_option_lands_in_the_request() {
        let request = request(&[
            "--template",
            "postgres-multi",
            "--master-secret",
            "prod/db-admin",
            "--subnet-ids",
            "subnet-0a,subnet-0b",
            "--security-group-ids",
            "sg-01",
            "--vpc-endpoint",
            "create",
            "--stack-name",
            "db-rotation",
            "--function-name",
            "db_rotate",
            "--kms-key-arn",
            "arn:aws:kms:us-east-1:123456789012:key/k1",
            "--exclude-characters",
            "/@",
            "--schedule",
            "rate(10 days)",
            "--window",
            "3h",
            "--wait",
            "--timeout",
            "2m",
            "--check-value",
        ])
        .expect("a valid command line");
        assert!(
            matches!(request.source, Source::Template { template, ref version } if template.short_name == "postgres-multi" && !version.is_empty())
        );
        assert_eq!(request.master_secret.as_ref().map(SecretId::as_str), Some("prod/db-admin"));
        assert_eq!(request.subnet_ids, ["subnet-0a", "subnet-0b"]);
        assert_eq!(request.security_group_ids, ["sg-01"]);
        assert_eq!(request.endpoint, EndpointMode::Create);
        assert_eq!(request.stack_name.as_deref(), Some("db-rotation"));
        assert_eq!(request.function_name.as_deref(), Some("db_rotate"));
        assert_eq!(request.kms_key_arn.as_deref(), Some("arn:aws:kms:us-east-1:123456789012:key/k1"));
        assert_eq!(request.exclude_characters.as_deref(), Some("/@"));
        let rules = request.rules.expect("rules asked for");
        assert_eq!(
            (rules.schedule_expression.as_deref(), rules.duration.as_deref()),
            (Some("rate(10 days)"), Some("3h"))
        );
        assert_eq!(request.wait, Some(std::time::Duration::from_mins(2)));
        assert_eq!(request.value_check, ValueCheck::Allowed);
        assert!(request.immediately && !request.dry_run);
    }

    #[test]
    fn reading_the_value_needs_its_own_consent() {
        assert_eq!(request(&["--template", "postgres-single"]).map(|r| r.value_check).ok(), Some(ValueCheck::Ask));
        let skip = request(&["--template", "postgres-single", "--no-preflight-value", "--yes"]);
        assert_eq!(skip.map(|r| r.value_check).ok(), Some(ValueCheck::Skip), "--yes does not give it");
    }

    #[test]
    fn input_that_cannot_work_is_refused_naming_the_fix() {
        let elsewhere = refusal(&["--lambda-arn", "arn:aws:lambda:eu-west-1:123456789012:function:rotate"]);
        assert!(elsewhere.contains("--region eu-west-1"), "{elsewhere}");
        assert!(refusal(&["--template", "postgres-multi"]).contains("pass --master-secret"));
        assert!(refusal(&["--template", "postgres-single", "--master-secret", "x"]).contains("single-user"));
        assert!(
            refusal(&["--lambda-arn", FUNCTION, "--subnet-ids", "sn-1", "--security-group-ids", "sg-1"])
                .contains("subnet-")
        );
        assert!(refusal(&["--template", "no-such-template"]).contains("rotctl templates"));
        assert!(refusal(&["--template", "postgres-single", "--stack-name", "1bad"]).contains("--stack-name"));
        assert!(refusal(&["--template", "postgres-single", "--kms-key-arn", FUNCTION]).contains("not a KMS key ARN"));
        assert!(refusal(&["--lambda-arn", FUNCTION, "--every-days", "0"]).contains("--every-days"));
    }
}
