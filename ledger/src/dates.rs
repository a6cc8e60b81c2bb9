//! UTC days and inclusive day ranges, validated once at the edge.
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::error::{Result, invalid};

/// The longest range any query or backfill accepts.
pub const MAX_RANGE_DAYS: i64 = 1000;

/// Exactly `YYYY-MM-DD` (chrono alone also reads `+10000-1-1` and
/// `-000-01-01`).
pub fn parse_day(text: &str) -> Result<NaiveDate> {
    let canonical = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    canonical
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| invalid(format!("malformed date {text:?}: expected YYYY-MM-DD")))
}

/// An inclusive range of UTC days, `from <= to`, at most [`MAX_RANGE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if from > to {
            return Err(invalid(format!("from ({from}) is after to ({to})")));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(invalid(format!(
                "range of {days} days is longer than the limit of {MAX_RANGE_DAYS}"
            )));
        }
        Ok(Self { from, to })
    }

    /// The `days` complete UTC days before `today` (which never is one).
    pub fn ending_yesterday(today: NaiveDate, days: u64) -> Result<Self> {
        let to = today.pred_opt().unwrap_or(today);
        let from = to
            .checked_sub_days(Days::new(days.saturating_sub(1)))
            .unwrap_or(to);
        Self::new(from, to)
    }

    pub fn parse(from: &str, to: &str) -> Result<Self> {
        Self::new(parse_day(from)?, parse_day(to)?)
    }

    /// An optional range: both ends or neither.
    pub fn parse_optional(from: Option<&str>, to: Option<&str>) -> Result<Option<Self>> {
        Self::optional(
            from.map(parse_day).transpose()?,
            to.map(parse_day).transpose()?,
        )
    }

    /// An optional range of parsed days: both ends or neither.
    pub fn optional(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Option<Self>> {
        match (from, to) {
            (Some(from), Some(to)) => Self::new(from, to).map(Some),
            (None, None) => Ok(None),
            _ => Err(invalid("give both from and to, or neither")),
        }
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |day| *day <= to)
    }

    pub fn len(&self) -> usize {
        ((self.to - self.from).num_days() + 1) as usize
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// `[from 00:00Z, to+1 00:00Z)`
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (midnight(self.from), midnight(next_day(self.to)))
    }
}

pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

pub fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_includes_both_ends() {
        let range = DayRange::parse("2026-09-01", "2026-09-30").expect("valid");
        assert_eq!(range.len(), 30);
        assert_eq!(range.days().count(), 30);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse_day("2026-13-01").is_err());
        assert!(parse_day("2026-1-01").is_err());
        assert!(parse_day("yesterday").is_err());
        assert!(parse_day("+10000-1-1").is_err());
        assert!(parse_day("-000-01-01").is_err());
        assert!(parse_day("2026-02-30").is_err());
        assert!(parse_day("２０２６-01-01").is_err());
        assert!(DayRange::parse("2026-09-02", "2026-09-01").is_err());
        assert!(DayRange::parse("2020-01-01", "2026-01-01").is_err());
    }
}
