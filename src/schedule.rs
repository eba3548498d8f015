//! Rotation schedules: turning `--every-days`, `--schedule` and `--window`
//! into RotationRules, checked with AWS's rules before any call, and telling
//! whether two sets of rules mean the same schedule.
//!
//! AWS's rules (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html,
//! and the RotationRulesType API reference):
//! - AutomaticallyAfterDays 1-1000, never together with ScheduleExpression;
//! - `rate(N hours|days)`, at most every 4 hours;
//! - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, minutes 0,
//!   year `*`, day-of-month or day-of-week `?`; rotation at most every 4 hours;
//! - Duration `Nh`: the window must not reach into the next window or the next UTC day.

use crate::error::shown;
pub use crate::model::RotationRules;

const MAX_DAYS: i64 = 1000;
const MIN_HOURS: i64 = 4;

/// The rules asked for on the command line; None when none were given.
pub fn rules_from_args(
    every_days: Option<i64>,
    schedule: Option<&str>,
    window: Option<&str>,
) -> Result<Option<RotationRules>, String> {
    let window_hours = window.map(parse_window).transpose()?;
    let rules = match (every_days, schedule) {
        (Some(_), Some(_)) => {
            return Err("--every-days and --schedule cannot be used together (AWS takes one or the other)".into());
        }
        (None, None) if window.is_some() => {
            return Err("--window needs a schedule (add --every-days N or --schedule EXPR)".into());
        }
        (None, None) => return Ok(None),
        (Some(days), None) => {
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(format!("--every-days {days} is out of range (AWS allows 1 to {MAX_DAYS})"));
            }
            match window {
                // A window needs a schedule expression: every N days, as one.
                Some(window) => RotationRules {
                    automatically_after_days: None,
                    schedule_expression: Some(format!("rate({days} {})", if days == 1 { "day" } else { "days" })),
                    duration: Some(window.to_string()),
                },
                None => RotationRules { automatically_after_days: Some(days), ..Default::default() },
            }
        }
        (None, Some(expression)) => RotationRules {
            automatically_after_days: None,
            schedule_expression: Some(expression.to_string()),
            duration: window.map(str::to_string),
        },
    };
    if let Some(expression) = &rules.schedule_expression {
        let schedule = parse(expression)?;
        if let Some(hours) = window_hours {
            schedule.check_window(hours)?;
        }
    }
    Ok(Some(rules))
}

/// A parsed schedule: how often, and the hours of the day windows start.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Schedule {
    /// Shortest time between two windows, in hours.
    interval_hours: i64,
    /// Hour of day (UTC) the last window of a day starts: the window must end by midnight.
    last_hour: i64,
    /// `rate(N days)`: N.
    rate_days: Option<i64>,
}

impl Schedule {
    fn check_window(&self, hours: i64) -> Result<(), String> {
        if hours >= self.interval_hours {
            return Err(format!(
                "--window {hours}h is not shorter than the schedule's interval ({}h): windows would overlap",
                self.interval_hours
            ));
        }
        if self.last_hour + hours > 24 {
            return Err(format!(
                "--window {hours}h starting at {:02}:00 UTC runs into the next UTC day (AWS does not allow that; at most {}h)",
                self.last_hour,
                24 - self.last_hour
            ));
        }
        Ok(())
    }
}

fn parse_window(window: &str) -> Result<i64, String> {
    let hours = window.strip_suffix('h').filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match hours.and_then(|n| n.parse::<i64>().ok()) {
        Some(hours @ 1..=24) => Ok(hours),
        _ => Err(format!("--window {} is not a window (use whole hours, 1h to 24h, e.g. 4h)", shown(window))),
    }
}

fn parse(expression: &str) -> Result<Schedule, String> {
    let quoted = shown(expression);
    if let Some(inner) = expression.strip_prefix("rate(").and_then(|rest| rest.strip_suffix(')')) {
        return parse_rate(expression, inner);
    }
    if let Some(inner) = expression.strip_prefix("cron(").and_then(|rest| rest.strip_suffix(')')) {
        return parse_cron(expression, inner);
    }
    Err(format!("--schedule {quoted} is not a schedule (use rate(N days), rate(N hours) or cron(0 H D M W *))"))
}

