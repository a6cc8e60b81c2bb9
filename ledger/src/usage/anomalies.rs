//! Days whose spend departs from their own recent past, per project, API
//! key or model: "is this normal?".
//!
//! The rule (docs/anomalies.md): for a day `d` and one value of the
//! dimension (one model, say), the baseline is that value's spend on the
//! [`BASELINE_DAYS`] days before `d` that are the same kind of day as `d`
//! (weekdays against weekdays, weekends against weekends, since usage
//! follows office hours). With `m` the baseline's median and `MAD` its
//! median absolute deviation, the robust z-score is
//! `0.6745 × (spend − m) / MAD` (Iglewicz and Hoaglin); the day is an
//! anomaly when `|z| ≥ threshold` (3.5 by default) and the spend differs
//! from `m` by at least `min_change` (so cents do not page anyone). A flat
//! baseline (`MAD = 0`) flags any day that differs from it by
//! `min_change`, with no z-score. A day without usage counts as $0, so a
//! model's first day of spend is judged against zeros. Today is never
//! judged: it is not over.
use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use sea_orm::ConnectionTrait;

use super::{Dimension, Sum, UsageFilter, daily_usage};
use crate::dates::DayRange;
use crate::error::{Result, invalid};

/// Days of history a day is judged against (of its own kind).
pub const BASELINE_DAYS: u64 = 28;
pub const DEFAULT_THRESHOLD: f64 = 3.5;
/// $1.00: smaller moves are not worth a look, however unusual.
pub const DEFAULT_MIN_CHANGE_MICROS: i64 = 1_000_000;
/// Makes the MAD comparable to a standard deviation for normal data.
const CONSISTENCY: f64 = 0.6745;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub threshold: f64,
    pub min_change_micros: i64,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            min_change_micros: DEFAULT_MIN_CHANGE_MICROS,
        }
    }
}

