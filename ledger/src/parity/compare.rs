//! Comparing an export with the stored figures, window by window (one
//! UTC day and one grouping) and day by day.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::csv::{WindowKey, Windows};
use crate::dates::DayRange;
use crate::error::{Result, invalid};

/// Findings listed per kind; the counts are always complete. A badly
/// mismatched year of per-key exports would otherwise make a report of
/// megabytes that nobody reads past the first screen.
pub const MAX_LISTED: usize = 200;

/// How far apart two figures may be and still match: within the absolute
/// amount (tokens and requests, or USD for cost exports) or within the
/// percent of the provider's figure, whichever is looser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    pub absolute: Decimal,
    pub percent: Decimal,
}

impl Tolerance {
    pub fn new(absolute: Decimal, percent: Decimal) -> Result<Self> {
        if absolute.is_sign_negative() || percent.is_sign_negative() {
            return Err(invalid("tolerances must not be negative"));
        }
        Ok(Self { absolute, percent })
    }

    /// `csv` is the provider's figure, the reference for the percent.
    pub fn allows(&self, csv: Decimal, stored: Decimal) -> bool {
        let Some(diff) = stored.checked_sub(csv).map(|d| d.abs()) else {
            return false;
        };
        if diff <= self.absolute {
            return true;
        }
        // diff / |csv| <= pct / 100, without a division.
        match (
            diff.checked_mul(Decimal::ONE_HUNDRED),
            self.percent.checked_mul(csv.abs()),
        ) {
            (Some(lhs), Some(rhs)) => !self.percent.is_zero() && lhs <= rhs,
            _ => false,
        }
    }
}

/// One field of a window or day: the export's figure next to ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: String,
    pub csv: Decimal,
    pub stored: Decimal,
    /// Stored minus CSV.
    pub difference: Decimal,
    pub within_tolerance: bool,
}

impl FieldDiff {
    fn new(field: &str, csv: Decimal, stored: Decimal, tolerance: &Tolerance) -> Self {
        Self {
            field: field.to_owned(),
            csv,
            stored,
            difference: stored.saturating_sub(csv),
            within_tolerance: tolerance.allows(csv, stored),
        }
    }
}

/// A window found on one side only, or on both with different figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowFinding {
    pub date: NaiveDate,
    pub key: WindowKey,
    /// Missing and extra windows: every field (the absent side is 0).
    /// Mismatched windows: the fields that differ.
    pub fields: Vec<FieldDiff>,
}

/// One day's totals over every window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    pub date: NaiveDate,
    pub csv_windows: u64,
    pub stored_windows: u64,
    pub within_tolerance: bool,
    pub totals: Vec<FieldDiff>,
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Comparison {
    /// Compared fields and the dimensions of a window, from the header.
    pub fields: Vec<String>,
    pub dims: Vec<String>,
    pub csv_windows: u64,
    pub stored_windows: u64,
    /// In both, every field within tolerance.
    pub matched_windows: u64,
    /// In the export, not stored.
    pub missing_windows: u64,
    /// Stored, not in the export.
    pub extra_windows: u64,
    /// In both, some field outside tolerance.
    pub mismatched_windows: u64,
    /// Export windows on days outside the compared range (not compared).
    pub csv_windows_outside_range: u64,
    pub missing: Vec<WindowFinding>,
    pub extra: Vec<WindowFinding>,
    pub mismatched: Vec<WindowFinding>,
    /// True when a list above holds only the first [`MAX_LISTED`] findings.
    pub truncated: bool,
    pub days: Vec<DayTotals>,
    /// No mismatched window, and no missing or extra window with a figure
    /// beyond tolerance of zero.
    pub within_tolerance: bool,
}

/// Compares the export's windows with the stored ones over `range`. Both
/// maps hold values in the order of `fields`.
pub fn compare(
    range: DayRange,
    fields: &[&str],
    dims: &[&str],
    csv: &Windows,
    stored: &Windows,
    tolerance: &Tolerance,
) -> Comparison {
    let mut out = Comparison {
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        dims: dims.iter().map(|d| (*d).to_owned()).collect(),
        within_tolerance: true,
        ..Default::default()
    };
    let sides = Sides {
        fields,
        csv,
        stored,
        tolerance,
        zeros: vec![Decimal::ZERO; fields.len()],
    };
    let mut days: BTreeMap<NaiveDate, DaySums> = range
        .days()
        .map(|d| (d, DaySums::new(&sides.zeros)))
        .collect();
    sides.compare_csv_windows(&mut out, &mut days);
    sides.compare_stored_windows(&mut out, &mut days);
    out.days = days
        .into_iter()
        .map(|(date, sums)| sums.totals(date, fields, tolerance))
        .collect();
    out
}

