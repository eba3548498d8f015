//! `rotctl templates`: the rotation applications `enable --template` deploys.

use crate::aws;
use crate::env::Env;
use crate::error::Result;
use crate::model::TemplatesReport;
use crate::templates::{CATALOGUE, partition};

/// The catalogue, with application ARNs for the partition of the region
/// given with --region (the aws partition when none is). Makes no AWS call.
#[allow(clippy::unused_async)] // one signature for every command
pub(crate) async fn run(env: &Env, _args: &()) -> Result<TemplatesReport> {
    let region = env.connection.region.as_deref();
    if let Some(region) = region {
        aws::check_region(region)?;
    }
    let region = region.unwrap_or("us-east-1");
    Ok(TemplatesReport {
        partition: partition(region),
        templates: CATALOGUE.iter().map(|t| (t, t.application_arn(region))).collect(),
    })
}
