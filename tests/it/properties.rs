//! Property tests over the two parsers every command trusts with user input:
//! the ARN / secret-id parser and the schedule / window validator. They run
//! with the suite (256 cases each); `PROPTEST_CASES=100000 scripts/test
//! properties` runs them long (docs/reliability.md has the figures).

use proptest::prelude::*;
use rotctl::arn::{Arn, SecretId};
use rotctl::schedule::{interval_days, rules_from_args, same_schedule};

/// An error message stays short (in characters), whatever the input: it is quoted and cut.
const MAX_MESSAGE: usize = 400;

fn region() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("us-east-1".to_string()),
        Just("eu-west-2".to_string()),
        Just("cn-north-1".to_string()),
        Just("us-gov-west-1".to_string()),
        "[a-z]{2}-[a-z]{4,9}-[1-9]",
    ]
}

fn partition_of(region: &str) -> &'static str {
    rotctl::arn::partition(region)
}

proptest! {
    #[test]
    fn arn_parsing_never_panics_and_errors_stay_short(
        text in prop_oneof![any::<String>(), "\\PC{1000,20000}", "[a-z0-9:/-]{500,5000}"],
        region in region(),
    ) {
        let candidates = [
            text.clone(),
            format!("arn:{text}"),
            format!("arn:aws:secretsmanager:{region}:{text}"),
            format!("arn:aws:secretsmanager:{text}:123456789012:secret:db"),
            format!("arn:{text}:secretsmanager:{region}:123456789012:secret:db"),
        ];
        for candidate in candidates {
            if let Err(message) = Arn::parse(&candidate) {
                prop_assert!(message.chars().count() < MAX_MESSAGE, "{}", message);
            }
            if let Err(message) = SecretId::parse(&candidate, &region) {
                prop_assert!(message.chars().count() < MAX_MESSAGE, "{}", message);
            }
        }
    }

    #[test]
    fn a_well_formed_arn_parses_to_its_parts(
        region in region(),
        service in "[a-z][a-z0-9-]{0,20}",
        account in "[0-9]{12}",
        resource in "[a-zA-Z0-9:/_+=.@-]{1,60}",
    ) {
        let partition = partition_of(&region);
        let text = format!("arn:{partition}:{service}:{region}:{account}:{resource}");
        let arn = Arn::parse(&text).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&arn.partition, partition);
        prop_assert_eq!(&arn.service, &service);
        prop_assert_eq!(&arn.region, &region);
        prop_assert_eq!(&arn.account, &account);
        prop_assert_eq!(&arn.resource, &resource);
        prop_assert_eq!(arn.to_string(), text);
    }

    #[test]
    fn a_partition_that_is_not_the_region_s_is_refused(region in region(), account in "[0-9]{12}") {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            let text = format!("arn:{partition}:secretsmanager:{region}:{account}:secret:db-AbCdEf");
            prop_assert_eq!(Arn::parse(&text).is_ok(), partition == partition_of(&region), "{}", text);
        }
    }

    #[test]
    fn secret_names_are_exactly_what_aws_allows(name in "\\PC{0,600}", region in region()) {
        // CreateSecret's characters, and `!`, which names AWS services give their secrets carry (rds!db-...).
        let valid = (1..=512).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-!".contains(&b));
        if !name.starts_with("arn:") {
            prop_assert_eq!(SecretId::parse(&name, &region).is_ok(), valid, "{:?}", name);
        }
    }

    #[test]
    fn the_schedule_validator_never_panics(
        days in proptest::option::of(any::<i64>()),
        schedule in proptest::option::of(prop_oneof![any::<String>(), "\\PC{1000,20000}", "(rate|cron)\\([0-9a-z ?*/,#L-]{0,40}\\)"]),
        window in proptest::option::of(prop_oneof![any::<String>(), "[0-9]{1,30}h", "\\PC{1000,5000}"]),
    ) {
        if let Err(message) = rules_from_args(days, schedule.as_deref(), window.as_deref()) {
            prop_assert!(message.chars().count() < MAX_MESSAGE, "{}", message);
        }
    }

    #[test]
    fn rates_are_accepted_exactly_within_aws_limits(n in -5_i64..30_000, days in any::<bool>()) {
        let unit = match (days, n) { (true, 1) => "day", (true, _) => "days", (false, 1) => "hour", (false, _) => "hours" };
        let expression = format!("rate({n} {unit})");
        let accepted = rules_from_args(None, Some(&expression), None).is_ok();
        let hours = if days { n * 24 } else { n };
        prop_assert_eq!(accepted, n >= 1 && (4..=24_000).contains(&hours), "{}", expression);
    }

    #[test]
    fn an_accepted_cron_rotates_at_most_every_4_hours_and_equals_itself(
        hours in prop_oneof![
            (0_u8..24).prop_map(|h| h.to_string()),
            (1_u8..13).prop_map(|k| format!("*/{k}")),
            (0_u8..12, 12_u8..24).prop_map(|(a, b)| format!("{a}-{b}")),
            (0_u8..12, 12_u8..24).prop_map(|(a, b)| format!("{a},{b}")),
            Just("*".to_string()),
        ],
        day in prop_oneof![
            (1_u8..32).prop_map(|d| (d.to_string(), "?".to_string())),
            Just(("?".to_string(), "SUN".to_string())),
            Just(("?".to_string(), "MON-FRI".to_string())),
            (1_u8..8).prop_map(|d| ("?".to_string(), format!("{d}#2"))),
            Just(("L".to_string(), "?".to_string())),
            Just(("*".to_string(), "?".to_string())),
        ],
        month in prop_oneof![Just("*".to_string()), (1_u8..13).prop_map(|m| m.to_string()), Just("JAN,JUL".to_string())],
        window in proptest::option::of(1_u8..25),
    ) {
        let expression = format!("cron(0 {hours} {} {month} {} *)", day.0, day.1);
        let window = window.map(|h| format!("{h}h"));
        if let Ok(Some(rules)) = rules_from_args(None, Some(&expression), window.as_deref()) {
            let days = interval_days(&rules);
            prop_assert!(days.is_some_and(|d| d * 24.0 >= 4.0 - 1e-9), "{} {:?}", expression, days);
            prop_assert!(same_schedule(&rules, &rules.clone()));
        }
    }

    #[test]
    fn a_window_never_reaches_the_next_window(days in 1_i64..=1000, window in 1_i64..=24) {
        let window_text = format!("{window}h");
        if let Ok(Some(rules)) = rules_from_args(Some(days), None, Some(&window_text)) {
            prop_assert!(window < days * 24);
            prop_assert!(rules.automatically_after_days.is_none(), "AWS takes a window only with an expression");
        }
    }
}
