//! The AWS rotation applications in the Serverless Application Repository
//! that `enable --template` deploys, and the CloudFormation template rotctl
//! generates to deploy one (as AWS CDK does).
//!
//! Names, owner accounts and pinned versions: AWS CDK
//! `aws-secretsmanager/lib/secret-rotation.ts` (SecretRotationApplication)
//! and the archived Secrets Manager user guide; secret keys: each template's
//! `lambda_function.py` in aws-samples/aws-secrets-manager-rotation-lambdas.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Strategy {
    /// One user whose password is changed in place.
    SingleUser,
    /// Two users (the second is `<username>_clone`), alternated by a master secret.
    AlternatingUsers,
    /// The generic template: you write the four steps.
    Custom,
}

/// One rotation application.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RotationTemplate {
    /// rotctl's short name (`--template postgres-single`).
    pub short_name: &'static str,
    /// The application's name in the Serverless Application Repository.
    pub name: &'static str,
    pub engine: &'static str,
    pub strategy: Strategy,
    /// The version AWS CDK pins; None where no version is pinned anywhere.
    pub semantic_version: Option<&'static str>,
    /// Keys the secret's JSON must have for the template's function to work.
    pub required_keys: &'static [&'static str],
}

impl RotationTemplate {
    pub(crate) fn is_multi_user(&self) -> bool {
        self.strategy == Strategy::AlternatingUsers
    }

    /// The application's ARN in the partition of `region`.
    pub(crate) fn application_arn(&self, region: &str) -> String {
        let (partition, home, owner) = match partition(region) {
            "aws-cn" => ("aws-cn", "cn-north-1", "193023089310"),
            "aws-us-gov" => ("aws-us-gov", "us-gov-west-1", "023102451235"),
            _ => ("aws", "us-east-1", "297356227824"),
        };
        format!("arn:{partition}:serverlessrepo:{home}:{owner}:applications/{}", self.name)
    }
}

pub(crate) use crate::arn::partition;

const DB: &[&str] = &["engine", "host", "username", "password"];
const DB_MULTI: &[&str] = &["engine", "host", "username", "password", "masterarn"];

macro_rules! template {
    ($short:literal, $name:literal, $engine:literal, $strategy:ident, $version:expr, $keys:expr) => {
        RotationTemplate {
            short_name: $short,
            name: $name,
            engine: $engine,
            strategy: Strategy::$strategy,
            semantic_version: $version,
            required_keys: $keys,
        }
    };
}

/// Every rotation application `--template` accepts.
pub(crate) const CATALOGUE: &[RotationTemplate] = &[
    template!(
        "mariadb-single",
        "SecretsManagerRDSMariaDBRotationSingleUser",
        "mariadb",
        SingleUser,
        Some("1.1.670"),
        DB
    ),
    template!(
        "mariadb-multi",
        "SecretsManagerRDSMariaDBRotationMultiUser",
        "mariadb",
        AlternatingUsers,
        Some("1.1.670"),
        DB_MULTI
    ),
    template!("mysql-single", "SecretsManagerRDSMySQLRotationSingleUser", "mysql", SingleUser, Some("1.1.671"), DB),
    template!(
        "mysql-multi",
        "SecretsManagerRDSMySQLRotationMultiUser",
        "mysql",
        AlternatingUsers,
        Some("1.1.671"),
        DB_MULTI
    ),
    template!(
        "oracle-single",
        "SecretsManagerRDSOracleRotationSingleUser",
        "oracle",
        SingleUser,
        Some("1.1.671"),
        &["engine", "host", "username", "password", "dbname"]
    ),
    template!(
        "oracle-multi",
        "SecretsManagerRDSOracleRotationMultiUser",
        "oracle",
        AlternatingUsers,
        Some("1.1.671"),
        &["engine", "host", "username", "password", "dbname", "masterarn"]
    ),
    template!(
        "postgres-single",
        "SecretsManagerRDSPostgreSQLRotationSingleUser",
        "postgres",
        SingleUser,
        Some("1.1.671"),
        DB
    ),
    template!(
        "postgres-multi",
        "SecretsManagerRDSPostgreSQLRotationMultiUser",
        "postgres",
        AlternatingUsers,
        Some("1.1.671"),
        DB_MULTI
    ),
    template!(
        "sqlserver-single",
        "SecretsManagerRDSSQLServerRotationSingleUser",
        "sqlserver",
        SingleUser,
        Some("1.1.670"),
        DB
    ),
    template!(
        "sqlserver-multi",
        "SecretsManagerRDSSQLServerRotationMultiUser",
        "sqlserver",
        AlternatingUsers,
        Some("1.1.671"),
        DB_MULTI
    ),
    // Db2's single-user function also reads the master secret.
    template!("db2-single", "SecretsManagerRDSDb2RotationSingleUser", "db2", SingleUser, Some("1.1.271"), DB_MULTI),
    template!("db2-multi", "SecretsManagerRDSDb2RotationMultiUser", "db2", AlternatingUsers, Some("1.1.272"), DB_MULTI),
    template!(
        "redshift-single",
        "SecretsManagerRedshiftRotationSingleUser",
        "redshift",
        SingleUser,
        Some("1.1.671"),
        DB
    ),
    template!(
        "redshift-multi",
        "SecretsManagerRedshiftRotationMultiUser",
        "redshift",
        AlternatingUsers,
        Some("1.1.671"),
        DB_MULTI
    ),
    template!("mongodb-single", "SecretsManagerMongoDBRotationSingleUser", "mongo", SingleUser, Some("1.1.671"), DB),
    template!(
        "mongodb-multi",
        "SecretsManagerMongoDBRotationMultiUser",
        "mongo",
        AlternatingUsers,
        Some("1.1.671"),
        DB_MULTI
    ),
    template!("generic", "SecretsManagerRotationTemplate", "any", Custom, None, &[]),
];

