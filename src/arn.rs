//! Parsing what users type as a secret or function identifier, before any
//! AWS call, so a typo is exit 2 with the fix rather than an AWS error.

use crate::error::shown;

use std::fmt;

/// A secret as named on the command line: a name, or a full ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretId {
    Name(String),
    Arn(Arn),
}

/// The parts of an ARN rotctl checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
    text: String,
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const PARTITIONS: &[&str] =
    &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

impl Arn {
    /// `arn:partition:service:region:account:resource`, each part checked.
    pub fn parse(text: &str) -> Result<Arn, String> {
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [prefix, partition_name, service, region, account, resource] = parts[..] else {
            return Err(format!(
                "{} is not an ARN (expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
                shown(text)
            ));
        };
        if prefix != "arn" {
            return Err(format!("{} is not an ARN (it must start with arn:)", shown(text)));
        }
        if !PARTITIONS.contains(&partition_name) {
            return Err(format!(
                "{} has an unknown partition {} (aws, aws-cn or aws-us-gov)",
                shown(text),
                shown(partition_name)
            ));
        }
        let region_shaped =
            region.len() <= 32 && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_shaped {
            return Err(format!("{} has no valid region (correct the ARN: a region such as us-east-1)", shown(text)));
        }
        if !region.is_empty() && partition(region) != partition_name {
            return Err(format!(
                "{} is in partition {partition_name}, but its region {region} is in {} (correct the ARN)",
                shown(text),
                partition(region)
            ));
        }
        if service.is_empty() || !service.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(format!(
                "{} has no valid service name (correct the ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
                shown(text)
            ));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{} has no 12-digit account id (correct the ARN: the account is the 12 digits after the region)",
                shown(text)
            ));
        }
        if resource.is_empty() {
            return Err(format!(
                "{} names no resource (correct the ARN: it ends in the resource, e.g. secret:NAME)",
                shown(text)
            ));
        }
        Ok(Arn {
            partition: partition_name.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
            text: text.into(),
        })
    }
}

/// Secret names: 1-512 characters of letters, digits and /_+=.@-
/// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html),
/// and `!`, which only the names AWS services give the secrets they own carry
/// (`rds!db-…`, `redshift!cluster-…`, `events!connection/…`).
fn valid_secret_name(name: &str) -> bool {
    (1..=512).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-!".contains(&b))
}

impl SecretId {
    /// A secret name or ARN, checked against `region` (Secrets Manager
    /// answers for a secret only in the secret's own region).
    pub fn parse(text: &str, region: &str) -> Result<SecretId, String> {
        if text.starts_with("arn:") {
            let arn = Arn::parse(text)?;
            if arn.service != "secretsmanager" || !arn.resource.starts_with("secret:") {
                return Err(format!(
                    "{} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)",
                    shown(text)
                ));
            }
            if !valid_secret_name(&arn.resource["secret:".len()..]) {
                return Err(format!(
                    "{} does not end in a valid secret name (correct the ARN: secret:NAME, name of letters, digits and /_+=.@-)",
                    shown(text)
                ));
            }
            if arn.region != region {
                return Err(format!(
                    "{} is a secret in {}, but rotctl is working in {region} (pass --region {})",
                    shown(text),
                    arn.region,
                    arn.region
                ));
            }
            return Ok(SecretId::Arn(arn));
        }
        if valid_secret_name(text) {
            Ok(SecretId::Name(text.into()))
        } else if text.is_empty() {
            Err("the secret name is empty (name a secret, or pass its ARN)".into())
        } else {
            Err(format!(
                "{} is not a valid secret name (names are 1-512 letters, digits and /_+=.@- characters; or pass the ARN)",
                shown(text)
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            SecretId::Name(name) => name,
            SecretId::Arn(arn) => &arn.text,
        }
    }
}

/// The AWS partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    const BY_PREFIX: &[(&str, &str)] = &[
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-isof-", "aws-iso-f"),
        ("eusc-", "aws-eusc"),
    ];
    BY_PREFIX.iter().find(|(prefix, _)| region.starts_with(prefix)).map_or("aws", |(_, partition)| partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arns() {
        assert_eq!(
            SecretId::parse("prod/db-main_1+x=y.z@w", "us-east-1"),
            Ok(SecretId::Name("prod/db-main_1+x=y.z@w".into()))
        );
        let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
        assert_eq!(SecretId::parse(arn, "us-east-1").map(|s| s.as_str().to_string()), Ok(arn.to_string()));
    }

    #[test]
    fn bad_names_say_why() {
        for (input, says) in [
            ("", "empty"),
            ("has space", "not a valid secret name"),
            ("semi;colon", "not a valid secret name"),
            ("$(reboot)", "not a valid secret name"),
            ("arn:aws:secretsmanager:us-east-1:123456789012", "not an ARN"),
            ("arn:aws:lambda:us-east-1:123456789012:function:f", "not a Secrets Manager secret ARN"),
            ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x", "pass --region eu-west-1"),
            ("arn:awz:secretsmanager:us-east-1:123456789012:secret:x", "unknown partition"),
            ("arn:aws:secretsmanager:us-east-1:1234:secret:x", "12-digit account"),
        ] {
            let error = SecretId::parse(input, "us-east-1").expect_err(input);
            assert!(error.contains(says), "{input:?}: {error}");
        }
        let long = "x".repeat(513);
        let error = SecretId::parse(&long, "us-east-1").expect_err("too long");
        assert!(error.len() < 300, "a huge input gives a short message: {error}");
    }
}
