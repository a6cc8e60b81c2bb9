//! The complexity of fields whose work grows with their arguments, for
//! async-graphql's complexity limit. The limit adds up every field of a
//! document, each alias on its own, so 500 aliases of a year of
//! `dailyUsage` grouped by every dimension weigh 500 times that field.
//!
//! A field that reads a range of days costs its selection (`child`) once
//! for every started 30 days, times one more for each grouping dimension
//! (each multiplies the rows): with the default limit of 10,000, a year of
//! `dailyUsage` grouped by all seven dimensions with every column
//! (~20) costs 20 × 13 × 8 = 2,080, so a handful fit in one request and
//! 500 never do. A paged list costs its selection once per 50 rows asked for.
use chrono::NaiveDate;
use ledger::dates::MAX_RANGE_DAYS;
use ledger::page::{DEFAULT_PAGE, MAX_PAGE};

/// Days weighed as one step of a range.
pub const DAYS_PER_STEP: i64 = 30;
/// Rows weighed as one step of a page.
pub const ROWS_PER_STEP: u64 = 50;

/// A field over the days `from..=to` grouped by `dimensions` dimensions.
/// A reversed or oversized range is weighed as the largest one (the
/// resolver refuses it anyway).
pub fn ranged(from: NaiveDate, to: NaiveDate, dimensions: usize, child: usize) -> usize {
    let days = (to - from).num_days() + 1;
    if (1..=MAX_RANGE_DAYS).contains(&days) {
        weigh(days, dimensions, child)
    } else {
        weigh(MAX_RANGE_DAYS, dimensions, child)
    }
}

/// A field over an optional range; no range means every day.
pub fn optional_range(from: Option<NaiveDate>, to: Option<NaiveDate>, child: usize) -> usize {
    match (from, to) {
        (Some(from), Some(to)) => ranged(from, to, 0, child),
        _ => weigh(MAX_RANGE_DAYS, 0, child),
    }
}

fn weigh(days: i64, dimensions: usize, child: usize) -> usize {
    let steps = usize::try_from((days + DAYS_PER_STEP - 1) / DAYS_PER_STEP).unwrap_or(usize::MAX);
    child
        .max(1)
        .saturating_mul(steps)
        .saturating_mul(dimensions.saturating_add(1))
}

/// A paged list asking for `first` rows (the default page when absent).
pub fn paged(first: Option<i32>, child: usize) -> usize {
    let rows = first
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, MAX_PAGE);
    let steps = usize::try_from(rows.div_ceil(ROWS_PER_STEP)).unwrap_or(usize::MAX);
    child.max(1).saturating_mul(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("day")
    }

    #[test]
    fn range_and_grouping_multiply() {
        assert_eq!(ranged(day("2026-01-01"), day("2026-01-01"), 0, 20), 20);
        assert_eq!(ranged(day("2026-01-01"), day("2026-01-30"), 0, 20), 20);
        assert_eq!(ranged(day("2026-01-01"), day("2026-01-31"), 0, 20), 40);
        assert_eq!(
            ranged(day("2026-01-01"), day("2026-12-31"), 7, 20),
            20 * 13 * 8
        );
        // Reversed: the largest range.
        assert_eq!(ranged(day("2026-12-31"), day("2026-01-01"), 0, 1), 34);
    }

    #[test]
    fn no_range_is_every_day_and_pages_count_their_rows() {
        assert_eq!(optional_range(None, None, 2), 68);
        assert_eq!(paged(None, 10), 10);
        assert_eq!(paged(Some(500), 10), 100);
        assert_eq!(paged(Some(-5), 10), 10);
    }
}
