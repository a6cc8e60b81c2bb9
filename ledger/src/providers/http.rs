//! The one HTTP path every provider call takes: client-side rate limit,
//! bounded retries with backoff, `Retry-After` on 429, typed errors and
//! counters for run telemetry.
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::error::ProviderError;

/// Timeouts and identification of the shared reqwest client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// Longest pause between two reads of a response.
    pub read_timeout: Duration,
    /// Upper bound of one whole request, body included.
    pub request_timeout: Duration,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            user_agent: concat!("CogniTrack/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Client-side request budget per connection. `per_minute == 0` disables it.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for RateLimit {
    /// Anthropic asks for about one call a minute sustained with short
    /// bursts for pagination; OpenAI publishes no number. A backfill of a
    /// month is ~50 calls, so this finishes in about a minute.
    fn default() -> Self {
        Self {
            per_minute: 60,
            burst: 20,
        }
    }
}

impl RateLimit {
    pub const UNLIMITED: RateLimit = RateLimit {
        per_minute: 0,
        burst: 0,
    };
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 means one attempt only.
    pub max_retries: u32,
    /// First backoff delay; doubled per attempt, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Cap on a provider's `Retry-After`, so a hostile value cannot stall a run.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with "equal jitter": between half and all of
    /// `base * 2^attempt`, capped, so replicas do not retry in lockstep.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX));
        let capped = exp.min(self.max_delay);
        let jitter: f64 = rand::rng().random_range(0.5..=1.0);
        capped.mul_f64(jitter)
    }
}

/// Counters shared by every request of a run.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub requests: AtomicU64,
    pub pages: AtomicU64,
    pub retries: AtomicU64,
    /// 429 responses seen (retried or not).
    pub rate_limited: AtomicU64,
    pub retry_wait_ms: AtomicU64,
}

impl FetchStats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
    fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }
}

/// How a provider authenticates. The secret only leaves its box to become
/// a header marked sensitive (reqwest then redacts it in Debug output).
#[derive(Clone)]
pub(crate) enum Auth {
    Bearer(SecretString),
    Anthropic(SecretString),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth([redacted])")
    }
}

impl Auth {
    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        let mut headers = HeaderMap::new();
        let bad_key = || {
            ProviderError::Config(
                "the admin key contains characters not allowed in an HTTP header".to_owned(),
            )
        };
        match self {
            Auth::Bearer(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
                    .map_err(|_| bad_key())?;
                value.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, value);
            }
            Auth::Anthropic(key) => {
                let mut value =
                    HeaderValue::from_str(key.expose_secret()).map_err(|_| bad_key())?;
                value.set_sensitive(true);
                headers.insert(HeaderName::from_static("x-api-key"), value);
                headers.insert(
                    HeaderName::from_static("anthropic-version"),
                    HeaderValue::from_static("2023-06-01"),
                );
            }
        }
        Ok(headers)
    }

    /// Removes the key from provider text before we keep it anywhere.
    fn scrub(&self, text: &str) -> String {
        let key = match self {
            Auth::Bearer(key) | Auth::Anthropic(key) => key.expose_secret(),
        };
        let mut out: String = text.chars().take(300).collect();
        if key.len() >= 4 && out.contains(key) {
            out = out.replace(key, "[redacted]");
        }
        out
    }
}

/// The shared reqwest client plus one connection's rate limiter and policy.
#[derive(Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    retry: RetryPolicy,
}

pub(crate) fn build_client(config: &HttpConfig) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        .timeout(config.request_timeout)
        .user_agent(config.user_agent.clone())
        // Never follow a redirect with the admin key attached.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ProviderError::Config(format!("cannot build the HTTP client: {e}")))
}

pub(crate) fn limiter(rate: RateLimit) -> Option<Arc<DefaultDirectRateLimiter>> {
    let per_minute = NonZeroU32::new(rate.per_minute)?;
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Some(Arc::new(RateLimiter::direct(
        Quota::per_minute(per_minute).allow_burst(burst),
    )))
}

/// Why one attempt failed, before retry policy is applied.
enum Failure {
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        should_retry: Option<bool>,
        message: String,
    },
    Timeout,
    Network(String),
    Decode(String),
}