impl Rule {
    pub fn check(&self) -> Result<()> {
        if !(self.threshold.is_finite() && self.threshold > 0.0) {
            return Err(invalid("threshold must be a number above 0"));
        }
        if self.min_change_micros < 0 {
            return Err(invalid("minChangeUsd must not be negative"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub day: NaiveDate,
    pub dimension: Dimension,
    pub value: String,
    pub cost_micros: i64,
    pub baseline_median_micros: i64,
    pub baseline_mad_micros: i64,
    /// `None` when the baseline was flat (every day the same spend).
    pub z_score: Option<f64>,
    pub baseline_days: usize,
}

impl Anomaly {
    /// Above the baseline (a spike) rather than below it (a drop).
    pub fn is_spike(&self) -> bool {
        self.cost_micros > self.baseline_median_micros
    }
}

/// The anomalies of `range` (today left out), by day then value.
pub async fn anomalies(
    db: &impl ConnectionTrait,
    range: DayRange,
    dimension: Dimension,
    rule: Rule,
) -> Result<Vec<Anomaly>> {
    rule.check()?;
    if !matches!(
        dimension,
        Dimension::Project | Dimension::ApiKey | Dimension::Model
    ) {
        return Err(invalid("anomalies are found per project, API key or model"));
    }
    let today = Utc::now().date_naive();
    let to = range.to.min(today.pred_opt().unwrap_or(today));
    if to < range.from {
        return Ok(Vec::new());
    }
    let history = range
        .from
        .checked_sub_days(Days::new(BASELINE_DAYS))
        .ok_or_else(|| invalid("the range starts too early"))?;
    let filter = UsageFilter::new(DayRange::new(history, to)?);
    let mut series: BTreeMap<String, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    for row in daily_usage(db, &filter, &[dimension], &[Sum::CostMicros]).await? {
        if let Some(value) = row.group.get(&dimension) {
            series
                .entry(value.clone())
                .or_default()
                .insert(row.day, row.totals.cost_micros);
        }
    }
    let mut found = Vec::new();
    for day in DayRange::new(range.from, to)?.days() {
        for (value, spend) in &series {
            if let Some(anomaly) = judge(day, dimension, value, spend, rule) {
                found.push(anomaly);
            }
        }
    }
    Ok(found)
}

fn judge(
    day: NaiveDate,
    dimension: Dimension,
    value: &str,
    spend: &BTreeMap<NaiveDate, i64>,
    rule: Rule,
) -> Option<Anomaly> {
    let cost = spend.get(&day).copied().unwrap_or(0);
    let baseline: Vec<i64> = (1..=BASELINE_DAYS)
        .filter_map(|back| day.checked_sub_days(Days::new(back)))
        .filter(|past| is_weekend(*past) == is_weekend(day))
        .map(|past| spend.get(&past).copied().unwrap_or(0))
        .collect();
    let middle = median(baseline.clone());
    let mad = median(baseline.iter().map(|v| (v - middle).abs()).collect());
    let change = (cost - middle).abs();
    if change < rule.min_change_micros.max(1) {
        return None;
    }
    let z_score = (mad > 0).then(|| CONSISTENCY * (cost - middle) as f64 / mad as f64);
    if z_score.is_some_and(|z| z.abs() < rule.threshold) {
        return None;
    }
    Some(Anomaly {
        day,
        dimension,
        value: value.to_owned(),
        cost_micros: cost,
        baseline_median_micros: middle,
        baseline_mad_micros: mad,
        z_score,
        baseline_days: baseline.len(),
    })
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The median, the lower of the middle two for an even count (micro-USD
/// stay integers).
fn median(mut values: Vec<i64>) -> i64 {
    values.sort_unstable();
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::dates::parse_day(text).expect("day")
    }

    /// 28 days of $10 ± $1 on weekdays and $2 on weekends, before `d`.
    fn history(d: NaiveDate) -> BTreeMap<NaiveDate, i64> {
        (1..=28)
            .map(|back| {
                let past = d - Days::new(back);
                let cost = if is_weekend(past) {
                    2_000_000
                } else {
                    10_000_000 + i64::from(u8::try_from(back % 3).unwrap_or(0)) * 1_000_000
                        - 1_000_000
                };
                (past, cost)
            })
            .collect()
    }

    #[test]
    fn a_spike_is_flagged_and_an_ordinary_day_is_not() {
        let monday = day("2026-11-16");
        let mut spend = history(monday);
        spend.insert(monday, 60_000_000);
        let found = judge(monday, Dimension::Model, "gpt-4o", &spend, Rule::default())
            .expect("a $60 Monday against $9-11 Mondays is an anomaly");
        assert!(found.is_spike());
        assert_eq!(found.baseline_median_micros, 10_000_000);
        assert_eq!(found.baseline_mad_micros, 1_000_000);
        let z = found.z_score.expect("a z-score");
        assert!((z - 0.6745 * 50.0).abs() < 1e-9, "{z}");
        spend.insert(monday, 11_000_000);
        assert_eq!(
            judge(monday, Dimension::Model, "gpt-4o", &spend, Rule::default()),
            None
        );
    }

    #[test]
    fn weekends_are_judged_against_weekends() {
        let sunday = day("2026-11-15");
        let mut spend = history(sunday);
        // A weekday's spend on a Sunday is unusual for a Sunday.
        spend.insert(sunday, 10_000_000);
        let found = judge(sunday, Dimension::Project, "p", &spend, Rule::default())
            .expect("flagged against the $2 weekends");
        assert_eq!(found.baseline_days, 8);
        assert_eq!(found.baseline_median_micros, 2_000_000);
        assert_eq!(found.z_score, None, "a flat weekend baseline has no MAD");
    }

    #[test]
    fn small_changes_are_not_judged() {
        let monday = day("2026-11-16");
        let mut spend: BTreeMap<NaiveDate, i64> =
            (1..=28).map(|b| (monday - Days::new(b), 1_000)).collect();
        spend.insert(monday, 500_000);
        assert_eq!(
            judge(monday, Dimension::Model, "m", &spend, Rule::default()),
            None
        );
        let strict = Rule {
            min_change_micros: 100_000,
            ..Rule::default()
        };
        assert!(judge(monday, Dimension::Model, "m", &spend, strict).is_some());
    }

    #[test]
    fn rules_are_checked() {
        assert!(
            Rule {
                threshold: 0.0,
                ..Rule::default()
            }
            .check()
            .is_err()
        );
        assert!(
            Rule {
                threshold: f64::NAN,
                ..Rule::default()
            }
            .check()
            .is_err()
        );
        assert!(
            Rule {
                min_change_micros: -1,
                ..Rule::default()
            }
            .check()
            .is_err()
        );
        assert!(Rule::default().check().is_ok());
    }
}
