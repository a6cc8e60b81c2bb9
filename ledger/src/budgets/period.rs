//! Budget periods (a UTC day or a UTC calendar month) and the run-rate
//! forecast of a period's final spend.
use chrono::{Datelike, Months, NaiveDate};

use entity::enums::BudgetPeriod;

/// The days of one period, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeriodWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl PeriodWindow {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// The period that contains `day`.
pub fn window(period: BudgetPeriod, day: NaiveDate) -> PeriodWindow {
    match period {
        BudgetPeriod::Daily => PeriodWindow {
            start: day,
            end: day,
        },
        BudgetPeriod::Monthly => {
            let start = day.with_day(1).unwrap_or(day);
            // The day before the 1st of next month; chrono only fails
            // past year 262143, where the month's own day is a fine end.
            let end = start
                .checked_add_months(Months::new(1))
                .and_then(|next| next.pred_opt())
                .unwrap_or(day);
            PeriodWindow { start, end }
        }
    }
}

/// Run-rate forecast of the period's final spend: spend so far divided by
/// the days elapsed (the evaluated day included), times the period's days,
/// rounded half up in exact integers. A daily period, or a finished one,
/// forecasts its spend.
pub fn forecast_micros(spend_micros: i64, window: PeriodWindow, as_of: NaiveDate) -> i64 {
    let elapsed = i128::from((as_of.min(window.end) - window.start).num_days() + 1);
    let total = i128::from(window.days());
    if elapsed <= 0 || elapsed >= total {
        return spend_micros;
    }
    let scaled = i128::from(spend_micros) * total;
    let forecast = (scaled + elapsed / 2) / elapsed;
    i64::try_from(forecast).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::dates::parse_day(text).expect("valid day")
    }

    #[test]
    fn monthly_windows_are_calendar_months() {
        let w = window(BudgetPeriod::Monthly, day("2026-02-17"));
        assert_eq!((w.start, w.end), (day("2026-02-01"), day("2026-02-28")));
        let w = window(BudgetPeriod::Monthly, day("2028-02-29"));
        assert_eq!(w.days(), 29);
        let w = window(BudgetPeriod::Monthly, day("2026-12-31"));
        assert_eq!((w.start, w.end), (day("2026-12-01"), day("2026-12-31")));
        let w = window(BudgetPeriod::Daily, day("2026-12-31"));
        assert_eq!(
            (w.start, w.end, w.days()),
            (day("2026-12-31"), day("2026-12-31"), 1)
        );
    }

    #[test]
    fn forecast_is_the_run_rate() {
        let w = window(BudgetPeriod::Monthly, day("2026-11-10"));
        // $10 over 10 of 30 days runs at $30 for the month.
        assert_eq!(
            forecast_micros(10_000_000, w, day("2026-11-10")),
            30_000_000
        );
        // 1 micro over 7 of 30 days: 30/7 = 4.29, rounded to 4.
        assert_eq!(forecast_micros(1, w, day("2026-11-07")), 4);
        // A finished month forecasts what it spent.
        assert_eq!(forecast_micros(5, w, day("2026-11-30")), 5);
        let d = window(BudgetPeriod::Daily, day("2026-11-10"));
        assert_eq!(forecast_micros(7, d, day("2026-11-10")), 7);
        // No overflow near the limit.
        assert_eq!(forecast_micros(i64::MAX, w, day("2026-11-01")), i64::MAX);
    }
}