/// What both passes over the windows compare.
struct Sides<'a> {
    fields: &'a [&'a str],
    csv: &'a Windows,
    stored: &'a Windows,
    tolerance: &'a Tolerance,
    /// The absent side of a one-sided window.
    zeros: Vec<Decimal>,
}

/// One day's window counts and per-field sums on each side.
struct DaySums {
    csv_windows: u64,
    stored_windows: u64,
    csv: Vec<Decimal>,
    stored: Vec<Decimal>,
}

impl DaySums {
    fn new(zeros: &[Decimal]) -> Self {
        Self {
            csv_windows: 0,
            stored_windows: 0,
            csv: zeros.to_vec(),
            stored: zeros.to_vec(),
        }
    }

    fn totals(self, date: NaiveDate, fields: &[&str], tolerance: &Tolerance) -> DayTotals {
        let totals: Vec<FieldDiff> = fields
            .iter()
            .zip(self.csv.iter().zip(&self.stored))
            .map(|(field, (t, o))| FieldDiff::new(field, *t, *o, tolerance))
            .collect();
        DayTotals {
            date,
            csv_windows: self.csv_windows,
            stored_windows: self.stored_windows,
            within_tolerance: totals.iter().all(|t| t.within_tolerance),
            totals,
        }
    }
}

impl Sides<'_> {
    /// Every export window in range: matched, mismatched or missing.
    fn compare_csv_windows(&self, out: &mut Comparison, days: &mut BTreeMap<NaiveDate, DaySums>) {
        for ((date, key), values) in self.csv {
            let Some(day) = days.get_mut(date) else {
                out.csv_windows_outside_range += 1;
                continue;
            };
            out.csv_windows += 1;
            day.csv_windows += 1;
            add(&mut day.csv, values);
            match self.stored.get(&(*date, key.clone())) {
                Some(ours) => self.compare_window(out, *date, key, values, ours),
                None => {
                    out.missing_windows += 1;
                    let diffs = all_fields(self.fields, values, &self.zeros, self.tolerance, true);
                    out.within_tolerance &= diffs.iter().all(|d| d.within_tolerance);
                    list(&mut out.missing, &mut out.truncated, *date, key, diffs);
                }
            }
        }
    }

    /// A window on both sides; only the fields that differ are listed.
    fn compare_window(
        &self,
        out: &mut Comparison,
        date: NaiveDate,
        key: &WindowKey,
        theirs: &[Decimal],
        ours: &[Decimal],
    ) {
        let diffs: Vec<FieldDiff> = self
            .fields
            .iter()
            .zip(theirs.iter().zip(ours))
            .filter(|(_, (theirs, ours))| theirs != ours)
            .map(|(field, (theirs, ours))| FieldDiff::new(field, *theirs, *ours, self.tolerance))
            .collect();
        if diffs.iter().all(|d| d.within_tolerance) {
            out.matched_windows += 1;
        } else {
            out.mismatched_windows += 1;
            out.within_tolerance = false;
            list(&mut out.mismatched, &mut out.truncated, date, key, diffs);
        }
    }

    /// Every stored window in range; those the export lacks are extra.
    fn compare_stored_windows(
        &self,
        out: &mut Comparison,
        days: &mut BTreeMap<NaiveDate, DaySums>,
    ) {
        for ((date, key), values) in self.stored {
            let Some(day) = days.get_mut(date) else {
                continue;
            };
            out.stored_windows += 1;
            day.stored_windows += 1;
            add(&mut day.stored, values);
            if !self.csv.contains_key(&(*date, key.clone())) {
                out.extra_windows += 1;
                let diffs = all_fields(self.fields, values, &self.zeros, self.tolerance, false);
                out.within_tolerance &= diffs.iter().all(|d| d.within_tolerance);
                list(&mut out.extra, &mut out.truncated, *date, key, diffs);
            }
        }
    }
}

