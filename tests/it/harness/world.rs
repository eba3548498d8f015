//! A World: one test's names, access keys and SDK clients, and what it seeds
//! in the emulator (secrets, rotation functions, VPCs, templates, dates).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use serde_json::{Value, json};

use super::emulator::emulator;
use super::{ACCOUNT, SECRET_MARKER, control, eventually, root};

static NEXT_WORLD: AtomicUsize = AtomicUsize::new(1);

/// One test's view of the emulator: unique names, its own access keys, and
/// SDK clients (real AWS protocols) for seeding and checking state.
pub struct World {
    pub endpoint: String,
    pub region: String,
    /// Prefix of every name this world creates: `t` and digits.
    pub prefix: String,
    /// The account its identities act in.
    pub account: String,
    pub(super) rotctl_key: String,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub rds: aws_sdk_rds::Client,
    pub sts: aws_sdk_sts::Client,
    pub organizations: aws_sdk_organizations::Client,
    iam: aws_sdk_iam::Client,
    pub kms: aws_sdk_kms::Client,
    role_arn: OnceLock<String>,
}

impl World {
    pub fn new() -> World {
        World::in_region("us-east-1")
    }

    /// A world in a region no other test uses, for whole-region listings.
    pub fn in_region(region: &str) -> World {
        let id = World::next_id();
        World::build(region, &id, &format!("AKIASEED{id:0>12}"), format!("AKIAROTCTL{id:0>10}"), ACCOUNT)
    }

    /// A world in an account of its own (a fresh account id): its seeding
    /// and rotctl act as identities in that account (access keys the
    /// emulator made there), e.g. an organization's management account.
    pub fn in_own_account(region: &str) -> World {
        let id = World::next_id();
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        let account = format!("2{digits:0>11}");
        let account = &account[account.len() - 12..];
        let endpoint = &emulator().endpoint;
        let key = |user: &str| {
            let answer =
                control::post(endpoint, "/_harness/access-key", &json!({"Account": account, "UserName": user}));
            answer["AccessKeyId"].as_str().expect("an access key").to_string()
        };
        World::build(region, &id, &key("seed"), key("rotctl"), account)
    }

    fn next_id() -> String {
        let n = NEXT_WORLD.fetch_add(1, Ordering::Relaxed);
        format!("{}{n:04}", std::process::id() % 100_000)
    }

