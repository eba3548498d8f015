//! Pure logic about managed secrets: which service owns a secret and which of
//! its resources, what that owner's default schedule is, and how rotctl may
//! rotate it now. Plain data in, plain data out; no AWS.
//!
//! Sources: Secrets Manager `OwningService` and the tag
//! `aws:secretsmanager:owningService`; RDS tags its master-user secrets with
//! `aws:rds:primaryDBInstanceArn` or `aws:rds:primaryDBClusterArn` (the AWS
//! CLI `list-secrets` example; a live check in floci-io/floci#2378).

use crate::model::{Owner, Secret};

/// The tag AWS puts on every managed secret, naming its owner.
pub(crate) const SERVICE_TAG: &str = "aws:secretsmanager:owningService";
/// The tags RDS (and DocumentDB, which shares its API) put on a master-user secret.
pub(crate) const INSTANCE_TAG: &str = "aws:rds:primaryDBInstanceArn";
pub(crate) const CLUSTER_TAG: &str = "aws:rds:primaryDBClusterArn";

/// `SecretStatus` RDS reports when it can no longer rotate the secret.
pub(crate) const IMPAIRED: &str = "impaired";

/// The owner of a managed secret, from its metadata; None for a secret
/// nobody owns. `SecretStatus` and `KmsKeyId` are the owner's to say: the
/// caller fills them from the owner's own API.
pub(crate) fn of(secret: &Secret) -> Option<Owner> {
    let tag = |key: &str| secret.tags.iter().find(|t| t.key == key).map(|t| t.value.clone());
    let service = secret.owning_service.clone().or_else(|| tag(SERVICE_TAG))?;
    let resource = tag(INSTANCE_TAG).or_else(|| tag(CLUSTER_TAG));
    Some(Owner { service, resource, secret_status: None, kms_key_id: None })
}

/// An RDS (or DocumentDB) DB instance or cluster, from its ARN
/// (`arn:<partition>:rds:<region>:<account>:db:<id>` or `…:cluster:<id>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RdsResource {
    pub(crate) kind: RdsKind,
    pub(crate) id: String,
    pub(crate) region: String,
    pub(crate) arn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RdsKind {
    Instance,
    Cluster,
}

impl RdsKind {
    /// What the RDS API calls it, for messages.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RdsKind::Instance => "DB instance",
            RdsKind::Cluster => "DB cluster",
        }
    }
}

impl RdsResource {
    pub(crate) fn parse(arn: &str) -> Option<RdsResource> {
        let parts: Vec<&str> = arn.splitn(7, ':').collect();
        let [prefix, _partition, service, region, _account, kind, id] = parts[..] else { return None };
        if prefix != "arn" || service != "rds" || region.is_empty() || id.is_empty() {
            return None;
        }
        let kind = match kind {
            "db" => RdsKind::Instance,
            "cluster" => RdsKind::Cluster,
            _ => return None,
        };
        Some(RdsResource { kind, id: id.to_string(), region: region.to_string(), arn: arn.to_string() })
    }
}

/// The RDS resource that owns a managed secret, when RDS (or DocumentDB) owns it.
pub(crate) fn rds_resource(owner: &Owner) -> Option<RdsResource> {
    owner.resource.as_deref().and_then(RdsResource::parse)
}

/// The schedule an owner gives its secrets until someone changes it, as AWS
/// documents it: RDS/Aurora (and DocumentDB) every 7 days (RDS User Guide,
/// rds-secrets-manager), Redshift every 30 days (Redshift management guide,
/// redshift-secrets-manager-integration).
pub(crate) fn default_schedule(service: &str) -> Option<&'static str> {
    match service {
        "rds" | "docdb" => Some("every 7 days"),
        "redshift" => Some("every 30 days"),
        _ => None,
    }
}

/// The owner's name as people know it.
pub(crate) fn display(service: &str) -> String {
    match service {
        "rds" => "Amazon RDS".to_string(),
        "docdb" => "Amazon DocumentDB".to_string(),
        "redshift" => "Amazon Redshift".to_string(),
        "ecs-sc" => "Amazon ECS Service Connect".to_string(),
        other => format!("the service `{other}`"),
    }
}

