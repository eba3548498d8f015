//! IAM: what the rotation role's identity policies allow, simulated
//! (SimulatePrincipalPolicy; resource policies such as a KMS key policy cannot
//! be included for a role, so doctor reads those itself).

use aws_sdk_iam::Client;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum};

use super::error::explain;
use crate::doctor::Evaluation;
use crate::error::Result;

/// SimulatePrincipalPolicy of `role` for every action on every resource,
/// with the request's context (`key`, `value`): the condition keys a
/// rotation's calls carry (e.g. `secretsmanager:resource/AllowRotationLambdaArn`,
/// which the policy AWS's rotation templates attach is conditioned on, and
/// `kms:ViaService`). A statement conditioned on a key not given is not
/// applied, and the key is reported missing.
pub(crate) async fn simulate(
    client: &Client,
    role: &str,
    actions: &[&str],
    resources: &[&str],
    context: &[(&str, String)],
) -> Result<Vec<Evaluation>> {
    let entries = context
        .iter()
        .map(|(key, value)| {
            ContextEntry::builder()
                .context_key_name(*key)
                .context_key_values(value)
                .context_key_type(ContextKeyTypeEnum::String)
                .build()
        })
        .collect();
    let mut pages = client
        .simulate_principal_policy()
        .policy_source_arn(role)
        .set_context_entries(Some(entries))
        .set_action_names(Some(actions.iter().map(|a| (*a).to_string()).collect()))
        .set_resource_arns(Some(resources.iter().map(|r| (*r).to_string()).collect()))
        .into_paginator()
        .send();
    let mut decisions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| explain(error, "iam:SimulatePrincipalPolicy"))?;
        decisions.extend(page.evaluation_results().iter().map(|r| Evaluation {
            action: r.eval_action_name().to_string(),
            resource: r.eval_resource_name().unwrap_or("*").to_string(),
            decision: r.eval_decision().as_str().to_string(),
            missing_context: r.missing_context_values().to_vec(),
        }));
    }
    Ok(decisions)
}
