//! Money is integer micro-USD in storage and exact `Decimal` at the edges.
use rust_decimal::Decimal;

pub const MICROS_PER_USD: i64 = 1_000_000;

pub fn micros_to_usd(micros: i64) -> Decimal {
    Decimal::new(micros, 6)
}

/// Rounds half away from zero to the nearest micro-dollar; `None` when the
/// value is outside what an `i64` of micro-dollars holds.
pub fn usd_to_micros(usd: Decimal) -> Option<i64> {
    let scaled = usd.checked_mul(Decimal::from(MICROS_PER_USD))?;
    i64::try_from(
        scaled.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    )
    .ok()
}

/// A per-request price from the calculator (f64 USD) to micro-USD. Only
/// single prices go through f64; every sum is over integers.
pub fn f64_usd_to_micros(usd: f64) -> Option<i64> {
    let micros = (usd * MICROS_PER_USD as f64).round();
    (micros.is_finite() && micros.abs() < i64::MAX as f64).then_some(micros as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(micros_to_usd(2_892_020).to_string(), "2.892020");
        assert_eq!(usd_to_micros(Decimal::new(15, 7)), Some(2));
        assert_eq!(f64_usd_to_micros(7.057195), Some(7_057_195));
        assert_eq!(f64_usd_to_micros(f64::NAN), None);
    }
}
