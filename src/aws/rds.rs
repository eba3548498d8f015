//! Amazon RDS (and DocumentDB, which answers the same API for its clusters):
//! what the owner of a managed secret says of it (`MasterUserSecret`), and
//! rotating the secret through its owner.
//!
//! Cost: one DescribeDBInstances and one DescribeDBClusters per region and
//! per 100 owners (a filter on their ARNs), whatever the number of secrets;
//! none when no secret read is owned by RDS.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_rds::types::{Filter, MasterUserSecret};

use super::Clients;
use super::error::explain;
use crate::error::Result;
use crate::model::Owner;
use crate::owner::{self, RdsKind, RdsResource};

/// Owners named in one filter: RDS answers at most 100 records a page.
const PER_CALL: usize = 100;

/// What RDS says of the master-user secret of one DB instance or cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MasterSecret {
    pub(crate) secret_arn: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) kms_key_id: Option<String>,
}

impl From<&MasterUserSecret> for MasterSecret {
    fn from(m: &MasterUserSecret) -> MasterSecret {
        MasterSecret {
            secret_arn: m.secret_arn().map(str::to_string),
            status: m.secret_status().map(str::to_string),
            kms_key_id: m.kms_key_id().map(str::to_string),
        }
    }
}

/// The owners' `MasterUserSecret`s by resource ARN, for every owner that is an
/// RDS resource, read in batches (per region and kind). A resource that no
/// longer exists is absent from the answer.
pub(crate) async fn master_secrets<'a>(
    clients: &Clients,
    owners: impl IntoIterator<Item = &'a Owner>,
) -> Result<BTreeMap<String, MasterSecret>> {
    let resources: BTreeSet<RdsResource> = owners.into_iter().filter_map(owner::rds_resource).collect();
    let mut groups: BTreeMap<(String, RdsKind), Vec<String>> = BTreeMap::new();
    for resource in resources {
        groups.entry((resource.region, resource.kind)).or_default().push(resource.arn);
    }
    let mut found = BTreeMap::new();
    for ((region, kind), arns) in groups {
        let client = client_in(clients, &region);
        for chunk in arns.chunks(PER_CALL) {
            found.extend(describe(&client, kind, chunk).await?);
        }
    }
    Ok(found)
}

/// The RDS client for `region` (an owner's region may not be the run's).
fn client_in(clients: &Clients, region: &str) -> aws_sdk_rds::Client {
    if region == clients.region { aws_sdk_rds::Client::clone(&clients.rds) } else { clients.for_region(region).rds }
}

/// One batch: the instances (or clusters) with these ARNs, every page.
async fn describe(client: &aws_sdk_rds::Client, kind: RdsKind, arns: &[String]) -> Result<Vec<(String, MasterSecret)>> {
    let (filter, what) = match kind {
        RdsKind::Instance => ("db-instance-id", "rds:DescribeDBInstances"),
        RdsKind::Cluster => ("db-cluster-id", "rds:DescribeDBClusters"),
    };
    let filter = Filter::builder().name(filter).set_values(Some(arns.to_vec())).build();
    let mut found = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let next = match kind {
            RdsKind::Instance => {
                let page = client
                    .describe_db_instances()
                    .filters(filter.clone())
                    .set_marker(marker.take())
                    .send()
                    .await
                    .map_err(|e| explain(e, what))?;
                found.extend(page.db_instances().iter().filter_map(|db| {
                    Some((db.db_instance_arn()?.to_string(), db.master_user_secret().map(MasterSecret::from)?))
                }));
                page.marker().map(str::to_string)
            }
            RdsKind::Cluster => {
                let page = client
                    .describe_db_clusters()
                    .filters(filter.clone())
                    .set_marker(marker.take())
                    .send()
                    .await
                    .map_err(|e| explain(e, what))?;
                found.extend(page.db_clusters().iter().filter_map(|db| {
                    Some((db.db_cluster_arn()?.to_string(), db.master_user_secret().map(MasterSecret::from)?))
                }));
                page.marker().map(str::to_string)
            }
        };
        match next.filter(|m| !m.is_empty()) {
            Some(m) => marker = Some(m),
            None => return Ok(found),
        }
    }
}

/// The secret's owner with what the owner says of it, for one secret: one
/// RDS call when RDS owns it, none otherwise. A read RDS refuses leaves the
/// owner's status unknown and says why in the second value.
pub(crate) async fn owner(clients: &Clients, secret: &crate::model::Secret) -> (Option<Owner>, Option<String>) {
    let Some(mut owner) = owner::of(secret) else { return (None, None) };
    if owner::rds_resource(&owner).is_none() {
        return (Some(owner), None);
    }
    match master_secrets(clients, [&owner]).await {
        Ok(found) => {
            fill(&mut owner, &secret.arn, &found);
            (Some(owner), None)
        }
        Err(error) => (Some(owner), Some(format!("the owner's status could not be read: {error}"))),
    }
}

/// Puts what the owner said into `owner`, the owner of `secret_arn`: only
/// when the owner's master-user secret is this one (after management was
/// turned off and on, RDS owns a new secret and the old one keeps its tag).
pub(crate) fn fill(owner: &mut Owner, secret_arn: &str, found: &BTreeMap<String, MasterSecret>) {
    let master = owner.resource.as_ref().and_then(|r| found.get(r));
    if let Some(master) = master.filter(|m| m.secret_arn.as_deref().is_none_or(|arn| arn == secret_arn)) {
        owner.secret_status.clone_from(&master.status);
        owner.kms_key_id.clone_from(&master.kms_key_id);
    }
}

/// Asks RDS to rotate the master-user password now (`RotateMasterUserPassword`
/// with `ApplyImmediately`, which RDS requires for it). RDS then rotates the
/// secret itself; its `SecretStatus` is `rotating` until it is done.
pub(crate) async fn rotate_master_password(clients: &Clients, resource: &RdsResource) -> Result<()> {
    let client = client_in(clients, &resource.region);
    match resource.kind {
        RdsKind::Instance => client
            .modify_db_instance()
            .db_instance_identifier(&resource.id)
            .rotate_master_user_password(true)
            .apply_immediately(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| explain(e, "rds:ModifyDBInstance")),
        RdsKind::Cluster => client
            .modify_db_cluster()
            .db_cluster_identifier(&resource.id)
            .rotate_master_user_password(true)
            .apply_immediately(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| explain(e, "rds:ModifyDBCluster")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_speaks_only_for_its_own_secret() {
        let db = "arn:aws:rds:us-east-1:123456789012:db:orders";
        let ours = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1-AbCdEf";
        let found = BTreeMap::from([(
            db.to_string(),
            MasterSecret { secret_arn: Some(ours.into()), status: Some("impaired".into()), kms_key_id: None },
        )]);
        let owner = || Owner { service: "rds".into(), resource: Some(db.into()), ..Owner::default() };
        let mut mine = owner();
        fill(&mut mine, ours, &found);
        assert_eq!(mine.secret_status.as_deref(), Some("impaired"));
        let mut stale = owner();
        fill(&mut stale, "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0-ZyXwVu", &found);
        assert_eq!(stale.secret_status, None, "an old secret of the same database is not what RDS manages now");
    }
}
