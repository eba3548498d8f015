//! Pure: Lambda's runtime deprecation schedule, kept in the code with the date
//! it was read, and what it means for a rotation function.
//!
//! Source: the "Supported runtimes" and "Deprecated runtimes" tables of
//! https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, as read
//! by the tools that track that page (tflint-ruleset-aws
//! `deprecated_runtimes.json`, updated 2026-07-31; cfn-lint
//! `LmbdRuntimeLifecycle.json`, 2026-06-02; endoflife-date `aws-lambda.json`,
//! 2026-08-15), which agree on every date below. AWS has moved the block dates
//! several times (python3.9's block-update went from 2026-02-15 to
//! 2027-03-03): when a date here is past `AS_OF`, check the page.
//!
//! A deprecated runtime still runs: Lambda stops patching it, then refuses to
//! create functions with it, then to update them. AWS's rotation functions
//! ship native libraries built for one Python, so the fix is to redeploy the
//! rotation application (or move its stack to the
//! `AWS::SecretsManager-2024-09-16` transform), never to change `Runtime`
//! alone (`Runtime.ImportModuleError: No module named '_pg'`).

use jiff::Timestamp;
use jiff::civil::Date;

/// When the table below was last checked against its sources.
pub(crate) const AS_OF: &str = "2026-08-19";

/// How long before its deprecation a runtime is reported.
pub(crate) const WARN_DAYS: i64 = 90;

/// One runtime's schedule: deprecation, then block-create, then block-update
/// (None where AWS has not scheduled it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) runtime: &'static str,
    pub(crate) deprecated: Date,
    pub(crate) block_create: Option<Date>,
    pub(crate) block_update: Option<Date>,
}

const fn d(year: i16, month: i8, day: i8) -> Date {
    Date::constant(year, month, day)
}

const fn row(runtime: &'static str, deprecated: Date, create: Date, update: Date) -> Schedule {
    Schedule { runtime, deprecated, block_create: Some(create), block_update: Some(update) }
}

/// Lambda's schedule, newest runtimes of each language last.
const TABLE: &[Schedule] = &[
    row("python2.7", d(2021, 7, 15), d(2021, 7, 15), d(2022, 5, 30)),
    row("python3.6", d(2022, 7, 18), d(2022, 7, 18), d(2022, 8, 29)),
    row("python3.7", d(2023, 12, 4), d(2024, 1, 9), d(2027, 3, 3)),
    row("python3.8", d(2024, 10, 14), d(2027, 2, 1), d(2027, 3, 3)),
    row("python3.9", d(2025, 12, 15), d(2027, 2, 1), d(2027, 3, 3)),
    row("python3.10", d(2026, 10, 31), d(2027, 2, 1), d(2027, 3, 3)),
    row("python3.11", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31)),
    row("python3.12", d(2028, 10, 31), d(2028, 11, 30), d(2029, 1, 10)),
    row("python3.13", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31)),
    row("python3.14", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31)),
    row("nodejs10.x", d(2021, 7, 30), d(2021, 7, 30), d(2022, 2, 14)),
    row("nodejs12.x", d(2023, 3, 31), d(2023, 3, 31), d(2023, 4, 30)),
    row("nodejs14.x", d(2023, 12, 4), d(2024, 1, 9), d(2027, 3, 3)),
    row("nodejs16.x", d(2024, 6, 12), d(2027, 2, 1), d(2027, 3, 3)),
    row("nodejs18.x", d(2025, 9, 1), d(2027, 2, 1), d(2027, 3, 3)),
    row("nodejs20.x", d(2026, 4, 30), d(2027, 2, 1), d(2027, 3, 3)),
    row("nodejs22.x", d(2027, 4, 30), d(2027, 6, 1), d(2027, 7, 1)),
    row("nodejs24.x", d(2028, 4, 30), d(2028, 6, 1), d(2028, 7, 1)),
    row("java8", d(2024, 1, 8), d(2024, 2, 8), d(2027, 3, 3)),
    row("java8.al2", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31)),
    row("java11", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31)),
    row("java17", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31)),
    row("java21", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31)),
    row("java25", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31)),
    row("ruby2.5", d(2021, 7, 30), d(2021, 7, 30), d(2022, 3, 31)),
    row("ruby2.7", d(2023, 12, 7), d(2024, 1, 9), d(2027, 3, 3)),
    row("ruby3.2", d(2026, 3, 31), d(2027, 2, 1), d(2027, 3, 3)),
    row("ruby3.3", d(2027, 3, 31), d(2027, 4, 30), d(2027, 5, 31)),
    row("ruby3.4", d(2028, 3, 31), d(2028, 4, 30), d(2028, 5, 31)),
    row("dotnetcore3.1", d(2023, 4, 3), d(2023, 4, 3), d(2023, 5, 3)),
    row("dotnet6", d(2024, 12, 20), d(2027, 2, 1), d(2027, 3, 3)),
    row("dotnet8", d(2026, 11, 10), d(2027, 2, 1), d(2027, 3, 3)),
    row("dotnet10", d(2028, 11, 14), d(2028, 12, 14), d(2029, 1, 15)),
    row("go1.x", d(2024, 1, 8), d(2024, 2, 8), d(2027, 3, 3)),
    row("provided", d(2024, 1, 8), d(2024, 2, 8), d(2027, 3, 3)),
    row("provided.al2", d(2026, 7, 31), d(2027, 2, 1), d(2027, 3, 3)),
    row("provided.al2023", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31)),
];

