//! The test harness: one emulator per test run (tests/emulator/server.py,
//! moto corrected to behave like AWS), and a `World` per test.
//!
//! Each World has its own access keys: one for seeding state, one for the
//! rotctl run under test. The emulator logs calls per access key, so a test
//! sees exactly the calls rotctl made, and faults it injects hit only its own
//! rotctl calls, while tests run in parallel on the shared emulator.

pub mod control;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use serde_json::{Value, json};

/// Every secret value the tests write contains this; no rotctl output may.
pub const SECRET_MARKER: &str = "ROTCTL-TEST-SECRET-VALUE";
pub const ACCOUNT: &str = "123456789012";

struct Emulator {
    endpoint: String,
    // Held open for the life of the test process: the emulator exits when it closes.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

static EMULATOR: OnceLock<Emulator> = OnceLock::new();

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn emulator() -> &'static Emulator {
    EMULATOR.get_or_init(|| {
        let python = std::env::var_os("ROTCTL_EMULATOR_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".venv/bin/python"));
        assert!(
            python.exists(),
            "the emulator is not installed ({}): run scripts/test, which creates .venv from tests/emulator/requirements.txt",
            python.display()
        );
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator.log");
        let mut child = Command::new(&python)
            .arg(root().join("tests/emulator/server.py"))
            .arg("--log")
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the emulator");
        let stdout = child.stdout.take().expect("the emulator's stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reading the emulator's READY line");
        let port = line.strip_prefix("READY ").map(str::trim).unwrap_or_else(|| {
            panic!("the emulator did not start (said {line:?}); its log is {}", log.display())
        });
        let stdin = child.stdin.take().expect("the emulator's stdin");
        Emulator { endpoint: format!("http://127.0.0.1:{port}"), _stdin: Mutex::new(stdin), _child: Mutex::new(child) }
    })
}

static NEXT_WORLD: AtomicUsize = AtomicUsize::new(1);

/// One test's view of the emulator: unique names, its own access keys, and
/// SDK clients (real AWS protocols) for seeding and checking state.
pub struct World {
    pub endpoint: String,
    pub region: String,
    /// Prefix of every name this world creates.
    pub prefix: String,
    rotctl_key: String,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    iam: aws_sdk_iam::Client,
    role_arn: OnceLock<String>,
}

impl World {
    pub fn new() -> World {
        World::in_region("us-east-1")
    }

    /// A world in a region no other test uses, for whole-region listings.
    pub fn in_region(region: &str) -> World {
        let emulator = emulator();
        let n = NEXT_WORLD.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}{n:04}", std::process::id() % 100_000);
        let seed_key = format!("AKIASEED{id:0>12}");
        let rotctl_key = format!("AKIAROTCTL{id:0>10}");
        let credentials = Credentials::new(&seed_key, "test-secret-key", None, None, "harness");
        let region = region.to_string();
        macro_rules! client {
            ($sdk:ident) => {
                $sdk::Client::from_conf(
                    $sdk::Config::builder()
                        .behavior_version(BehaviorVersion::latest())
                        .region(Region::new(region.clone()))
                        .endpoint_url(&emulator.endpoint)
                        .credentials_provider(credentials.clone())
                        .build(),
                )
            };
        }
        World {
            endpoint: emulator.endpoint.clone(),
            prefix: format!("t{id}"),
            secrets: client!(aws_sdk_secretsmanager),
            lambda: client!(aws_sdk_lambda),
            ec2: client!(aws_sdk_ec2),
            cloudformation: client!(aws_sdk_cloudformation),
            iam: client!(aws_sdk_iam),
            region,
            rotctl_key,
            role_arn: OnceLock::new(),
        }
    }

