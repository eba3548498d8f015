//! The audit as SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
//! so GitHub code scanning and other dashboards can show its findings: one
//! result per finding, and every rule's metadata with its help text.

use serde_json::{Value, json};

use crate::audit::{Finding, Rule, Severity};
use crate::model::AuditReport;
use crate::naming::fnv1a;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where a reader of a dashboard learns about the tool behind a result (the
/// driver's `informationUri`; Microsoft's validator warns without it, SARIF2005).
const INFORMATION_URI: &str = "https://github.com/rotctl/rotctl";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub ranks security results by this property (0.1-10).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn rule(rule: Rule) -> Value {
    let help = rule.help();
    json!({
        "id": rule.id(),
        "name": help.title.replace(' ', ""),
        "shortDescription": {"text": help.title},
        "fullDescription": {"text": help.why},
        "help": {
            "text": format!("{}\nCorresponds to: {}\nFix: {}", help.why, help.anchor, help.fix),
            "markdown": format!("{}\n\n**Corresponds to:** {}\n\n**Fix:** `{}`", help.why, help.anchor, help.fix),
        },
        "defaultConfiguration": {"level": level(rule.severity())},
        "properties": {"tags": ["security", "secrets", "rotation"], "security-severity": security_severity(rule.severity())},
    })
}

fn result(finding: &Finding) -> Value {
    let index = Rule::ALL.iter().position(|r| *r == finding.rule).unwrap_or_default();
    // Across accounts the account leads the path (dashboards group by it) and is a property.
    let uri = match &finding.account {
        Some(account) => format!("aws/{account}/secretsmanager/{}/{}", finding.region, finding.secret),
        None => format!("aws/secretsmanager/{}/{}", finding.region, finding.secret),
    };
    let mut result = json!({
        "ruleId": finding.rule.id(),
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": format!("{}: {}", finding.secret, finding.message)},
        "locations": [{
            // Secrets are not files: a stable pseudo-path per secret lets dashboards group and track them.
            // A finding is about the whole secret, which SARIF alone would say by leaving out the
            // region; but GitHub code scanning shows a location only with region.startLine (GH1003 in
            // Microsoft's validator, which also warns without a region: SARIF2017). So: line 1.
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": 1},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.arn, "kind": "resource"}],
        }],
        "partialFingerprints": {
            "rotctl/v1": format!("{:016x}", fnv1a(format!("{}\n{}", finding.arn, finding.rule.id()).as_bytes())),
        },
    });
    if let Some(account) = &finding.account {
        result["properties"] = json!({"account": account});
    }
    result
}

pub(crate) fn render(report: &AuditReport) -> Value {
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rotctl",
                "informationUri": INFORMATION_URI,
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": Rule::ALL.iter().map(|r| rule(*r)).collect::<Vec<_>>(),
            }},
            "results": report.findings.iter().map(result).collect::<Vec<_>>(),
            "invocations": [{
                "executionSuccessful": report.failed_regions.is_empty() && report.unchecked.is_empty() && report.access_errors.is_empty(),
                "toolExecutionNotifications": report.notes().iter().map(|note| json!({
                    "level": "error",
                    "message": {"text": note},
                })).collect::<Vec<_>>(),
            }],
        }],
    })
}