/// Finds a template by short name or application name (any case).
pub(crate) fn find(name: &str) -> Result<&'static RotationTemplate, String> {
    CATALOGUE.iter().find(|t| t.short_name.eq_ignore_ascii_case(name) || t.name.eq_ignore_ascii_case(name)).ok_or_else(
        || {
            format!(
                "there is no rotation template {} (`rotctl templates` lists them, e.g. postgres-single)",
                crate::error::shown(name)
            )
        },
    )
}

/// What the generated stack is given, beyond the template itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TemplateParameters {
    pub function_name: String,
    pub endpoint: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub kms_key_arn: Option<String>,
    pub exclude_characters: Option<String>,
    pub master_secret_arn: Option<String>,
    pub master_secret_kms_key_arn: Option<String>,
}

impl TemplateParameters {
    /// The SAR template's parameters, by their names there; empty ones left out.
    pub(crate) fn by_name(&self) -> BTreeMap<&'static str, String> {
        let mut parameters =
            BTreeMap::from([("endpoint", self.endpoint.clone()), ("functionName", self.function_name.clone())]);
        if !self.subnet_ids.is_empty() {
            parameters.insert("vpcSubnetIds", self.subnet_ids.join(","));
            parameters.insert("vpcSecurityGroupIds", self.security_group_ids.join(","));
        }
        let optional = [
            ("kmsKeyArn", &self.kms_key_arn),
            ("excludeCharacters", &self.exclude_characters),
            ("masterSecretArn", &self.master_secret_arn),
            ("masterSecretKmsKeyArn", &self.master_secret_kms_key_arn),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                parameters.insert(name, value.clone());
            }
        }
        parameters
    }
}

/// The logical id of the application resource in the generated template.
pub(crate) const APPLICATION_RESOURCE: &str = "RotationApplication";

/// The CloudFormation template that deploys `template` from the Serverless
/// Application Repository, the way AWS CDK's SecretRotation does: one
/// AWS::Serverless::Application, and its RotationLambdaARN as output.
/// Deterministic: the same inputs give the same text, so a re-run can tell
/// the deployed stack is already what it would deploy.
pub(crate) fn stack_template(
    template: &RotationTemplate,
    version: &str,
    region: &str,
    parameters: &TemplateParameters,
) -> String {
    let body = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Secrets Manager rotation function {} {version}, deployed by rotctl", template.name),
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            APPLICATION_RESOURCE: {
                "Type": "AWS::Serverless::Application",
                "Properties": {
                    "Location": {"ApplicationId": template.application_arn(region), "SemanticVersion": version},
                    "Parameters": parameters.by_name(),
                },
            },
        },
        "Outputs": {
            "RotationLambdaARN": {
                "Description": "The rotation function",
                "Value": {"Fn::GetAtt": [APPLICATION_RESOURCE, "Outputs.RotationLambdaARN"]},
            },
        },
    });
    serde_json::to_string_pretty(&body).unwrap_or_default()
}

/// The capabilities the generated stack acknowledges: the application makes
/// an IAM role (CAPABILITY_IAM) and is expanded by the Serverless transform
/// (CAPABILITY_AUTO_EXPAND). CAPABILITY_RESOURCE_POLICY, which the
/// applications list, is the Serverless Application Repository's own
/// acknowledgement for its CreateCloudFormationChangeSet API; CloudFormation's
/// CreateChangeSet does not accept it (its Capability enum has IAM,
/// NAMED_IAM and AUTO_EXPAND only).
pub(crate) const SAR_CAPABILITIES: &[&str] = &["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"];