impl Transport {
    pub(crate) fn new(
        client: reqwest::Client,
        limiter: Option<Arc<DefaultDirectRateLimiter>>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            client,
            limiter,
            retry,
        }
    }

    /// GETs `url` with `query` and decodes the JSON body, retrying what is
    /// worth retrying. `endpoint` is a short label (the path) for errors.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        endpoint: &str,
        query: &[(&str, String)],
        auth: &Auth,
        stats: &FetchStats,
    ) -> Result<T, ProviderError> {
        let headers = auth.headers()?;
        let mut attempt: u32 = 0;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            FetchStats::bump(&stats.requests, 1);
            let failure = match self.attempt::<T>(url, query, headers.clone(), auth).await {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let attempts = attempt + 1;
            let (retryable, hint) = match &failure {
                Failure::Status {
                    status,
                    retry_after,
                    should_retry,
                    ..
                } => {
                    if *status == StatusCode::TOO_MANY_REQUESTS {
                        FetchStats::bump(&stats.rate_limited, 1);
                    }
                    let default = *status == StatusCode::TOO_MANY_REQUESTS
                        || *status == StatusCode::REQUEST_TIMEOUT
                        || *status == StatusCode::CONFLICT
                        || status.is_server_error();
                    (should_retry.unwrap_or(default), *retry_after)
                }
                Failure::Timeout | Failure::Network(_) | Failure::Decode(_) => (true, None),
            };
            if !retryable || attempt >= self.retry.max_retries {
                return Err(into_error(failure, endpoint, attempts));
            }
            let delay = match hint {
                Some(wait) => wait.min(self.retry.max_retry_after),
                None => self.retry.backoff(attempt),
            };
            FetchStats::bump(&stats.retries, 1);
            FetchStats::bump(&stats.retry_wait_ms, delay.as_millis() as u64);
            tracing::debug!(
                endpoint,
                attempt = attempts,
                ?delay,
                "retrying provider request"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, String)],
        headers: HeaderMap,
        auth: &Auth,
    ) -> Result<T, Failure> {
        let response = self
            .client
            .get(url)
            .headers(headers)
            .query(query)
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status();
        if status.is_success() {
            let body = response.bytes().await.map_err(transport_failure)?;
            return serde_json::from_slice(&body).map_err(|e| Failure::Decode(e.to_string()));
        }
        let retry_after = retry_after(response.headers(), SystemTime::now());
        let should_retry = response
            .headers()
            .get("x-should-retry")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| match v {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            });
        // The body is only used for a message; a failure to read it is not
        // worth more than an empty message.
        let body = response.bytes().await.unwrap_or_default();
        Err(Failure::Status {
            status,
            retry_after,
            should_retry,
            message: auth.scrub(&error_message(&body)),
        })
    }
}

fn transport_failure(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        Failure::Timeout
    } else if error.is_decode() || error.is_body() {
        Failure::Decode(error.without_url().to_string())
    } else {
        Failure::Network(error.without_url().to_string())
    }
}

fn into_error(failure: Failure, endpoint: &str, attempts: u32) -> ProviderError {
    let endpoint = endpoint.to_owned();
    match failure {
        Failure::Status {
            status, message, ..
        } => {
            let code = status.as_u16();
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                ProviderError::Unauthorized {
                    endpoint,
                    status: code,
                    message,
                }
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                ProviderError::RateLimited { endpoint, attempts }
            } else if status.is_server_error() {
                ProviderError::Server {
                    endpoint,
                    status: code,
                    attempts,
                }
            } else {
                ProviderError::Client {
                    endpoint,
                    status: code,
                    message,
                }
            }
        }
        Failure::Timeout => ProviderError::Timeout { endpoint, attempts },
        Failure::Network(message) => ProviderError::Network {
            endpoint,
            attempts,
            message,
        },
        Failure::Decode(message) => ProviderError::Decode {
            endpoint,
            attempts,
            message,
        },
    }
}

/// Both providers wrap errors as `{"error": {"message": …}}`.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("error")
                .and_then(|e| e.get("message"))
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// `retry-after-ms` (OpenAI SDK convention) first, then `Retry-After` as
/// seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after-ms", "250"), ("retry-after", "3")]),
                now
            ),
            Some(Duration::from_millis(250))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[]), now), None);
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        let policy = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(1),
        };
        let first = policy.backoff(0);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        assert!(policy.backoff(3) >= Duration::from_millis(400));
        assert!(policy.backoff(30) <= Duration::from_secs(1));
    }

    #[test]
    fn scrub_removes_the_key() {
        let auth = Auth::Bearer(SecretString::from("sk-admin-secret-value"));
        assert_eq!(
            auth.scrub("Incorrect API key provided: sk-admin-secret-value."),
            "Incorrect API key provided: [redacted]."
        );
        assert_eq!(format!("{auth:?}"), "Auth([redacted])");
    }
}