fn parse_rate(expression: &str, inner: &str) -> Result<Schedule, String> {
    let quoted = shown(expression);
    let bad = || format!("--schedule {quoted}: a rate is rate(N hours) or rate(N days), N a whole number");
    let (amount, unit) = inner.split_once(' ').ok_or_else(bad)?;
    let amount: i64 = amount.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?;
    let hours = match unit {
        "hour" | "hours" if amount > MAX_DAYS * 24 => {
            return Err(format!("--schedule {quoted}: at most every {MAX_DAYS} days"));
        }
        "hour" | "hours" => amount,
        "day" | "days" if amount > MAX_DAYS => {
            return Err(format!("--schedule {quoted}: at most every {MAX_DAYS} days"));
        }
        "day" | "days" => amount * 24,
        _ => return Err(bad()),
    };
    if hours < MIN_HOURS {
        return Err(format!("--schedule {quoted}: AWS rotates at most every {MIN_HOURS} hours"));
    }
    let rate_days = unit.starts_with("day").then_some(amount);
    Ok(Schedule { interval_hours: hours, last_hour: 0, rate_days })
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn parse_cron(expression: &str, inner: &str) -> Result<Schedule, String> {
    let quoted = shown(expression);
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, day_of_month, month, day_of_week, year] = fields[..] else {
        return Err(format!(
            "--schedule {quoted}: cron takes six fields: minutes hours day-of-month month day-of-week year"
        ));
    };
    let field_error =
        |name: &str, value: &str| format!("--schedule {quoted}: the {name} field {} is not valid", shown(value));
    if minutes != "0" {
        return Err(format!(
            "--schedule {quoted}: Secrets Manager needs minutes 0 (rotation windows start on the hour)"
        ));
    }
    if year != "*" {
        return Err(format!("--schedule {quoted}: Secrets Manager needs year * (recurring schedules only)"));
    }
    if day_of_month != "?" && day_of_week != "?" {
        return Err(format!(
            "--schedule {quoted}: set day-of-month or day-of-week, and the other to ? (e.g. cron(0 4 ? * SUN *))"
        ));
    }
    let hour_values = values(hours, 0, 23, &[], false).ok_or_else(|| field_error("hours", hours))?;
    values(day_of_month, 1, 31, &[], true).ok_or_else(|| field_error("day-of-month", day_of_month))?;
    values(month, 1, 12, &MONTHS, false).ok_or_else(|| field_error("month", month))?;
    values(day_of_week, 1, 7, &WEEKDAYS, true).ok_or_else(|| field_error("day-of-week", day_of_week))?;
    let mut hour_values = hour_values.unwrap_or_else(|| (0..24).collect());
    hour_values.sort_unstable();
    hour_values.dedup();
    let first_hour = hour_values.first().copied().unwrap_or(0);
    let last_hour = hour_values.last().copied().unwrap_or(0);
    let gaps = hour_values.windows(2).map(|w| w[1] - w[0]);
    let wrap = 24 - last_hour + first_hour;
    let interval_hours = gaps.chain(std::iter::once(wrap)).min().unwrap_or(24);
    if interval_hours < MIN_HOURS {
        return Err(format!("--schedule {quoted}: AWS rotates at most every {MIN_HOURS} hours"));
    }
    Ok(Schedule { interval_hours, last_hour, rate_days: None })
}

/// The values a cron field allows (None for "every": `*` or `?`), or None
/// (the outer Option) when the field is not valid. `special` admits the
/// day fields' L, W and # forms, which rotctl checks but does not expand.
#[allow(clippy::option_option)]
fn values(field: &str, low: i64, high: i64, names: &[&str], special: bool) -> Option<Option<Vec<i64>>> {
    if field == "*" || field == "?" {
        return Some(None);
    }
    let number = |text: &str| -> Option<i64> {
        let value = match names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            Some(index) => i64::try_from(index).ok()? + low,
            None => text.parse().ok()?,
        };
        (low..=high).contains(&value).then_some(value)
    };
    let mut all = Vec::new();
    for part in field.split(',') {
        if special && (part == "L" || part.ends_with('L') || part.ends_with('W') || part.contains('#')) {
            let head = part.trim_end_matches(['L', 'W']).split('#').next().unwrap_or_default();
            if !head.is_empty() && number(head).is_none() {
                return None;
            }
            continue;
        }
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<i64>().ok().filter(|s| *s >= 1)?),
            None => (part, 1),
        };
        let (start, end) = match range.split_once('-') {
            _ if range == "*" => (low, high),
            Some((a, b)) => (number(a)?, number(b)?),
            None if step > 1 => (number(range)?, high),
            None => (number(range)?, number(range)?),
        };
        if start > end {
            return None;
        }
        all.extend((start..=end).step_by(usize::try_from(step).ok()?));
    }
    Some(Some(all))
}

