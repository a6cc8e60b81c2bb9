//! Latency samples and their percentiles.
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Latencies(pub Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    /// The nearest-rank percentile (`q` in 0..=1), in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1].as_secs_f64() * 1_000.0
    }

    pub fn summary(&self) -> String {
        format!(
            "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms (n={})",
            self.ms(0.50),
            self.ms(0.95),
            self.ms(0.99),
            self.0.len()
        )
    }
}

/// A throughput figure: `items` in `took`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub items: u64,
    pub took: Duration,
}

impl Rate {
    pub fn per_sec(&self) -> f64 {
        self.items as f64 / self.took.as_secs_f64().max(1e-9)
    }

    pub fn summary(&self) -> String {
        format!(
            "{:.0}/s ({} in {:.2} s)",
            self.per_sec(),
            self.items,
            self.took.as_secs_f64()
        )
    }
}
