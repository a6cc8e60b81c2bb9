//! Per-key rate limits on tracking writes: each ingest key has its own
//! bucket (governor's GCRA), so one runaway client cannot take the write
//! capacity of the others. A refused request is answered 429 with
//! `Retry-After` and does nothing. Keys are checked after they are
//! verified, so the table only ever holds keys that exist.
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per second per ingest key, sustained.
pub const DEFAULT_INGEST_REQUESTS_PER_SEC: u32 = 1_000;
/// Requests a key may send at once above the sustained rate.
pub const DEFAULT_INGEST_BURST: u32 = 2_000;

/// The quota of one ingest key; `None` switches the limit off.
pub fn quota(per_second: u32, burst: u32) -> Option<Quota> {
    let per_second = NonZeroU32::new(per_second)?;
    let burst = NonZeroU32::new(burst).unwrap_or(per_second);
    Some(Quota::per_second(per_second).allow_burst(burst))
}

#[derive(Debug, Clone, Default)]
pub struct WriteRate {
    limiter: Option<Arc<DefaultKeyedRateLimiter<i64>>>,
}

impl WriteRate {
    pub fn new(quota: Option<Quota>) -> Self {
        Self {
            limiter: quota.map(|quota| Arc::new(RateLimiter::keyed(quota))),
        }
    }

    /// `Err(wait)` when the key is over its quota: how long until it may
    /// send again.
    pub fn check(&self, key: i64) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// `Retry-After` in whole seconds, at least 1 (the header has no fractions).
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(60)), 60);
    }

    #[test]
    fn each_key_has_its_own_bucket() {
        let hour = Quota::with_period(Duration::from_secs(3_600))
            .expect("period")
            .allow_burst(NonZeroU32::new(2).expect("two"));
        let rate = WriteRate::new(Some(hour));
        assert_eq!(rate.check(1), Ok(()));
        assert_eq!(rate.check(1), Ok(()));
        let wait = rate.check(1).expect_err("third request of key 1");
        assert!(wait > Duration::from_secs(3_000), "{wait:?}");
        assert_eq!(rate.check(2), Ok(()));
    }

    #[test]
    fn no_quota_means_no_limit() {
        let rate = WriteRate::new(quota(0, 10));
        assert!((0..10_000).all(|_| rate.check(1).is_ok()));
    }
}