    fn build(region: &str, id: &str, seed_key: &str, rotctl_key: String, account: &str) -> World {
        let emulator = emulator();
        let credentials = Credentials::new(seed_key, "test-secret-key", None, None, "harness");
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
            account: account.to_string(),
            secrets: client!(aws_sdk_secretsmanager),
            lambda: client!(aws_sdk_lambda),
            ec2: client!(aws_sdk_ec2),
            cloudformation: client!(aws_sdk_cloudformation),
            rds: client!(aws_sdk_rds),
            sts: client!(aws_sdk_sts),
            organizations: client!(aws_sdk_organizations),
            iam: client!(aws_sdk_iam),
            kms: client!(aws_sdk_kms),
            region,
            rotctl_key,
            role_arn: OnceLock::new(),
        }
    }

    /// Makes this world's account the management account of a new
    /// organization with `members` new accounts (each with the
    /// OrganizationAccountAccessRole AWS creates, trusting the management
    /// account). Returns the members' ids.
    pub async fn organization(&self, members: usize) -> Vec<String> {
        self.organizations
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .expect("CreateOrganization");
        let mut ids = Vec::new();
        for n in 0..members {
            let out = self
                .organizations
                .create_account()
                .account_name(format!("{}-member-{n}", self.prefix))
                .email(format!("{}-member-{n}@example.com", self.prefix))
                .send()
                .await
                .expect("CreateAccount");
            ids.push(out.create_account_status().and_then(|s| s.account_id()).expect("an account id").to_string());
        }
        ids
    }

    /// A role in `account` this world's account may assume (with
    /// `external_id`, when given), as a StackSet would put it there.
    pub fn trusted_role(&self, account: &str, name: &str, external_id: Option<&str>) {
        let body =
            json!({"Account": account, "RoleName": name, "TrustedAccount": self.account, "ExternalId": external_id});
        control::post(&self.endpoint, "/_harness/role", &body);
    }

    /// Creates a secret named `name` holding `{}` in `account` and `region`
    /// (this world's own identity in its own account, else the organization's
    /// access role); returns its ARN.
    pub async fn secret_in(&self, account: &str, region: &str, name: &str) -> String {
        let client = if account == self.account {
            let config = self.secrets.config().to_builder().region(Region::new(region.to_string())).build();
            aws_sdk_secretsmanager::Client::from_conf(config)
        } else {
            self.secrets_in(account, region).await
        };
        let out = client.create_secret().name(name).secret_string("{}").send().await.expect("CreateSecret");
        out.arn().expect("an ARN").to_string()
    }

    /// A Secrets Manager client acting in `account` (the organization's
    /// access role assumed with this world's seeding identity), in `region`.
    pub async fn secrets_in(&self, account: &str, region: &str) -> aws_sdk_secretsmanager::Client {
        let out = self
            .sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
            .role_session_name("harness-seed")
            .send()
            .await
            .expect("AssumeRole into a member account");
        let issued = out.credentials().expect("credentials");
        let credentials = Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_string()),
            None,
            "harness",
        );
        aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.to_string()))
                .endpoint_url(&self.endpoint)
                .credentials_provider(credentials)
                .build(),
        )
    }

    /// A name unique to this world.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}/{suffix}", self.prefix)
    }

    /// Creates a secret holding a JSON value with the marker; returns its ARN.
    pub async fn secret(&self, suffix: &str) -> String {
        let value = json!({"engine": "postgres", "host": "db.internal", "username": "app", "password": SECRET_MARKER});
        self.secret_with(suffix, &value).await
    }

    /// Creates a secret (`suffix`) holding `value`; returns its ARN.
    pub(super) async fn secret_with(&self, suffix: &str, value: &Value) -> String {
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
        self.let_secrets_manager_invoke(&arn).await;
        arn
    }

    /// Lets Secrets Manager invoke `function` for this account, as AWS documents it.
    pub(super) async fn let_secrets_manager_invoke(&self, function: &str) {
        self.lambda
            .add_permission()
            .function_name(function)
            .statement_id("SecretsManagerAccess")
            .action("lambda:InvokeFunction")
            .principal("secretsmanager.amazonaws.com")
            .source_account(ACCOUNT)
            .send()
            .await
            .expect("AddPermission");
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
            Err(error)
                if error.as_service_error().is_some_and(
                    aws_sdk_lambda::operation::get_policy::GetPolicyError::is_resource_not_found_exception,
                ) =>
            {
                Vec::new()
            }
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
        let code: String = source.lines().flat_map(|line| ["          ", line, "\n"]).collect();
        let permission = if grants_invoke {
            "  RotationPermission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !GetAtt RotationFunction.Arn\n      Action: lambda:InvokeFunction\n      Principal: secretsmanager.amazonaws.com\n      SourceAccount: !Ref AWS::AccountId\n"
        } else {
            ""
        };
        let template = format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nDescription: rotctl test rotation function\nParameters:\n  functionName:\n    Type: String\n\
             Resources:\n  RotationRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n\
             \x20       Statement:\n          - Effect: Allow\n            Principal: {{Service: lambda.amazonaws.com}}\n            Action: sts:AssumeRole\n\
             \x20     Policies:\n        - PolicyName: rotation\n          PolicyDocument:\n            Version: '2012-10-17'\n\
             \x20           Statement:\n              - Effect: Allow\n                Resource: '*'\n\
             \x20               Action: [secretsmanager:DescribeSecret, secretsmanager:GetSecretValue, \
             secretsmanager:PutSecretValue, secretsmanager:UpdateSecretVersionStage, secretsmanager:GetRandomPassword]\n\
             \x20 RotationFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Ref functionName\n      Runtime: python3.12\n\
             \x20     Handler: index.lambda_handler\n      Timeout: 30\n      Role: !GetAtt RotationRole.Arn\n      Code:\n        ZipFile: |\n{code}{permission}\
             Outputs:\n  RotationLambdaARN:\n    Value: !GetAtt RotationFunction.Arn\n"
        );
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}.yaml", self.prefix));
        std::fs::write(&path, template).expect("writing the template");
        path
    }

    /// The role of this world's rotation functions, with the permissions AWS's
    /// rotation templates give theirs (so `enable`'s preflight, like doctor,
    /// finds them: the emulator's Lambda does not itself check them).
    pub async fn role(&self) -> String {
        if let Some(arn) = self.role_arn.get() {
            return arn.clone();
        }
        let name = format!("{}-rotation", self.prefix);
        let out = self
            .iam
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
                .to_string(),
            )
            .send()
            .await
            .expect("CreateRole");
        let arn = out.role().map(|r| r.arn().to_string()).expect("a role ARN");
        self.put_role_policy(&name, self.rotation_permissions()).await;
        self.role_arn.get_or_init(|| arn).clone()
    }

    async fn put_role_policy(&self, role_name: &str, statements: Value) {
        self.iam
            .put_role_policy()
            .role_name(role_name)
            .policy_name("rotation")
            .policy_document(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
            .send()
            .await
            .expect("PutRolePolicy");
    }

    /// What AWS's rotation templates let their function's role do (SAM's
    /// AWSSecretsManagerRotationPolicy): the secret actions only when Secrets
    /// Manager calls for this world's functions (the condition key
    /// `secretsmanager:resource/AllowRotationLambdaArn`), and a random password.
    pub fn rotation_permissions(&self) -> Value {
        json!([
            {"Effect": "Allow", "Resource": format!("arn:aws:secretsmanager:*:{}:secret:*", self.account),
             "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
             "Condition": {"StringLike": {"secretsmanager:resource/AllowRotationLambdaArn":
                 format!("arn:aws:lambda:*:{}:function:{}-*", self.account, self.prefix)}}},
            {"Effect": "Allow", "Resource": "*", "Action": "secretsmanager:GetRandomPassword"}
        ])
    }

    /// Replaces the rotation functions' role's policy with `statements`.
    pub async fn grant_role(&self, statements: Value) {
        let role = self.role().await;
        self.put_role_policy(role.rsplit('/').next().expect("a role name"), statements).await;
    }

    /// A customer managed KMS key whose key policy is `statements`; returns its ARN.
    pub async fn key(&self, statements: Value) -> String {
        let out = self
            .kms
            .create_key()
            .policy(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
            .send()
            .await
            .expect("CreateKey");
        out.key_metadata().and_then(|m| m.arn()).expect("a key ARN").to_string()
    }

    /// A new secret (`suffix`) holding `value`, encrypted with `key` (when given).
    pub async fn secret_with_key(&self, suffix: &str, value: &Value, key: Option<&str>) -> String {
        let out = self
            .secrets
            .create_secret()
            .name(self.name(suffix))
            .secret_string(value.to_string())
            .set_kms_key_id(key.map(str::to_string))
            .send()
            .await
            .expect("CreateSecret");
        out.arn().expect("an ARN").to_string()
    }

    /// A NAT gateway in the VPC's second subnet, and the VPC's main route
    /// table's default route through it.
    pub async fn nat_route(&self, vpc: &Vpc) {
        let address = self.ec2.allocate_address().send().await.expect("AllocateAddress");
        let nat = self
            .ec2
            .create_nat_gateway()
            .subnet_id(&vpc.subnets[1])
            .allocation_id(address.allocation_id().expect("an allocation"))
            .send()
            .await
            .expect("CreateNatGateway");
        let nat = nat.nat_gateway().and_then(|n| n.nat_gateway_id()).expect("a NAT id").to_string();
        let tables = self
            .ec2
            .describe_route_tables()
            .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc.id).build())
            .send()
            .await
            .expect("DescribeRouteTables");
        let main = tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
            .and_then(|t| t.route_table_id())
            .expect("the main route table")
            .to_string();
        self.ec2
            .create_route()
            .route_table_id(main)
            .destination_cidr_block("0.0.0.0/0")
            .nat_gateway_id(nat)
            .send()
            .await
            .expect("CreateRoute");
    }

    /// A new secret (`suffix`) rotated once by `function`, every 30 days.
    pub async fn rotated_secret(&self, suffix: &str, function: &str) -> String {
        let secret = self.secret(suffix).await;
        self.rotate(&secret, function, 30).await;
        secret
    }

    /// RotateSecret with `function` every `days`, then waits for the rotation
    /// to finish (the new version holds AWSCURRENT). Returns the new version.
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
        self.wait_for_current(secret, &version).await;
        // The label moves in finishSecret, before the rotation records its dates:
        // wait for the rotation's end, so a test's own dates are not overwritten.
        eventually(format!("the rotation of {secret} to finish"), async || {
            match self.events(secret, "RotationSucceeded") {
                succeeded if succeeded != succeeded_before => Ok(()),
                succeeded => Err(format!("{succeeded} RotationSucceeded events, as before it started")),
            }
        })
        .await;
        version
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

    /// A secret another AWS service owns (`OwningService`), as RDS creates
    /// one for ManageMasterUserPassword; returns its ARN.
    pub fn managed_secret(&self, service: &str, name: &str) -> String {
        let body = json!({"Region": self.region, "Name": name, "Service": service});
        let answer = control::post(&self.endpoint, "/_harness/managed-secret", &body);
        answer["ARN"].as_str().expect("an ARN").to_string()
    }

    /// A DB instance (or, `cluster`, an Aurora cluster) whose master password
    /// RDS manages, as CreateDBInstance ManageMasterUserPassword=true makes
    /// it: returns the resource's ARN and the `rds!…` secret RDS created.
    pub async fn managed_database(&self, suffix: &str, cluster: bool) -> (String, String) {
        let id = self.name(suffix).to_lowercase().replace(['/', '_'], "-");
        let (arn, secret) = if cluster {
            let out = self
                .rds
                .create_db_cluster()
                .db_cluster_identifier(&id)
                .engine("aurora-postgresql")
                .master_username("postgres")
                .manage_master_user_password(true)
                .send()
                .await
                .expect("CreateDBCluster");
            let db = out.db_cluster().expect("a cluster");
            (
                db.db_cluster_arn().map(str::to_string),
                db.master_user_secret().and_then(|m| m.secret_arn().map(str::to_string)),
            )
        } else {
            let out = self
                .rds
                .create_db_instance()
                .db_instance_identifier(&id)
                .engine("postgres")
                .db_instance_class("db.t3.micro")
                .allocated_storage(20)
                .master_username("postgres")
                .manage_master_user_password(true)
                .send()
                .await
                .expect("CreateDBInstance");
            let db = out.db_instance().expect("an instance");
            (
                db.db_instance_arn().map(str::to_string),
                db.master_user_secret().and_then(|m| m.secret_arn().map(str::to_string)),
            )
        };
        (arn.expect("the resource's ARN"), secret.expect("RDS made a secret"))
    }

    /// What RDS says of a managed secret (`MasterUserSecret.SecretStatus`) as
    /// the emulator holds it.
    pub async fn owner_status(&self, db_arn: &str) -> String {
        let id = db_arn.rsplit(':').next().expect("an id");
        let master = if db_arn.contains(":cluster:") {
            let out =
                self.rds.describe_db_clusters().db_cluster_identifier(id).send().await.expect("DescribeDBClusters");
            out.db_clusters()[0].master_user_secret().cloned()
        } else {
            let out =
                self.rds.describe_db_instances().db_instance_identifier(id).send().await.expect("DescribeDBInstances");
            out.db_instances()[0].master_user_secret().cloned()
        };
        master.and_then(|m| m.secret_status().map(str::to_string)).expect("a SecretStatus")
    }

    /// The owner loses (`impaired`) or regains (`active`) access to its secret:
    /// nothing in the emulator can cause that (harness control).
    pub fn set_owner_status(&self, secret: &str, status: &str) {
        let body = json!({"Region": self.region, "SecretId": secret, "Status": status});
        control::post(&self.endpoint, "/_harness/owner-status", &body);
    }

    /// Waits until the version holding `stage` has a value (a rotation's
    /// createSecret has put it).
    pub async fn wait_for_value(&self, secret: &str, stage: &str) {
        eventually(format!("{stage} of {secret} to have a value"), async || {
            let read = self.secrets.get_secret_value().secret_id(secret).version_stage(stage).send().await;
            read.map(|_| ()).map_err(|e| format!("{e:?}"))
        })
        .await;
    }

    /// The secret's VersionIdsToStages as the emulator holds it.
    pub async fn stages(&self, secret: &str) -> std::collections::HashMap<String, Vec<String>> {
        let out = self.secrets.describe_secret().secret_id(secret).send().await.expect("DescribeSecret");
        out.version_ids_to_stages().cloned().unwrap_or_default()
    }

    /// Waits until `version` of `secret` holds AWSCURRENT (a rotation moved it there).
    pub async fn wait_for_current(&self, secret: &str, version: &str) {
        eventually(format!("version {version} of {secret} to hold AWSCURRENT"), async || {
            let stages = self.stages(secret).await;
            if holder(&stages, "AWSCURRENT").as_deref() == Some(version) {
                return Ok(());
            }
            Err(format!("{stages:?}"))
        })
        .await;
    }

    /// Sets dates the emulator cannot make pass (epoch seconds), through the harness.
    pub fn set_dates(&self, secret: &str, dates: Value) {
        let mut body = dates;
        body["Region"] = json!(self.region);
        body["SecretId"] = json!(secret);
        control::post(&self.endpoint, "/_harness/secret-dates", &body);
    }
}

/// A VPC made for a test.
pub struct Vpc {
    pub id: String,
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// The 6 hex digits rotctl puts in the names it derives for a secret
/// (`prod/db` → `prod-db-<tag>`; `derived_name_for` in
/// src/commands/enable/plan.rs): the low 24 bits of the 64-bit FNV-1a hash
/// of the secret's ARN, which ends in characters AWS picks at random.
/// Written out here rather than taken from rotctl, so a test states the
/// name it expects.
pub fn arn_tag(arn: &str) -> String {
    let fnv1a = arn
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    format!("{:06x}", fnv1a & 0xff_ffff)
}

/// The version holding `label` in a VersionIdsToStages map.
pub fn holder(stages: &std::collections::HashMap<String, Vec<String>>, label: &str) -> Option<String> {
    stages.iter().find(|(_, s)| s.iter().any(|l| l == label)).map(|(id, _)| id.clone())
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