fn add(sums: &mut [Decimal], values: &[Decimal]) {
    for (sum, value) in sums.iter_mut().zip(values) {
        *sum = sum.saturating_add(*value);
    }
}

/// Every field of a one-sided window against zero on the other side.
fn all_fields(
    fields: &[&str],
    values: &[Decimal],
    zeros: &[Decimal],
    tolerance: &Tolerance,
    in_csv: bool,
) -> Vec<FieldDiff> {
    fields
        .iter()
        .zip(values.iter().zip(zeros))
        .map(|(field, (value, zero))| {
            if in_csv {
                FieldDiff::new(field, *value, *zero, tolerance)
            } else {
                FieldDiff::new(field, *zero, *value, tolerance)
            }
        })
        .collect()
}

fn list(
    into: &mut Vec<WindowFinding>,
    truncated: &mut bool,
    date: NaiveDate,
    key: &WindowKey,
    fields: Vec<FieldDiff>,
) {
    if into.len() < MAX_LISTED {
        into.push(WindowFinding {
            date,
            key: key.clone(),
            fields,
        });
    } else {
        *truncated = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    fn key(model: &str) -> WindowKey {
        WindowKey {
            model: model.into(),
            ..Default::default()
        }
    }

    #[test]
    fn tolerance_is_absolute_or_relative() {
        let exact = Tolerance::default();
        assert!(exact.allows(d(10), d(10)));
        assert!(!exact.allows(d(10), d(11)));
        let abs = Tolerance::new(d(1), Decimal::ZERO).expect("valid");
        assert!(abs.allows(d(10), d(11)) && !abs.allows(d(10), d(12)));
        let pct = Tolerance::new(Decimal::ZERO, d(10)).expect("valid");
        assert!(pct.allows(d(100), d(110)) && !pct.allows(d(100), d(111)));
        // Nothing is within a percent of zero.
        assert!(!pct.allows(d(0), d(1)));
        assert!(Tolerance::new(d(-1), Decimal::ZERO).is_err());
    }

    #[test]
    fn finds_missing_extra_and_mismatched_windows() {
        let range = DayRange::parse("2026-01-01", "2026-01-02").expect("range");
        let day1 = range.from;
        let day2 = range.to;
        let outside = crate::dates::parse_day("2026-01-05").expect("day");
        let csv: Windows = [
            ((day1, key("a")), vec![d(1), d(100)]),
            ((day1, key("b")), vec![d(2), d(200)]),
            ((day2, key("a")), vec![d(3), d(300)]),
            ((outside, key("a")), vec![d(3), d(300)]),
        ]
        .into_iter()
        .collect();
        let stored: Windows = [
            ((day1, key("a")), vec![d(1), d(100)]),
            ((day2, key("a")), vec![d(3), d(301)]),
            ((day2, key("c")), vec![d(0), d(0)]),
            ((day2, key("d")), vec![d(1), d(5)]),
        ]
        .into_iter()
        .collect();
        let fields = ["num_model_requests", "input_tokens"];
        let out = compare(
            range,
            &fields,
            &["model"],
            &csv,
            &stored,
            &Tolerance::default(),
        );
        assert_eq!(out.matched_windows, 1);
        assert_eq!(out.missing_windows, 1);
        assert_eq!(out.extra_windows, 2);
        assert_eq!(out.mismatched_windows, 1);
        assert_eq!(out.csv_windows_outside_range, 1);
        assert_eq!(out.mismatched[0].fields.len(), 1);
        assert_eq!(out.mismatched[0].fields[0].difference, d(1));
        assert!(!out.within_tolerance);
        assert_eq!(out.days.len(), 2);
        assert_eq!(out.days[0].totals[1].csv, d(300));
        assert_eq!(out.days[0].totals[1].stored, d(100));

        // A zero-valued extra window is within any tolerance; one token off
        // is within an absolute tolerance of 5, but the missing window of
        // 200 tokens is not.
        let loose = Tolerance::new(d(5), Decimal::ZERO).expect("valid");
        let out = compare(range, &fields, &["model"], &csv, &stored, &loose);
        assert_eq!((out.matched_windows, out.mismatched_windows), (2, 0));
        assert!(!out.within_tolerance);
        let looser = Tolerance::new(d(500), Decimal::ZERO).expect("valid");
        assert!(compare(range, &fields, &["model"], &csv, &stored, &looser).within_tolerance);
    }
}
