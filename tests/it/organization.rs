//! `rotctl audit` across accounts (issue 14): an organization of its own in
//! the emulator (a management account and member accounts, each with the
//! role Organizations creates), secrets in several regions of each, and the
//! emulator's STS refusing what AWS refuses (a role that is missing, or whose
//! trust policy wants an external id). Judged by the calls the emulator saw
//! and in which account each acted.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{World, operations};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// One never-rotated secret per account and region (a `rotation-disabled`
/// finding each), named after both.
async fn seed(world: &World, accounts: &[String]) {
    for account in accounts {
        for region in REGIONS {
            world.secret_in(account, region, &format!("{}/{account}-{region}", world.prefix)).await;
        }
    }
}

fn findings(json: &Value) -> BTreeSet<(String, String, String)> {
    json["Findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (text("Account"), text("Region"), text("Rule"))
        })
        .collect()
}

fn expected(accounts: &[String]) -> BTreeSet<(String, String, String)> {
    accounts.iter().flat_map(|a| REGIONS.map(|r| (a.clone(), r.to_string(), "rotation-disabled".to_string()))).collect()
}

#[tokio::test]
async fn an_organization_is_audited_account_by_account_in_one_run() {
    let world = World::in_own_account("us-east-1");
    let members = world.organization(3).await;
    let mut all = members.clone();
    all.push(world.account.clone());
    all.sort();
    seed(&world, &all).await;

    let regions = REGIONS.join(",");
    let args = ["audit", "--org", "--role-name", "OrganizationAccountAccessRole", "--regions", &regions, "-o", "json"];
    let run = world.rotctl(&args).run().code(3);
    let json = run.json();
    assert_eq!(findings(&json), expected(&all), "{json:#}");
    assert_eq!(json["AccessErrors"], json!([]));
    let summary = &json["Summary"]["Accounts"];
    assert_eq!(
        (summary["Listed"].as_u64(), summary["Read"].as_u64(), summary["Skipped"].as_u64()),
        (Some(4), Some(4), Some(0))
    );
    assert_eq!(summary["RegionsRead"], 8);

    // The floor: one AssumeRole per member (none for the caller's own
    // account), one ListSecrets per account and region, and nothing per secret.
    let calls = world.calls();
    let count = |op: &str| operations(&calls).iter().filter(|o| **o == op).count();
    assert_eq!(
        (count("GetCallerIdentity"), count("ListAccounts"), count("AssumeRole"), count("ListSecrets")),
        (1, 1, 3, 8)
    );
    assert_eq!(calls.len(), 13, "{calls:?}");
    let listed_in: BTreeSet<&str> =
        calls.iter().filter(|c| c.operation == "ListSecrets").map(|c| c.account.as_str()).collect();
    assert_eq!(listed_in, all.iter().map(String::as_str).collect(), "each account was read with its own credentials");

    let table = world.rotctl(&args[..args.len() - 2]).run().code(3).stdout;
    for account in &all {
        assert!(table.contains(&format!("ACCOUNT {account} (2 findings)")), "{table}");
    }
    assert!(table.contains("4 of 4 accounts read (0 skipped), 8 account-regions read (0 left out)"), "{table}");
}