/// The Secrets Manager endpoint the function calls (the template's `endpoint`).
pub(crate) fn secretsmanager_endpoint(region: &str) -> String {
    let suffix = if partition(region) == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://secretsmanager.{region}.{suffix}")
}

/// The keys of `value` (a secret's JSON) that `template` needs and it lacks.
/// Takes the parsed value and returns only key names: never a value.
pub(crate) fn missing_keys(template: &RotationTemplate, value: &Value) -> Result<Vec<&'static str>, String> {
    let Some(object) = value.as_object() else {
        return Err("the secret's value is not a JSON object, which rotation templates read".into());
    };
    Ok(template.required_keys.iter().copied().filter(|key| !object.contains_key(*key)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_has_single_and_multi_user() {
        for engine in ["mariadb", "mysql", "oracle", "postgres", "sqlserver", "db2", "redshift", "mongo"] {
            let strategies: Vec<Strategy> =
                CATALOGUE.iter().filter(|t| t.engine == engine).map(|t| t.strategy).collect();
            assert_eq!(strategies, [Strategy::SingleUser, Strategy::AlternatingUsers], "{engine}");
        }
        assert!(CATALOGUE.iter().all(|t| !t.is_multi_user() || t.required_keys.contains(&"masterarn")));
    }

    #[test]
    fn application_arns_per_partition() {
        let postgres = find("postgres-single").expect("in the catalogue");
        assert_eq!(
            postgres.application_arn("eu-west-1"),
            "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser"
        );
        assert!(
            postgres
                .application_arn("cn-northwest-1")
                .starts_with("arn:aws-cn:serverlessrepo:cn-north-1:193023089310:")
        );
        assert!(
            postgres
                .application_arn("us-gov-east-1")
                .starts_with("arn:aws-us-gov:serverlessrepo:us-gov-west-1:023102451235:")
        );
        assert_eq!(secretsmanager_endpoint("cn-north-1"), "https://secretsmanager.cn-north-1.amazonaws.com.cn");
    }

    #[test]
    fn names_are_found_by_short_or_full_name() {
        assert_eq!(find("SecretsManagerRDSMySQLRotationMultiUser").map(|t| t.short_name), Ok("mysql-multi"));
        assert_eq!(find("MYSQL-MULTI").map(|t| t.name), Ok("SecretsManagerRDSMySQLRotationMultiUser"));
        assert!(find("cassandra").is_err_and(|e| e.contains("rotctl templates")));
    }

    #[test]
    fn the_generated_template_is_a_sar_application_with_its_output() {
        let template = find("postgres-multi").expect("in the catalogue");
        let parameters = TemplateParameters {
            function_name: "app-db-rotation".into(),
            endpoint: secretsmanager_endpoint("eu-west-1"),
            subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
            security_group_ids: vec!["sg-1".into()],
            master_secret_arn: Some("arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf".into()),
            ..Default::default()
        };
        let text = stack_template(template, "1.1.671", "eu-west-1", &parameters);
        assert_eq!(text, stack_template(template, "1.1.671", "eu-west-1", &parameters), "deterministic");
        let body: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(body["Transform"], "AWS::Serverless-2016-10-31");
        let application = &body["Resources"][APPLICATION_RESOURCE];
        assert_eq!(application["Type"], "AWS::Serverless::Application");
        assert_eq!(application["Properties"]["Location"]["SemanticVersion"], "1.1.671");
        assert_eq!(
            application["Properties"]["Parameters"],
            json!({"endpoint": "https://secretsmanager.eu-west-1.amazonaws.com", "functionName": "app-db-rotation",
                   "vpcSubnetIds": "subnet-1,subnet-2", "vpcSecurityGroupIds": "sg-1",
                   "masterSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf"})
        );
        assert_eq!(
            body["Outputs"]["RotationLambdaARN"]["Value"]["Fn::GetAtt"],
            json!([APPLICATION_RESOURCE, "Outputs.RotationLambdaARN"])
        );
    }

    #[test]
    fn missing_keys_are_named_never_valued() {
        let template = find("oracle-single").expect("in the catalogue");
        let value = json!({"engine": "oracle", "host": "h", "username": "u", "password": "s3cret"});
        assert_eq!(missing_keys(template, &value), Ok(vec!["dbname"]));
        assert!(missing_keys(template, &json!("just a string")).is_err_and(|e| !e.contains("just a string")));
    }
}