/// The longest time between two rotations the rules allow, in days: the
/// audit's interval. Days and `rate()` are exact; for `cron()` it is the
/// longest gap between window starts over the next two years.
pub fn interval_days(rules: &RotationRules) -> Option<f64> {
    match (&rules.schedule_expression, rules.automatically_after_days) {
        (Some(expression), _) => {
            if let Some(inner) = expression.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
                return parse_rate(expression, inner).ok().map(|s| s.interval_hours as f64 / 24.0);
            }
            cron_max_gap_hours(expression).map(|hours| hours as f64 / 24.0)
        }
        (None, Some(days)) => Some(days as f64),
        (None, None) => None,
    }
}

/// The longest gap between consecutive window starts of a cron schedule,
/// over 8 years from 2026-01-01 (a fixed start, so the answer is stable; 8
/// years hold two February 29ths). Fewer than two windows in that time
/// counts as the whole span.
fn cron_max_gap_hours(expression: &str) -> Option<i64> {
    const SPAN_DAYS: i32 = 366 * 8;
    let inner = expression.strip_prefix("cron(")?.strip_suffix(')')?;
    parse_cron(expression, inner).ok()?;
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let hours = values(fields[1], 0, 23, &[], false)?.unwrap_or_else(|| (0..24).collect());
    let months = values(fields[3], 1, 12, &MONTHS, false)?;
    let start = jiff::civil::date(2026, 1, 1);
    let mut previous: Option<i64> = None;
    let mut longest = 0;
    let mut windows = 0;
    for offset in 0..SPAN_DAYS {
        let day = start.checked_add(jiff::Span::new().days(offset)).ok()?;
        if months.as_ref().is_some_and(|m| !m.contains(&i64::from(day.month()))) {
            continue;
        }
        if !day_matches(fields[2], fields[4], day) {
            continue;
        }
        for hour in &hours {
            windows += 1;
            let at = i64::from(offset) * 24 + hour;
            if let Some(before) = previous {
                longest = longest.max(at - before);
            }
            previous = Some(at);
        }
    }
    if windows < 2 {
        return Some(i64::from(SPAN_DAYS) * 24);
    }
    Some(longest)
}

/// Whether `day` matches the day-of-month and day-of-week fields (one is `?`),
/// including L (last day), nW (weekday nearest n), nL (last weekday n) and n#k.
fn day_matches(day_of_month: &str, day_of_week: &str, day: jiff::civil::Date) -> bool {
    let last = day.last_of_month().day();
    let weekday = i64::from(day.weekday().to_sunday_one_offset()); // SUN=1 .. SAT=7, as AWS cron
    let day_of_month_ok = day_of_month.split(',').any(|part| match part {
        "?" | "*" => true,
        "L" => day.day() == last,
        _ if part.ends_with('W') => {
            part.trim_end_matches('W').parse::<i8>().ok().filter(|n| *n >= 1).is_some_and(|n| {
                let Ok(target) = jiff::civil::Date::new(day.year(), day.month(), n.min(last)) else { return false };
                let nearest = match target.weekday() {
                    jiff::civil::Weekday::Saturday if n == 1 => target.tomorrow().and_then(jiff::civil::Date::tomorrow),
                    jiff::civil::Weekday::Saturday => target.yesterday(),
                    jiff::civil::Weekday::Sunday if n >= last => {
                        target.yesterday().and_then(jiff::civil::Date::yesterday)
                    }
                    jiff::civil::Weekday::Sunday => target.tomorrow(),
                    _ => Ok(target),
                };
                nearest.is_ok_and(|d| d == day)
            })
        }
        _ => values(part, 1, 31, &[], false).flatten().is_some_and(|v| v.contains(&i64::from(day.day()))),
    });
    let day_of_week_ok = day_of_week.split(',').any(|part| match part {
        "?" | "*" => true,
        _ if part.contains('#') => part.split_once('#').is_some_and(|(d, k)| {
            let d = WEEKDAYS
                .iter()
                .position(|n| n.eq_ignore_ascii_case(d))
                .map(|i| i as i64 + 1)
                .or_else(|| d.parse().ok());
            d == Some(weekday) && k.parse::<i8>().is_ok_and(|k| (day.day() - 1) / 7 + 1 == k)
        }),
        _ if part.ends_with('L') => {
            let d = part.trim_end_matches('L');
            let d = WEEKDAYS
                .iter()
                .position(|n| n.eq_ignore_ascii_case(d))
                .map(|i| i as i64 + 1)
                .or_else(|| d.parse().ok());
            d == Some(weekday) && day.day() + 7 > last
        }
        _ => values(part, 1, 7, &WEEKDAYS, false).flatten().is_some_and(|v| v.contains(&weekday)),
    });
    day_of_month_ok && day_of_week_ok
}

