//! `rotctl templates`: the rotation applications `enable --template` deploys.

use crate::templates::{CATALOGUE, RotationTemplate, partition};

/// The catalogue, with application ARNs for the partition of `region`
/// (the aws partition when no region is given). Makes no AWS call.
pub fn run(region: Option<&str>) -> TemplatesReport {
    let region = region.unwrap_or("us-east-1");
    TemplatesReport {
        partition: partition(region),
        templates: CATALOGUE.iter().map(|t| (t, t.application_arn(region))).collect(),
    }
}

#[derive(Debug)]
pub struct TemplatesReport {
    pub partition: &'static str,
    pub templates: Vec<(&'static RotationTemplate, String)>,
}
