//! Interruption, faults, hostile input and least privilege: rotctl keeps
//! its promises when things go wrong (docs/reliability.md, docs/iam.md).

mod bad_input;
mod faults;
mod iam;
mod interrupt;
mod kill;

use crate::harness::{ACCOUNT, World};

/// rotctl's invoke statements on a function: each must carry SourceAccount
/// and name one function (never `*`). Returns how many there are.
async fn checked_grants(world: &World, function: &str) -> usize {
    let grants: Vec<_> = world
        .policy_statements(function)
        .await
        .into_iter()
        .filter(|s| s["Principal"]["Service"] == "secretsmanager.amazonaws.com")
        .collect();
    for grant in &grants {
        assert_eq!(grant["Condition"]["StringEquals"]["AWS:SourceAccount"], ACCOUNT, "{grant}");
        assert_eq!(grant["Resource"].as_str(), Some(function), "{grant}");
        assert_eq!(grant["Action"], "lambda:InvokeFunction", "{grant}");
    }
    assert!(grants.len() <= 1, "one statement at most: {grants:?}");
    grants.len()
}
