//! EC2: the subnets and security groups a function runs in, and the
//! Secrets Manager interface endpoint of its VPC.

use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, VpcEndpointType};

use super::error::explain;
use super::wait::{self, Poll, Schedule};
use crate::error::{Error, Result};
use crate::progress::Progress;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subnet {
    pub(crate) id: String,
    pub(crate) vpc_id: String,
    pub(crate) availability_zone: String,
}

/// DescribeSubnets; an id that does not exist is exit 2, naming it.
pub(crate) async fn subnets(client: &Client, ids: &[String]) -> Result<Vec<Subnet>> {
    let output =
        client.describe_subnets().set_subnet_ids(Some(ids.to_vec())).send().await.map_err(|error| {
            match error.as_service_error().and_then(|e| e.meta().code()) {
                Some("InvalidSubnetID.NotFound" | "InvalidSubnetID.Malformed") => Error::not_found(
                    "--subnet-ids",
                    error.as_service_error().and_then(|e| e.meta().message()).unwrap_or("a subnet does not exist"),
                    "check --subnet-ids and --region",
                ),
                _ => explain(error, "ec2:DescribeSubnets"),
            }
        })?;
    Ok(output
        .subnets()
        .iter()
        .map(|s| Subnet {
            id: s.subnet_id().unwrap_or_default().to_string(),
            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
            availability_zone: s.availability_zone().unwrap_or_default().to_string(),
        })
        .collect())
}

/// DescribeSecurityGroups: each group's VPC, by group id.
pub(crate) async fn security_group_vpcs(client: &Client, ids: &[String]) -> Result<Vec<(String, String)>> {
    let output =
        client.describe_security_groups().set_group_ids(Some(ids.to_vec())).send().await.map_err(
            |error| match error.as_service_error().and_then(|e| e.meta().code()) {
                Some("InvalidGroup.NotFound" | "InvalidGroupId.Malformed") => Error::not_found(
                    "--security-group-ids",
                    error
                        .as_service_error()
                        .and_then(|e| e.meta().message())
                        .unwrap_or("a security group does not exist"),
                    "check --security-group-ids and --region",
                ),
                _ => explain(error, "ec2:DescribeSecurityGroups"),
            },
        )?;
    Ok(output
        .security_groups()
        .iter()
        .map(|g| (g.group_id().unwrap_or_default().to_string(), g.vpc_id().unwrap_or_default().to_string()))
        .collect())
}

/// An interface endpoint for Secrets Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) id: String,
    pub(crate) state: String,
    pub(crate) private_dns: bool,
}

/// The service name of Secrets Manager's endpoints in `region`.
pub(crate) fn secretsmanager_service(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("cn.com.amazonaws.{region}.secretsmanager")
    } else {
        format!("com.amazonaws.{region}.secretsmanager")
    }
}

/// The VPC's Secrets Manager interface endpoints that are not being deleted.
pub(crate) async fn secretsmanager_endpoints(client: &Client, vpc_id: &str, region: &str) -> Result<Vec<Endpoint>> {
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let output = client
        .describe_vpc_endpoints()
        .filters(filter("vpc-id", vpc_id))
        .filters(filter("service-name", &secretsmanager_service(region)))
        .filters(filter("vpc-endpoint-type", "Interface"))
        .send()
        .await
        .map_err(|error| explain(error, "ec2:DescribeVpcEndpoints"))?;
    Ok(output
        .vpc_endpoints()
        .iter()
        .map(|e| Endpoint {
            id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
            state: e.state().map(|s| s.as_str().to_lowercase()).unwrap_or_default(),
            private_dns: e.private_dns_enabled().unwrap_or(false),
        })
        .filter(|e| !matches!(e.state.as_str(), "deleting" | "deleted" | "failed" | "rejected"))
        .collect())
}

/// How each subnet among `subnet_ids` (of `vpc_id`) reaches beyond its VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Egress {
    /// An active default route (0.0.0.0/0) through a NAT gateway, a NAT instance or a transit gateway.
    Nat,
    /// No such route, but other routes out (a transit gateway, peering, an endpoint) that may lead to one.
    Other,
    /// Only the VPC's own (local) routes: nothing leaves the VPC.
    LocalOnly,
    /// Its route table cannot be read (a VPC shared from another account).
    Unknown,
}

/// How each subnet reaches beyond its VPC, from the VPC's route tables (a
/// subnet with no table of its own uses the main one). An internet gateway
/// does not count as a way out: a Lambda function in a VPC has no public address.
pub(crate) async fn egress(client: &Client, vpc_id: &str, subnet_ids: &[String]) -> Result<Vec<(String, Egress)>> {
    let output = client
        .describe_route_tables()
        .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
        .send()
        .await
        .map_err(|error| explain(error, "ec2:DescribeRouteTables"))?;
    let tables = output.route_tables();
    let of = |table: &aws_sdk_ec2::types::RouteTable| {
        let active = |r: &&aws_sdk_ec2::types::Route| r.state().is_none_or(|s| s.as_str() != "blackhole");
        let set = |id: Option<&str>| id.is_some_and(|id| !id.is_empty());
        let routes: Vec<_> = table.routes().iter().filter(active).collect();
        if routes.iter().any(|r| {
            r.destination_cidr_block() == Some("0.0.0.0/0")
                && (set(r.nat_gateway_id()) || set(r.instance_id()) || set(r.transit_gateway_id()))
        }) {
            Egress::Nat
        } else if routes.iter().any(|r| {
            set(r.transit_gateway_id())
                || set(r.vpc_peering_connection_id())
                || set(r.network_interface_id())
                || r.gateway_id().is_some_and(|g| g.starts_with("vpce-"))
                || set(r.core_network_arn())
        }) {
            Egress::Other
        } else {
            Egress::LocalOnly
        }
    };
    let main = tables.iter().find(|t| t.associations().iter().any(|a| a.main() == Some(true)));
    Ok(subnet_ids
        .iter()
        .map(|subnet| {
            let table = tables
                .iter()
                .find(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet.as_str())))
                .or(main);
            (subnet.clone(), table.map_or(Egress::Unknown, of))
        })
        .collect())
}