    /// A name unique to this world.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}/{suffix}", self.prefix)
    }

    /// Creates a secret holding a JSON value with the marker; returns its ARN.
    pub async fn secret(&self, suffix: &str) -> String {
        let value = json!({"engine": "postgres", "host": "db.internal", "username": "app", "password": SECRET_MARKER});
        let out = self
            .secrets
            .create_secret()
            .name(self.name(suffix))
            .secret_string(value.to_string())
            .send()
            .await
            .expect("CreateSecret");
        out.arn().expect("an ARN").to_string()
    }

    /// Creates the test rotation function (tests/fixtures/rotation_function.py)
    /// with the given environment, and lets Secrets Manager invoke it.
    pub async fn rotation_function(&self, suffix: &str, env: &[(&str, &str)]) -> String {
        let arn = self.bare_function(suffix, env).await;
        self.lambda
            .add_permission()
            .function_name(&arn)
            .statement_id("SecretsManagerAccess")
            .action("lambda:InvokeFunction")
            .principal("secretsmanager.amazonaws.com")
            .source_account(ACCOUNT)
            .send()
            .await
            .expect("AddPermission");
        arn
    }

    /// The test rotation function with no resource policy at all.
    pub async fn bare_function(&self, suffix: &str, env: &[(&str, &str)]) -> String {
        let name = format!("{}-{suffix}", self.prefix);
        let mut environment = aws_sdk_lambda::types::Environment::builder();
        for (key, value) in env {
            environment = environment.variables(*key, *value);
        }
        let out = self
            .lambda
            .create_function()
            .function_name(&name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(self.role().await)
            .handler("rotation_function.lambda_handler")
            .timeout(30)
            .environment(environment.build())
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(function_zip()))
                    .build(),
            )
            .send()
            .await
            .expect("CreateFunction");
        out.function_arn().expect("a function ARN").to_string()
    }

    /// Replaces a function's environment (e.g. FAIL_AT_STEP to break it).
    pub async fn set_function_env(&self, function: &str, env: &[(&str, &str)]) {
        let mut environment = aws_sdk_lambda::types::Environment::builder();
        for (key, value) in env {
            environment = environment.variables(*key, *value);
        }
        self.lambda
            .update_function_configuration()
            .function_name(function)
            .environment(environment.build())
            .send()
            .await
            .expect("UpdateFunctionConfiguration");
    }

    /// The statements of a function's resource policy (none: empty).
    pub async fn policy_statements(&self, function: &str) -> Vec<Value> {
        match self.lambda.get_policy().function_name(function).send().await {
            Ok(out) => {
                let policy: Value = serde_json::from_str(out.policy().unwrap_or("{}")).expect("a policy document");
                policy["Statement"].as_array().cloned().unwrap_or_default()
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Vec::new(),
            Err(error) => panic!("GetPolicy: {error:?}"),
        }
    }

    /// A VPC with two subnets in two zones and a security group.
    pub async fn vpc(&self) -> Vpc {
        let vpc = self.ec2.create_vpc().cidr_block("10.20.0.0/16").send().await.expect("CreateVpc");
        let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).expect("a VPC id").to_string();
        let mut subnets = Vec::new();
        for (cidr, zone) in [("10.20.1.0/24", "a"), ("10.20.2.0/24", "b")] {
            let subnet = self
                .ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(format!("{}{zone}", self.region))
                .send()
                .await
                .expect("CreateSubnet");
            subnets.push(subnet.subnet().and_then(|s| s.subnet_id()).expect("a subnet id").to_string());
        }
        let group = self
            .ec2
            .create_security_group()
            .group_name(format!("{}-rotation", self.prefix))
            .description("rotation function")
            .vpc_id(&vpc_id)
            .send()
            .await
            .expect("CreateSecurityGroup");
        Vpc { id: vpc_id, subnets, security_group: group.group_id().expect("a group id").to_string() }
    }

    /// Puts a function in the VPC's first subnet, with its security group.
    pub async fn put_in_vpc(&self, function: &str, vpc: &Vpc) {
        let config = aws_sdk_lambda::types::VpcConfig::builder()
            .subnet_ids(&vpc.subnets[0])
            .security_group_ids(&vpc.security_group)
            .build();
        self.lambda
            .update_function_configuration()
            .function_name(function)
            .vpc_config(config)
            .send()
            .await
            .expect("UpdateFunctionConfiguration VpcConfig");
    }

    /// Creates a Secrets Manager interface endpoint (private DNS) in the VPC.
    pub async fn create_secretsmanager_endpoint(&self, vpc: &Vpc) {
        self.ec2
            .create_vpc_endpoint()
            .vpc_id(&vpc.id)
            .service_name(format!("com.amazonaws.{}.secretsmanager", self.region))
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
            .subnet_ids(&vpc.subnets[0])
            .private_dns_enabled(true)
            .send()
            .await
            .expect("CreateVpcEndpoint");
    }

    /// The VPC's Secrets Manager interface endpoints: (id, private DNS).
    pub async fn secretsmanager_endpoints(&self, vpc: &str) -> Vec<(String, bool)> {
        let filter = |name: &str, value: String| aws_sdk_ec2::types::Filter::builder().name(name).values(value).build();
        let out = self
            .ec2
            .describe_vpc_endpoints()
            .filters(filter("vpc-id", vpc.to_string()))
            .filters(filter("service-name", format!("com.amazonaws.{}.secretsmanager", self.region)))
            .send()
            .await
            .expect("DescribeVpcEndpoints");
        out.vpc_endpoints()
            .iter()
            .map(|e| (e.vpc_endpoint_id().unwrap_or_default().to_string(), e.private_dns_enabled().unwrap_or(false)))
            .collect()
    }

    /// A CloudFormation template (YAML) deploying the test rotation function
    /// inline, with or without its own invoke permission; returns its path.
    pub fn template_file(&self, name: &str, grants_invoke: bool) -> PathBuf {
        let source =
            std::fs::read_to_string(root().join("tests/fixtures/rotation_function.py")).expect("the fixture function");
        let code: String = source.lines().map(|line| format!("          {line}\n")).collect();
        let permission = if grants_invoke {
            "  RotationPermission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !GetAtt RotationFunction.Arn\n      Action: lambda:InvokeFunction\n      Principal: secretsmanager.amazonaws.com\n      SourceAccount: !Ref AWS::AccountId\n"
        } else {
            ""
        };
        let template = format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nDescription: rotctl test rotation function\nParameters:\n  functionName:\n    Type: String\n\
             Resources:\n  RotationRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n\
             \x20       Statement:\n          - Effect: Allow\n            Principal: {{Service: lambda.amazonaws.com}}\n            Action: sts:AssumeRole\n\
             \x20 RotationFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Ref functionName\n      Runtime: python3.12\n\
             \x20     Handler: index.lambda_handler\n      Timeout: 30\n      Role: !GetAtt RotationRole.Arn\n      Code:\n        ZipFile: |\n{code}{permission}\
             Outputs:\n  RotationLambdaARN:\n    Value: !GetAtt RotationFunction.Arn\n"
        );
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}.yaml", self.prefix));
        std::fs::write(&path, template).expect("writing the template");
        path
    }

    /// Waits until rotctl's call of `operation` is being held by a Hold fault.
    pub async fn wait_for_held(&self, operation: &str) {
        let answer_has = || {
            let calls = control::get(&self.endpoint, &format!("/_harness/calls?key={}", self.rotctl_key));
            calls["Calls"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["Operation"] == operation && c["Fault"] == "held"))
        };
        let started = Instant::now();
        while !answer_has() {
            assert!(started.elapsed() < Duration::from_secs(20), "rotctl never reached {operation}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn role(&self) -> String {
        if let Some(arn) = self.role_arn.get() {
            return arn.clone();
        }
        let out = self
            .iam
            .create_role()
            .role_name(format!("{}-rotation", self.prefix))
            .assume_role_policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
                .to_string(),
            )
            .send()
            .await
            .expect("CreateRole");
        let arn = out.role().map(|r| r.arn().to_string()).expect("a role ARN");
        self.role_arn.get_or_init(|| arn).clone()
    }

    /// RotateSecret with `function` every `days`, then waits for the rotation
    /// to finish (the new version holds AWSCURRENT). Returns the new version.
    /// A new secret (`suffix`) rotated once by `function`, every 30 days.
    pub async fn rotated_secret(&self, suffix: &str, function: &str) -> String {
        let secret = self.secret(suffix).await;
        self.rotate(&secret, function, 30).await;
        secret
    }

    pub async fn rotate(&self, secret: &str, function: &str, days: i64) -> String {
        self.rotate_with(secret, function, days_rules(days)).await
    }

    /// As `rotate`, with any rotation rules (a schedule, a window).
    pub async fn rotate_with(
        &self,
        secret: &str,
        function: &str,
        rules: aws_sdk_secretsmanager::types::RotationRulesType,
    ) -> String {
        let succeeded_before = self.events(secret, "RotationSucceeded");
        let version = self.start_rotation_with(secret, function, rules).await;
        self.wait_for(secret, |stages| stages.get(&version).is_some_and(|s| s.contains(&"AWSCURRENT".to_string())))
            .await;
        // The label moves in finishSecret, before the rotation records its dates:
        // wait for the rotation's end, so a test's own dates are not overwritten.
        let started = Instant::now();
        while self.events(secret, "RotationSucceeded") == succeeded_before {
            assert!(started.elapsed() < Duration::from_secs(20), "the rotation of {secret} never finished");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        version
    }

    /// How many `event_name` rotation events the emulator recorded for `secret`.
    fn events(&self, secret: &str, event_name: &str) -> usize {
        let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
        events["Events"].as_array().map_or(0, |e| e.iter().filter(|e| e["eventName"] == event_name).count())
    }

    /// RotateSecret without waiting; returns the new (AWSPENDING) version.
    pub async fn start_rotation(&self, secret: &str, function: &str, days: i64) -> String {
        self.start_rotation_with(secret, function, days_rules(days)).await
    }

    async fn start_rotation_with(
        &self,
        secret: &str,
        function: &str,
        rules: aws_sdk_secretsmanager::types::RotationRulesType,
    ) -> String {
        let out = self
            .secrets
            .rotate_secret()
            .secret_id(secret)
            .rotation_lambda_arn(function)
            .rotation_rules(rules)
            .send()
            .await
            .expect("RotateSecret");
        out.version_id().expect("a version id").to_string()
    }

    /// Waits (up to 20 s) until the emulator's rotation events for `secret`
    /// include `event_name` (RotationSucceeded, RotationFailed, ...).
    pub async fn wait_for_event(&self, secret: &str, event_name: &str) {
        let started = Instant::now();
        loop {
            let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
            if events["Events"].as_array().is_some_and(|e| e.iter().any(|e| e["eventName"] == event_name)) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no {event_name} for {secret}: {events}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The secret's VersionIdsToStages as the emulator holds it.
    pub async fn stages(&self, secret: &str) -> std::collections::HashMap<String, Vec<String>> {
        let out = self.secrets.describe_secret().secret_id(secret).send().await.expect("DescribeSecret");
        out.version_ids_to_stages().cloned().unwrap_or_default()
    }

    async fn wait_for(&self, secret: &str, done: impl Fn(&std::collections::HashMap<String, Vec<String>>) -> bool) {
        let started = Instant::now();
        loop {
            let stages = self.stages(secret).await;
            if done(&stages) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{secret} did not get there: {stages:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sets dates the emulator cannot make pass (epoch seconds), through the harness.
    pub fn set_dates(&self, secret: &str, dates: Value) {
        let mut body = dates;
        body["Region"] = json!(self.region);
        body["SecretId"] = json!(secret);
        control::post(&self.endpoint, "/_harness/secret-dates", &body);
    }

    /// Makes rotctl's calls of `operation` fail; see tests/emulator/server.py `Fault`.
    /// Removes every fault this world's rotctl would meet.
    pub fn clear_faults(&self) {
        control::delete(&self.endpoint, &format!("/_harness/faults?key={}", self.rotctl_key));
    }

    /// The rotation service events (CloudTrail eventName) of a secret, oldest first.
    pub fn rotation_events(&self, secret: &str) -> Vec<String> {
        let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
        let names = events["Events"].as_array().expect("an event list").iter();
        names.map(|e| e["eventName"].as_str().unwrap_or_default().to_string()).collect()
    }

    pub fn fault(&self, spec: Value) {
        let mut body = spec;
        body["Key"] = json!(self.rotctl_key);
        control::post(&self.endpoint, "/_harness/faults", &body);
    }

    /// The calls rotctl made in this world, in order.
    pub fn calls(&self) -> Vec<Call> {
        let answer = control::get(&self.endpoint, &format!("/_harness/calls?key={}", self.rotctl_key));
        answer["Calls"]
            .as_array()
            .expect("a call list")
            .iter()
            .map(|call| Call {
                service: call["Service"].as_str().unwrap_or_default().to_string(),
                operation: call["Operation"].as_str().unwrap_or_default().to_string(),
                status: call["Status"].as_u64().unwrap_or_default(),
                injected: call["Fault"].as_str().is_some_and(|f| f != "held"),
            })
            .collect()
    }

    /// rotctl with this world's endpoint, region and credentials, and an
    /// environment otherwise empty (no profile files, no IMDS).
    pub fn rotctl(&self, args: &[&str]) -> Rotctl {
        Rotctl::new(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", &self.region)
            .env("AWS_ACCESS_KEY_ID", &self.rotctl_key)
            .env("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    }
}

/// A VPC made for a test.
pub struct Vpc {
    pub id: String,
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// One call the emulator saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub service: String,
    pub operation: String,
    pub status: u64,
    /// The harness failed or dropped this call (a fault the test asked for).
    pub injected: bool,
}

impl Call {
    /// Whether the operation can change anything in AWS.
    pub fn is_mutating(&self) -> bool {
        !reads(&self.operation)
    }
}

/// Whether an AWS operation (or IAM action name) only reads.
pub fn reads(operation: &str) -> bool {
    ["Describe", "List", "Get", "Lookup", "Filter"].iter().any(|read| operation.starts_with(read))
}

/// The version holding `label` in a VersionIdsToStages map.
pub fn holder(stages: &std::collections::HashMap<String, Vec<String>>, label: &str) -> Option<String> {
    stages.iter().find(|(_, s)| s.iter().any(|l| l == label)).map(|(id, _)| id.clone())
}

/// The mutating calls among `calls`.
pub fn mutating(calls: &[Call]) -> Vec<&str> {
    calls.iter().filter(|c| c.is_mutating()).map(|c| c.operation.as_str()).collect()
}

pub fn operations(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.operation.as_str()).collect()
}

fn days_rules(days: i64) -> aws_sdk_secretsmanager::types::RotationRulesType {
    aws_sdk_secretsmanager::types::RotationRulesType::builder().automatically_after_days(days).build()
}

fn function_zip() -> Vec<u8> {
    use std::io::Write;
    let source = std::fs::read(root().join("tests/fixtures/rotation_function.py")).expect("the fixture function");
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    archive.start_file("rotation_function.py", options).expect("zip entry");
    archive.write_all(&source).expect("zip data");
    archive.finish().expect("zip").into_inner()
}

/// A rotctl invocation being set up: "given this, run this, expect this".
pub struct Rotctl {
    command: Command,
    args: Vec<String>,
}

impl Rotctl {
    pub fn new(args: &[&str]) -> Rotctl {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rotctl"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env!("CARGO_TARGET_TMPDIR"))
            .env("AWS_CONFIG_FILE", "/nonexistent/rotctl-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/rotctl-test-credentials")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // As on this machine: a backtrace would show if rotctl ever panicked.
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null());
        Rotctl { command, args: args.iter().map(|a| a.to_string()).collect() }
    }

    /// One more argument, any bytes (non-UTF-8 included).
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Rotctl {
        self.args.push(arg.as_ref().to_string_lossy().chars().take(200).collect());
        self.command.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Rotctl {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Rotctl {
        self.command.env_remove(key);
        self
    }

    /// Starts rotctl without waiting (for tests that interrupt it).
    pub fn spawn(mut self) -> Spawned {
        let child = self.command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("starting rotctl");
        Spawned { child, args: self.args }
    }

    pub fn run(mut self) -> Run {
        let output = self.command.output().expect("running rotctl");
        Run::checked(self.args, &output)
    }

    /// Starts rotctl in a pseudo-terminal (util-linux `script`), as a person
    /// runs it: stdin and stderr are a terminal, so it may ask.
    pub fn spawn_in_terminal(self) -> Terminal {
        let quote = |arg: &std::ffi::OsStr| format!("'{}'", arg.to_string_lossy().replace('\'', "'\\''"));
        let line: Vec<String> =
            std::iter::once(self.command.get_program()).chain(self.command.get_args()).map(quote).collect();
        let mut script = Command::new("script");
        script.env_clear();
        for (key, value) in self.command.get_envs() {
            if let Some(value) = value {
                script.env(key, value);
            }
        }
        script
            .args(["-q", "-e", "-c", &format!("exec {}", line.join(" ")), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = script.spawn().expect("starting rotctl under script(1)");
        let keyboard = child.stdin.take().expect("the terminal's input");
        let mut screen = child.stdout.take().expect("the terminal's output");
        let shown = std::sync::Arc::new(Mutex::new(Vec::new()));
        let sink = shown.clone();
        std::thread::spawn(move || {
            let mut buffer = [0_u8; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut screen, &mut buffer) {
                sink.lock().expect("the screen").extend_from_slice(&buffer[..n]);
            }
        });
        Terminal { child, keyboard, shown, args: self.args }
    }
}

/// rotctl running in a pseudo-terminal.
pub struct Terminal {
    child: Child,
    keyboard: ChildStdin,
    shown: std::sync::Arc<Mutex<Vec<u8>>>,
    args: Vec<String>,
}

impl Terminal {
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.shown.lock().expect("the screen")).into_owned()
    }

    /// Waits until the terminal shows `text`.
    pub fn wait_for(&self, text: &str) {
        let started = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the terminal never showed {text:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Keys typed at the terminal (b"\x03" is Ctrl-C).
    pub fn type_keys(&mut self, keys: &[u8]) {
        use std::io::Write;
        self.keyboard.write_all(keys).expect("typing");
        self.keyboard.flush().expect("typing");
    }

    /// Waits for rotctl to end: its exit code and everything the terminal
    /// showed (stdout and stderr together), with the same checks as `run`.
    pub fn finish(mut self) -> Run {
        let status = self.child.wait().expect("waiting for rotctl");
        std::thread::sleep(Duration::from_millis(50)); // the last output
        let output =
            std::process::Output { status, stdout: self.shown.lock().expect("the screen").clone(), stderr: Vec::new() };
        Run::checked(self.args, &output)
    }
}

/// A rotctl started in the background.
pub struct Spawned {
    child: Child,
    args: Vec<String>,
}

impl Spawned {
    /// SIGKILL, as a crash or an OOM kill would end it, and what it printed.
    pub fn kill(mut self) -> Run {
        self.child.kill().expect("SIGKILL");
        self.finish()
    }

    /// SIGINT, as Ctrl-C in a terminal sends it.
    pub fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("kill -INT");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for rotctl to end; the same checks as `Rotctl::run`.
    pub fn finish(self) -> Run {
        let output = self.child.wait_with_output().expect("waiting for rotctl");
        Run::checked(self.args, &output)
    }
}

/// Where every run's stdout and stderr is kept for `scripts/test`'s
/// whole-suite scan for secret values (`docs/reliability.md`).
fn output_archive() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rotctl-output").join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("the output archive");
        dir
    })
}

/// What a rotctl run produced.
#[derive(Debug)]
pub struct Run {
    args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cut long arguments and output short: some tests pass 100,000-character values.
        let cut = |text: &str, max: usize| match text.char_indices().nth(max) {
            Some((end, _)) => format!("{}… ({} more bytes)", &text[..end], text.len() - end),
            None => text.to_string(),
        };
        let args: Vec<String> = self.args.iter().map(|a| cut(a, 120)).collect();
        write!(
            f,
            "rotctl {args:?} exited {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            cut(&self.stdout, 4000),
            cut(&self.stderr, 4000)
        )
    }
}

impl Run {
    /// Never a secret value, never a panic, whatever the test; every run's
    /// output is also archived for the whole-suite scan.
    fn checked(args: Vec<String>, output: &std::process::Output) -> Run {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let run = Run {
            args,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            std::fs::write(output_archive().join(format!("{n:05}.{stream}")), bytes).expect("archiving rotctl output");
        }
        for stream in [&run.stdout, &run.stderr] {
            assert!(!stream.contains(SECRET_MARKER), "rotctl printed a secret value:\n{run}");
            assert!(!stream.contains("panicked") && !stream.contains("stack backtrace"), "rotctl panicked:\n{run}");
        }
        run
    }

    /// Asserts the exit code; returns the run for more checks.
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(self.code, expected, "unexpected exit code:\n{self}");
        self
    }

    /// Exit 0 and nothing on stderr.
    pub fn success(self) -> Run {
        let run = self.code(0);
        assert!(run.stderr.is_empty(), "unexpected stderr:\n{run}");
        run
    }

    /// A failure: `code`, nothing on stdout, and one `rotctl: ` line on
    /// stderr that contains every one of `says`.
    pub fn fails(self, code: i32, says: &[&str]) -> Run {
        let run = self.code(code);
        assert!(run.stdout.is_empty(), "a failure printed a result:\n{run}");
        assert!(run.stderr.starts_with("rotctl: "), "the error is not `rotctl: ...`:\n{run}");
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "the error is not one line:\n{run}");
        for text in says {
            assert!(run.stderr.contains(text), "stderr does not say {text:?}:\n{run}");
        }
        run
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}