/// How a managed secret is rotated now: through its RDS resource, or a
/// refusal (why, and the way that works) naming the owner's own way.
pub(crate) fn rotate_route(owner: &Owner) -> Result<RdsResource, (String, String)> {
    if let Some(resource) = rds_resource(owner) {
        return Ok(resource);
    }
    let who = display(&owner.service);
    Err(match owner.service.as_str() {
        "rds" | "docdb" => (
            format!(
                "{who} owns this secret but it names no DB instance or cluster (tag {INSTANCE_TAG} or {CLUSTER_TAG})"
            ),
            "rotate it from the database: aws rds modify-db-instance (or modify-db-cluster) \
             --rotate-master-user-password --apply-immediately"
                .to_string(),
        ),
        _ => (
            format!(
                "{who} owns this secret and rotates it on its own schedule; AWS documents no way for another tool \
                 to rotate it now"
            ),
            format!("change when it rotates with rotctl schedule, or rotate it from {who} itself"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tag;

    fn tagged(tags: &[(&str, &str)]) -> Secret {
        Secret {
            name: "rds!db-1".into(),
            tags: tags.iter().map(|(k, v)| Tag { key: (*k).into(), value: (*v).into() }).collect(),
            ..Secret::default()
        }
    }

    #[test]
    fn the_owner_comes_from_owning_service_or_its_tag_and_the_resource_from_rds_tags() {
        let db = "arn:aws:rds:us-east-1:123456789012:db:orders";
        let secret = Secret { owning_service: Some("rds".into()), ..tagged(&[(INSTANCE_TAG, db)]) };
        let owner = of(&secret).expect("owned");
        assert_eq!((owner.service.as_str(), owner.resource.as_deref()), ("rds", Some(db)));
        let by_tag = of(&tagged(&[(SERVICE_TAG, "redshift")])).expect("owned by its tag");
        assert_eq!((by_tag.service.as_str(), by_tag.resource), ("redshift", None));
        assert_eq!(of(&tagged(&[("team", "x")])), None, "nobody owns an ordinary secret");
    }

    #[test]
    fn rds_arns() {
        let cluster = RdsResource::parse("arn:aws:rds:eu-west-1:123456789012:cluster:aurora-1").expect("a cluster");
        assert_eq!(
            (cluster.kind, cluster.id.as_str(), cluster.region.as_str()),
            (RdsKind::Cluster, "aurora-1", "eu-west-1")
        );
        let db = RdsResource::parse("arn:aws-us-gov:rds:us-gov-west-1:123456789012:db:pg").expect("an instance");
        assert_eq!((db.kind, db.id.as_str()), (RdsKind::Instance, "pg"));
        for bad in
            ["", "arn:aws:rds:us-east-1:1:snapshot:s", "arn:aws:ec2:us-east-1:1:db:x", "arn:aws:rds:us-east-1:1:db:"]
        {
            assert_eq!(RdsResource::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rotating_now_goes_through_rds_or_is_refused_naming_the_owner() {
        let db = Owner {
            service: "rds".into(),
            resource: Some("arn:aws:rds:us-east-1:1:db:pg".into()),
            secret_status: None,
            kms_key_id: None,
        };
        assert_eq!(rotate_route(&db).expect("through RDS").id, "pg");
        let redshift = Owner { service: "redshift".into(), resource: None, ..db.clone() };
        let (why, fix) = rotate_route(&redshift).expect_err("refused");
        assert!(why.contains("Amazon Redshift") && fix.contains("rotctl schedule"), "{why} / {fix}");
        let unnamed = Owner { resource: None, ..db };
        assert!(rotate_route(&unnamed).expect_err("refused").1.contains("--rotate-master-user-password"));
        assert_eq!(default_schedule("rds"), Some("every 7 days"));
        assert_eq!(default_schedule("events"), None);
    }
}