/// Whether two sets of rules give the same schedule: `AutomaticallyAfterDays
/// N` is `rate(N days)` with the default window, whichever way AWS reports it.
pub fn same_schedule(a: &RotationRules, b: &RotationRules) -> bool {
    normal(a) == normal(b)
}

fn normal(rules: &RotationRules) -> (Option<String>, Option<String>) {
    let expression = match (&rules.schedule_expression, rules.automatically_after_days) {
        (Some(expression), _) => match parse(expression) {
            Ok(Schedule { rate_days: Some(days), .. }) => Some(format!("days:{days}")),
            _ => Some(expression.split_whitespace().collect::<Vec<_>>().join(" ")),
        },
        (None, Some(days)) => Some(format!("days:{days}")),
        (None, None) => None,
    };
    (expression, rules.duration.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(days: Option<i64>, schedule: Option<&str>, window: Option<&str>) -> Result<Option<RotationRules>, String> {
        rules_from_args(days, schedule, window)
    }

    fn accepted(schedule: &str, window: Option<&str>) {
        assert!(
            rules(None, Some(schedule), window).is_ok(),
            "{schedule} {window:?}: {:?}",
            rules(None, Some(schedule), window)
        );
    }

    fn refused(days: Option<i64>, schedule: Option<&str>, window: Option<&str>, says: &str) {
        let error = rules(days, schedule, window).expect_err("refused");
        assert!(error.contains(says), "{days:?} {schedule:?} {window:?}: {error}");
    }

    #[test]
    fn days_alone_and_with_a_window() {
        assert_eq!(rules(None, None, None), Ok(None));
        assert_eq!(
            rules(Some(30), None, None),
            Ok(Some(RotationRules { automatically_after_days: Some(30), ..Default::default() }))
        );
        assert_eq!(
            rules(Some(30), None, Some("4h")),
            Ok(Some(RotationRules {
                automatically_after_days: None,
                schedule_expression: Some("rate(30 days)".into()),
                duration: Some("4h".into())
            }))
        );
        assert_eq!(
            rules(Some(1), None, Some("2h")).map(|r| r.and_then(|r| r.schedule_expression)),
            Ok(Some("rate(1 day)".into()))
        );
    }

    #[test]
    fn schedules_aws_accepts() {
        for schedule in [
            "rate(4 hours)",
            "rate(1 day)",
            "rate(1000 days)",
            "cron(0 16 1,15 * ? *)",
            "cron(0 4 ? * SUN *)",
            "cron(0 0/6 * * ? *)",
            "cron(0 8 L * ? *)",
            "cron(0 8 ? * 6#3 *)",
            "cron(0 9 ? JAN-MAR MON-FRI *)",
            "cron(0 */4 * * ? *)",
        ] {
            accepted(schedule, None);
        }
        accepted("rate(12 hours)", Some("11h"));
        accepted("cron(0 20 * * ? *)", Some("4h"));
        accepted("rate(1 day)", Some("23h"));
    }

    #[test]
    fn schedules_aws_refuses() {
        refused(Some(30), Some("rate(30 days)"), None, "cannot be used together");
        refused(Some(0), None, None, "1 to 1000");
        refused(Some(1001), None, None, "1 to 1000");
        refused(None, None, Some("2h"), "--window needs a schedule");
        refused(None, Some("rate(3 hours)"), None, "every 4 hours");
        refused(None, Some("rate(1001 days)"), None, "1000 days");
        refused(None, Some("rate(0 days)"), None, "whole number");
        refused(None, Some("rate(2 weeks)"), None, "rate(N hours)");
        refused(None, Some("every day"), None, "not a schedule");
        refused(None, Some("cron(15 4 * * ? *)"), None, "minutes 0");
        refused(None, Some("cron(0 4 * * ? 2027)"), None, "year *");
        refused(None, Some("cron(0 4 1 * MON *)"), None, "the other to ?");
        refused(None, Some("cron(0 4 * *)"), None, "six fields");
        refused(None, Some("cron(0 25 * * ? *)"), None, "hours field");
        refused(None, Some("cron(0 4 * FOO ? *)"), None, "month field");
        refused(None, Some("cron(0 0/2 * * ? *)"), None, "every 4 hours");
        refused(None, Some("cron(0 1,23 * * ? *)"), None, "every 4 hours");
        refused(None, Some("rate(4 hours)"), Some("4h"), "not shorter");
        refused(None, Some("cron(0 22 * * ? *)"), Some("3h"), "next UTC day");
        refused(None, Some("cron(0 4,20 * * ? *)"), Some("6h"), "next UTC day");
        refused(None, Some("rate(24001 hours)"), None, "1000 days");
        refused(None, Some("rate(1 day)"), Some("24h"), "not shorter");
        refused(None, Some("rate(10 days)"), Some("0h"), "1h to 24h");
        refused(None, Some("rate(10 days)"), Some("2 hours"), "1h to 24h");
        refused(None, Some("rate(10 days)"), Some("99h"), "1h to 24h");
    }

    #[test]
    fn intervals_in_days() {
        let with =
            |expression: &str| RotationRules { schedule_expression: Some(expression.into()), ..Default::default() };
        assert_eq!(
            interval_days(&RotationRules { automatically_after_days: Some(90), ..Default::default() }),
            Some(90.0)
        );
        assert_eq!(interval_days(&with("rate(12 hours)")), Some(0.5));
        assert_eq!(interval_days(&with("rate(30 days)")), Some(30.0));
        assert_eq!(interval_days(&with("cron(0 4 * * ? *)")), Some(1.0));
        assert_eq!(interval_days(&with("cron(0 4 ? * SUN *)")), Some(7.0));
        assert_eq!(interval_days(&with("cron(0 0/6 * * ? *)")), Some(0.25));
        assert_eq!(interval_days(&with("cron(0 4 1 * ? *)")), Some(31.0), "monthly: the longest month");
        assert_eq!(interval_days(&with("cron(0 4 1 1,7 ? *)")), Some(184.0), "twice a year");
        assert_eq!(interval_days(&with("cron(0 8 ? * 6#3 *)")), Some(35.0), "third Friday");
        assert_eq!(interval_days(&with("cron(0 8 L * ? *)")), Some(31.0), "last day of the month");
        assert_eq!(interval_days(&with("not a schedule")), None);
        assert!(interval_days(&with("cron(0 4 29 2 ? *)")).is_some_and(|d| d > 1000.0), "Feb 29: every four years");
    }

    #[test]
    fn the_same_schedule_however_aws_reports_it() {
        let days = RotationRules { automatically_after_days: Some(30), ..Default::default() };
        let reported = RotationRules {
            automatically_after_days: Some(30),
            schedule_expression: Some("rate(30 days)".into()),
            duration: None,
        };
        assert!(same_schedule(&days, &reported));
        let windowed = RotationRules { duration: Some("4h".into()), ..reported.clone() };
        assert!(!same_schedule(&days, &windowed));
        let other = RotationRules { automatically_after_days: Some(7), ..Default::default() };
        assert!(!same_schedule(&days, &other));
        let cron = RotationRules { schedule_expression: Some("cron(0 4 ? * SUN *)".into()), ..Default::default() };
        assert!(same_schedule(&cron, &cron.clone()));
    }
}
