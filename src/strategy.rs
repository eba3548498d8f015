//! What a rotation does to the target system, judged from what AWS reports
//! about the secret and its function: the label moves of `rollback` mean
//! different things for each. Pure: the function's tags are read by the caller.
//!
//! - single-user: setSecret changed one user's password in place; the database
//!   holds only the newest password, so an older version no longer logs in.
//! - alternating-users: two users take turns; the previous version's user keeps
//!   its password until the next rotation, so moving back still logs in.
//! - managed: the owning service (RDS, Redshift, ...) holds the password.
//! - unknown: a function rotctl cannot place (your own, or AWS's code deployed
//!   without the Serverless Application Repository's tags).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Secret;
use crate::templates::{self, Strategy as TemplateStrategy};

/// The tag the Serverless Application Repository puts on what it deploys.
pub(crate) const APPLICATION_TAG: &str = "serverlessrepo:applicationId";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Strategy {
    SingleUser,
    AlternatingUsers,
    Managed,
    Unknown,
}

impl Strategy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Strategy::SingleUser => "single-user",
            Strategy::AlternatingUsers => "alternating-users",
            Strategy::Managed => "managed",
            Strategy::Unknown => "unknown",
        }
    }
}

/// A strategy and where it was learned, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Judged {
    pub(crate) strategy: Strategy,
    pub(crate) source: String,
}

/// What the function's tags are, as far as the caller could read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FunctionTags {
    Read(BTreeMap<String, String>),
    /// The function does not exist.
    Missing,
    /// They could not be read (the error, in words).
    Unreadable(String),
}

/// Judges the rotation's strategy: the owning service first, then the
/// application that deployed the function (its tag, looked up in the catalogue).
pub(crate) fn judge(secret: &Secret, tags: &FunctionTags) -> Judged {
    if let Some(owner) = &secret.owning_service {
        return Judged { strategy: Strategy::Managed, source: format!("the secret's OwningService is {owner}") };
    }
    let Some(function) = secret.rotation_lambda_arn.as_deref() else {
        return Judged { strategy: Strategy::Unknown, source: "the secret has no rotation function".into() };
    };
    let tags = match tags {
        FunctionTags::Read(tags) => tags,
        FunctionTags::Missing => {
            return Judged { strategy: Strategy::Unknown, source: format!("the function {function} does not exist") };
        }
        FunctionTags::Unreadable(error) => {
            return Judged {
                strategy: Strategy::Unknown,
                source: format!("the function's tags could not be read ({error})"),
            };
        }
    };
    let Some(application) = tags.get(APPLICATION_TAG) else {
        return Judged {
            strategy: Strategy::Unknown,
            source: format!("{function} has no {APPLICATION_TAG} tag: it was not deployed from a rotation application"),
        };
    };
    let name = application.rsplit('/').next().unwrap_or(application);
    let source = format!("the function's tag {APPLICATION_TAG} = {name}");
    let strategy = match templates::CATALOGUE.iter().find(|t| t.name == name).map(|t| t.strategy) {
        Some(TemplateStrategy::SingleUser) => Strategy::SingleUser,
        Some(TemplateStrategy::AlternatingUsers) => Strategy::AlternatingUsers,
        // An application outside the catalogue, named the way AWS names them.
        None if name.ends_with("SingleUser") => Strategy::SingleUser,
        None if name.ends_with("MultiUser") => Strategy::AlternatingUsers,
        Some(TemplateStrategy::Custom) | None => Strategy::Unknown,
    };
    Judged { strategy, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret {
            name: "app/db".into(),
            rotation_lambda_arn: Some("arn:aws:lambda:us-east-1:123456789012:function:rotate".into()),
            ..Default::default()
        }
    }

    fn tagged(application: &str) -> FunctionTags {
        FunctionTags::Read(BTreeMap::from([(
            APPLICATION_TAG.to_string(),
            format!("arn:aws:serverlessrepo:us-east-1:297356227824:applications/{application}"),
        )]))
    }

    #[test]
    fn from_the_application_tag_and_the_catalogue() {
        let single = judge(&secret(), &tagged("SecretsManagerRDSPostgreSQLRotationSingleUser"));
        assert_eq!(single.strategy, Strategy::SingleUser);
        assert!(single.source.contains("SecretsManagerRDSPostgreSQLRotationSingleUser"), "{}", single.source);
        assert_eq!(
            judge(&secret(), &tagged("SecretsManagerRDSPostgreSQLRotationMultiUser")).strategy,
            Strategy::AlternatingUsers
        );
        assert_eq!(judge(&secret(), &tagged("SecretsManagerRotationTemplate")).strategy, Strategy::Unknown);
        assert_eq!(
            judge(&secret(), &tagged("SecretsManagerElastiCacheUserRotationSingleUser")).strategy,
            Strategy::SingleUser
        );
    }

    #[test]
    fn managed_first_and_unknown_says_why() {
        let mut managed = secret();
        managed.owning_service = Some("rds".into());
        assert_eq!(
            judge(&managed, &tagged("SecretsManagerRDSPostgreSQLRotationSingleUser")).strategy,
            Strategy::Managed
        );
        let untagged = judge(&secret(), &FunctionTags::Read(BTreeMap::new()));
        assert_eq!(untagged.strategy, Strategy::Unknown);
        assert!(untagged.source.contains("no serverlessrepo:applicationId tag"), "{}", untagged.source);
        assert_eq!(judge(&secret(), &FunctionTags::Missing).strategy, Strategy::Unknown);
        let denied = judge(&secret(), &FunctionTags::Unreadable("AccessDenied".into()));
        assert!(denied.source.contains("AccessDenied"), "{}", denied.source);
    }
}