/// What the schedule says of a runtime today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Supported for more than `WARN_DAYS`.
    Supported(Schedule),
    /// Deprecated within `WARN_DAYS` (the days left).
    DeprecatedSoon(Schedule, i64),
    /// Deprecated: no more patches; Lambda blocks creates and updates on the dates given.
    Deprecated(Schedule),
    /// Not in the table (a container image, or a runtime newer than `AS_OF`).
    Unknown,
}

impl Verdict {
    /// The runtime's verdict on `now`'s (UTC) day.
    pub(crate) fn of(runtime: &str, now: Timestamp) -> Verdict {
        let Some(schedule) = TABLE.iter().find(|s| s.runtime == runtime).copied() else {
            return Verdict::Unknown;
        };
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        if today >= schedule.deprecated {
            return Verdict::Deprecated(schedule);
        }
        let days = today.until(schedule.deprecated).map_or(0, |span| i64::from(span.get_days()));
        if days <= WARN_DAYS { Verdict::DeprecatedSoon(schedule, days) } else { Verdict::Supported(schedule) }
    }

    /// Whether it is deprecated or within `WARN_DAYS` of it.
    pub(crate) fn is_concern(self) -> bool {
        matches!(self, Verdict::Deprecated(_) | Verdict::DeprecatedSoon(..))
    }

    /// In words, for a finding or a doctor line: "python3.9 was deprecated by Lambda on 2025-12-15; ...".
    pub(crate) fn describe(self, runtime: &str, now: Timestamp) -> String {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let blocks = |s: Schedule| {
            let on = |what: &str, date: Option<Date>| match date {
                Some(date) if date <= today => format!("{what} blocked since {date}"),
                Some(date) => format!("{what} blocked from {date}"),
                None => format!("{what} not yet blocked"),
            };
            format!("{}, {}", on("creates", s.block_create), on("updates", s.block_update))
        };
        match self {
            Verdict::Supported(s) => format!("{runtime} is supported by Lambda until {}", s.deprecated),
            Verdict::DeprecatedSoon(s, days) => {
                format!("{runtime} is deprecated by Lambda on {} (in {days} days); {}", s.deprecated, blocks(s))
            }
            Verdict::Deprecated(s) => {
                format!(
                    "{runtime} was deprecated by Lambda on {} (no more security patches); {}",
                    s.deprecated,
                    blocks(s)
                )
            }
            Verdict::Unknown => format!("{runtime} is not in rotctl's table of Lambda runtimes (read {AS_OF})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str) -> Timestamp {
        format!("{day}T12:00:00Z").parse().expect("a date")
    }

    #[test]
    fn deprecated_soon_and_supported_by_the_table() {
        let now = at("2026-12-02");
        assert!(matches!(Verdict::of("python3.9", now), Verdict::Deprecated(s) if s.deprecated == d(2025, 12, 15)));
        assert!(matches!(Verdict::of("python3.10", now), Verdict::Deprecated(_)));
        assert!(matches!(Verdict::of("python3.12", now), Verdict::Supported(_)));
        assert_eq!(Verdict::of("java8.al2023", now), Verdict::Unknown);
        assert_eq!(Verdict::of("", now), Verdict::Unknown);
        // 90 days before python3.11's deprecation (2027-06-30), and the day before that.
        assert!(matches!(Verdict::of("python3.11", at("2027-04-01")), Verdict::DeprecatedSoon(_, 90)));
        assert!(matches!(Verdict::of("python3.11", at("2027-03-31")), Verdict::Supported(_)));
        assert!(matches!(Verdict::of("python3.11", at("2027-06-29")), Verdict::DeprecatedSoon(_, 1)));
        assert!(matches!(Verdict::of("python3.11", at("2027-06-30")), Verdict::Deprecated(_)));
    }

    #[test]
    fn described_with_the_block_dates() {
        let now = at("2026-12-02");
        assert_eq!(
            Verdict::of("python3.9", now).describe("python3.9", now),
            "python3.9 was deprecated by Lambda on 2025-12-15 (no more security patches); creates blocked from \
             2027-02-01, updates blocked from 2027-03-03"
        );
        assert_eq!(
            Verdict::of("python3.7", now).describe("python3.7", now),
            "python3.7 was deprecated by Lambda on 2023-12-04 (no more security patches); creates blocked since \
             2024-01-09, updates blocked from 2027-03-03"
        );
        let soon = at("2027-05-01");
        assert_eq!(
            Verdict::of("python3.11", soon).describe("python3.11", soon),
            "python3.11 is deprecated by Lambda on 2027-06-30 (in 60 days); creates blocked from 2027-07-31, \
             updates blocked from 2027-08-31"
        );
    }

    #[test]
    fn the_table_is_in_order_of_its_own_dates() {
        for s in TABLE {
            let create = s.block_create.expect("scheduled");
            let update = s.block_update.expect("scheduled");
            assert!(s.deprecated <= create && create <= update, "{}", s.runtime);
        }
    }
}