#[tokio::test]
async fn an_account_whose_role_cannot_be_assumed_is_an_access_error_not_the_end() {
    let world = World::in_own_account("us-east-1");
    let members = world.organization(3).await;
    // The audit role: in the first with an external id, in the second
    // without; the third has none.
    world.trusted_role(&members[0], "RotctlAudit", Some("audit-7f3a"));
    world.trusted_role(&members[1], "RotctlAudit", None);
    seed(&world, &members).await;
    let accounts = members.join(",");
    let regions = REGIONS.join(",");
    let base = [
        "audit",
        "--accounts",
        &accounts,
        "--role-name",
        "RotctlAudit",
        "--external-id",
        "audit-7f3a",
        "--regions",
        &regions,
    ];

    let run = world.rotctl(&[&base[..], &["-o", "json"]].concat()).run().code(3);
    let json = run.json();
    assert_eq!(findings(&json), expected(&members[..2]), "{json:#}");
    let errors = json["AccessErrors"].as_array().expect("access errors");
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["Account"], members[2].as_str());
    assert_eq!(errors[0]["Region"], Value::Null);
    assert_eq!(errors[0]["Stage"], "assume-role");
    assert!(errors[0]["Error"].as_str().is_some_and(|e| e.contains("sts:AssumeRole")), "{json:#}");
    assert!(run.stderr.contains(&format!("account {} was not audited (assume-role)", members[2])), "{run}");
    let summary = &json["Summary"]["Accounts"];
    assert_eq!((summary["Read"].as_u64(), summary["Skipped"].as_u64()), (Some(2), Some(1)));

    // --strict: the access error decides before the findings; without
    // findings to fail on, an incomplete audit still does not pass.
    world.rotctl(&[&base[..], &["--strict"]].concat()).run().code(1);
    world.rotctl(&[&base[..], &["--fail-on", "never"]].concat()).run().code(1);
    // Without the external id the first account refuses too.
    let without: Vec<&str> = base.iter().copied().filter(|a| *a != "--external-id" && *a != "audit-7f3a").collect();
    let json = world.rotctl(&[&without[..], &["-o", "json"]].concat()).run().code(3).json();
    assert_eq!(json["AccessErrors"].as_array().map(Vec::len), Some(2), "{json:#}");
    // Nothing left to audit is bad input, not a clean audit.
    let excluded = ["audit", "--accounts", &accounts, "--exclude-accounts", &accounts, "--role-name", "RotctlAudit"];
    world.rotctl(&excluded).run().fails(2, &["no account is left to audit"]);
}

#[tokio::test]
async fn max_accounts_one_reads_the_accounts_one_after_another() {
    let world = World::in_own_account("us-east-1");
    let members = world.organization(3).await;
    seed(&world, &members).await;
    let accounts = members.join(",");
    let regions = REGIONS.join(",");
    let args = [
        "audit",
        "--accounts",
        &accounts,
        "--role-name",
        "OrganizationAccountAccessRole",
        "--regions",
        &regions,
        "--max-accounts",
        "1",
    ];
    world.rotctl(&args).run().code(3);
    // Each account's calls form one block: the next account starts after the last one's end.
    let sequence: Vec<String> =
        world.calls().iter().filter(|c| c.operation == "ListSecrets").map(|c| c.account.clone()).collect();
    let mut blocks = sequence.clone();
    blocks.dedup();
    assert_eq!(blocks.len(), 3, "accounts interleaved: {sequence:?}");
    assert_eq!(blocks.iter().collect::<BTreeSet<_>>().len(), 3);
}

#[tokio::test]
async fn a_region_an_account_has_not_enabled_is_left_out_once_not_a_finding() {
    let world = World::in_own_account("us-east-1");
    let members = world.organization(2).await;
    for member in &members {
        world.secret_in(member, "us-east-1", &format!("{}/never", world.prefix)).await;
    }
    // AWS answers calls to an opt-in region the account has not enabled
    // with an invalid-token error: one account's ap-east-1 here.
    let invalid = json!({"Service": "secretsmanager", "Operation": "ListSecrets", "Count": 1, "Status": 400,
        "Code": "UnrecognizedClientException", "Message": "The security token included in the request is invalid."});
    let mut opt_in = invalid.clone();
    opt_in["Region"] = json!("ap-east-1");
    world.fault(opt_in);
    let accounts = members.join(",");
    let audit = |regions: &str| {
        let args = [
            "audit",
            "--accounts",
            &accounts,
            "--role-name",
            "OrganizationAccountAccessRole",
            "--regions",
            regions,
            "-o",
            "json",
        ];
        world.rotctl(&args).run()
    };
    let json = audit("us-east-1,ap-east-1").code(3).json();
    let skipped = json["Summary"]["Accounts"]["RegionsSkipped"].as_array().expect("skipped regions");
    assert_eq!(skipped.len(), 1, "{json:#}");
    assert_eq!(skipped[0]["Region"], "ap-east-1");
    assert_eq!(json["AccessErrors"], json!([]));
    assert_eq!(findings(&json).len(), 2, "each account's us-east-1 finding: {json:#}");

    // The same answer from a region every account has is refused
    // credentials: an access error, not a region left out.
    let mut everywhere = invalid;
    everywhere["Region"] = json!("us-east-1");
    world.fault(everywhere);
    let json = audit("us-east-1").code(3).json();
    assert_eq!(json["AccessErrors"].as_array().map(Vec::len), Some(1), "{json:#}");
    assert_eq!(json["AccessErrors"][0]["Stage"], "list-secrets");
    assert_eq!(json["Summary"]["Accounts"]["RegionsSkipped"], json!([]));
}