/// CreateVpcEndpoint (interface, private DNS) and waits until it is available.
/// The client token makes a retried or repeated call return the same endpoint.
pub(crate) async fn create_secretsmanager_endpoint(
    client: &Client,
    region: &str,
    vpc_id: &str,
    subnet_ids: &[String],
    security_group_ids: &[String],
    progress: &Progress,
) -> Result<String> {
    let output = client
        .create_vpc_endpoint()
        .vpc_id(vpc_id)
        .service_name(secretsmanager_service(region))
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .set_subnet_ids(Some(subnet_ids.to_vec()))
        .set_security_group_ids(Some(security_group_ids.to_vec()))
        .private_dns_enabled(true)
        .client_token(client_token(vpc_id, subnet_ids, security_group_ids, jiff::Timestamp::now()))
        .send()
        .await
        .map_err(|error| explain(error, "ec2:CreateVpcEndpoint"))?;
    let id = output.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).unwrap_or_default().to_string();
    // EC2 has no waiter for VPC endpoints: the shared poll helper.
    let schedule = Schedule { first: Duration::from_secs(1), max: Duration::from_secs(10), limit: ENDPOINT_TIMEOUT };
    let available =
        wait::until(progress, format!("waiting for VPC endpoint {id} to be available"), schedule, || async {
            let output = client
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(&id)
                .send()
                .await
                .map_err(|error| explain(error, "ec2:DescribeVpcEndpoints"))?;
            // The API answers "available" where the model's enum says "Available": compare words.
            let state = output.vpc_endpoints().first().and_then(|e| e.state()).map(|s| s.as_str().to_ascii_lowercase());
            Ok(match state.as_deref() {
                Some("available") => Poll::Done(Ok(())),
                Some("failed" | "rejected") => Poll::Done(Err(Error::failed(
                    format!("creating the VPC endpoint {id}"),
                    format!("it failed to come up in {vpc_id}"),
                ))),
                _ => Poll::Pending(None),
            })
        })
        .await?;
    match available {
        Some(Ok(())) => Ok(id),
        Some(Err(error)) => Err(error),
        None => Err(Error::timed_out(
            format!("waiting for the VPC endpoint {id}"),
            "it is not available after 10 minutes",
            "it may still come up; re-run enable then",
        )),
    }
}

/// How long a new endpoint may take to be available before rotctl stops waiting (exit 4).
const ENDPOINT_TIMEOUT: Duration = Duration::from_mins(10);

/// The regions enabled for the account (DescribeRegions without opt-in regions
/// not opted into), sorted.
pub(crate) async fn enabled_regions(client: &Client) -> Result<Vec<String>> {
    let output = client.describe_regions().send().await.map_err(|error| explain(error, "ec2:DescribeRegions"))?;
    let mut regions: Vec<String> =
        output.regions().iter().filter_map(|r| r.region_name().map(str::to_string)).collect();
    regions.sort();
    Ok(regions)
}

/// CreateVpcEndpoint's idempotency token: the same request on the same day is
/// the same endpoint (a retry, or a re-run after an interruption); another
/// request, or a day later (an endpoint deleted since), is a new one. At most 64 characters.
fn client_token(vpc_id: &str, subnet_ids: &[String], security_group_ids: &[String], now: jiff::Timestamp) -> String {
    let content = format!("{vpc_id}|{}|{}", subnet_ids.join(","), security_group_ids.join(","));
    let hash = crate::naming::fnv1a(content.as_bytes());
    format!("rotctl-{vpc_id}-{hash:016x}-{}", now.strftime("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_tokens_follow_the_request_and_the_day() {
        let day: jiff::Timestamp = "2026-11-22T10:00:00Z".parse().expect("a date");
        let later: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().expect("a date");
        let ids = |v: &[&str]| v.iter().map(std::string::ToString::to_string).collect::<Vec<_>>();
        let token = client_token("vpc-0123456789abcdef0", &ids(&["subnet-1"]), &ids(&["sg-1"]), day);
        assert!(token.len() <= 64, "{token}");
        assert_eq!(token, client_token("vpc-0123456789abcdef0", &ids(&["subnet-1"]), &ids(&["sg-1"]), day));
        assert_ne!(token, client_token("vpc-0123456789abcdef0", &ids(&["subnet-2"]), &ids(&["sg-1"]), day));
        assert_ne!(token, client_token("vpc-0123456789abcdef0", &ids(&["subnet-1"]), &ids(&["sg-1"]), later));
    }
}
