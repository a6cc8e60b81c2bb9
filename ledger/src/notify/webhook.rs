//! Webhooks: where alerts go. Each POST carries a JSON body signed with
//! HMAC-SHA256 under the webhook's secret, and is retried with bounded
//! exponential backoff. The secret is stored sealed with the master key
//! (like provider keys) and opened only to sign.
use std::time::Duration;

use chrono::Utc;
use entity::webhook::{ActiveModel, Column, Entity, Model};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::error::{Error, Result, invalid};
use crate::page::{IdOrder, Page, PageRequest, by_id};
use crate::providers::keys::{MasterKey, Purpose, is_sealed};

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "X-CogniTrack-Signature";
/// Unix seconds of the attempt; the body's `sent_at` holds the same value,
/// so it is covered by the signature and receivers can refuse replays.
pub const TIMESTAMP_HEADER: &str = "X-CogniTrack-Timestamp";
pub const EVENT_HEADER: &str = "X-CogniTrack-Event";
/// The alert id: the same on every retry, for receivers to deduplicate.
pub const DELIVERY_HEADER: &str = "X-CogniTrack-Delivery";
pub const SECRET_PREFIX: &str = "whsec_";
const MAX_URL: usize = 2048;

type HmacSha256 = Hmac<Sha256>;

/// How deliveries are attempted. Tests shrink the delays; production keeps
/// the defaults.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Per HTTP request, connect included.
    pub timeout: Duration,
    /// Attempts per alert and webhook within one evaluation (at least 1).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled each time after.
    pub initial_backoff: Duration,
    /// Cap on one wait.
    pub max_backoff: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl WebhookConfig {
    /// The wait before attempt `attempt + 1` (`attempt` counts from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The longest one delivery (all attempts to one webhook) can take.
    pub fn worst_case(&self) -> Duration {
        let attempts = self.max_attempts.max(1);
        let waits: Duration = (1..attempts).map(|a| self.backoff(a)).sum();
        self.timeout.saturating_mul(attempts).saturating_add(waits)
    }
}

/// Why one delivery failed after its attempts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// No HTTP answer: connection refused, timeout, TLS. The URL is left
    /// out because it may embed a token.
    #[error("request failed: {0}")]
    Transport(String),
    #[error("receiver answered HTTP {0}")]
    Status(u16),
    #[error("cannot sign the body: {0}")]
    Signing(String),
}

impl DeliveryError {
    /// Whether another attempt may succeed: network trouble, timeouts,
    /// rate limits and server errors; not a receiver that refuses the call.
    fn retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status(code) => matches!(*code, 408 | 425 | 429) || (500..=599).contains(code),
            Self::Signing(_) => false,
        }
    }
}

/// The result of delivering one alert to one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub attempts: u32,
    pub outcome: Result<(), DeliveryError>,
    /// The last failed attempt's error, also when a later attempt succeeded.
    pub last_error: Option<DeliveryError>,
}

/// Posts signed alerts. Cheap to clone (the HTTP client is shared).
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    config: WebhookConfig,
    /// Opens the stored signing secrets.
    master: Option<MasterKey>,
}

impl WebhookSender {
    pub fn new(config: WebhookConfig) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // A redirect would re-send the signed body somewhere the admin
            // did not configure; it counts as a failed attempt instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("CogniTrack-Webhook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the webhook client: {e}")))?;
        Ok(Self {
            client,
            config,
            master: None,
        })
    }

    /// The key that opens the stored signing secrets.
    #[must_use]
    pub fn with_master_key(mut self, master: Option<MasterKey>) -> Self {
        self.master = master;
        self
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Delivers to a stored webhook, signing with its secret. A secret that
    /// cannot be opened (no master key, or another one) fails the delivery
    /// without a request.
    pub async fn deliver_to(
        &self,
        hook: &Model,
        event: &str,
        delivery_id: &str,
        payload: &serde_json::Value,
    ) -> Delivery {
        match self.signing_secret(hook) {
            Ok(secret) => {
                self.deliver(
                    &hook.url,
                    secret.expose_secret(),
                    event,
                    delivery_id,
                    payload,
                )
                .await
            }
            Err(error) => Delivery {
                attempts: 0,
                outcome: Err(error.clone()),
                last_error: Some(error),
            },
        }
    }

    fn signing_secret(&self, hook: &Model) -> Result<SecretString, DeliveryError> {
        // Rows written before secrets were sealed hold them plainly until
        // `seal_stored_secrets` runs at start-up.
        if !is_sealed(&hook.secret) {
            return Ok(SecretString::from(hook.secret.clone()));
        }
        let unreadable = |why: &str| {
            DeliveryError::Signing(format!(
                "the signing secret of webhook {:?} cannot be opened: {why}",
                hook.name
            ))
        };
        let master = self
            .master
            .as_ref()
            .ok_or_else(|| unreadable("no master key is configured"))?;
        master
            .open_for(Purpose::WebhookSecret, &hook.secret, &hook.name)
            .map_err(|_| unreadable("it was sealed with another master key"))
    }

    /// POSTs `payload` (a JSON object) until it is accepted (2xx), a
    /// non-retryable answer comes, or the attempts run out. Each attempt
    /// stamps `sent_at` into the body and signs the exact bytes sent.
    pub async fn deliver(
        &self,
        url: &str,
        secret: &str,
        event: &str,
        delivery_id: &str,
        payload: &serde_json::Value,
    ) -> Delivery {
        let max = self.config.max_attempts.max(1);
        let mut attempt = 0;
        let mut last_error = None;
        loop {
            attempt += 1;
            let outcome = self.attempt(url, secret, event, delivery_id, payload).await;
            match outcome {
                Ok(()) => {
                    return Delivery {
                        attempts: attempt,
                        outcome: Ok(()),
                        last_error,
                    };
                }
                Err(error) if attempt < max && error.retryable() => {
                    tracing::debug!(%error, attempt, delivery_id, "webhook attempt failed; retrying");
                    last_error = Some(error);
                    tokio::time::sleep(self.config.backoff(attempt)).await;
                }
                Err(error) => {
                    return Delivery {
                        attempts: attempt,
                        outcome: Err(error.clone()),
                        last_error: Some(error),
                    };
                }
            }
        }
    }

    async fn attempt(
        &self,
        url: &str,
        secret: &str,
        event: &str,
        delivery_id: &str,
        payload: &serde_json::Value,
    ) -> Result<(), DeliveryError> {
        let timestamp = Utc::now().timestamp();
        let mut body = payload.clone();
        if let Some(object) = body.as_object_mut() {
            object.insert("sent_at".to_owned(), timestamp.into());
        }
        let bytes = serde_json::to_vec(&body).map_err(|e| DeliveryError::Signing(e.to_string()))?;
        let signature = sign(secret, &bytes)?;
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(EVENT_HEADER, event)
            .header(DELIVERY_HEADER, delivery_id)
            .body(bytes)
            .send()
            .await
            .map_err(|e| DeliveryError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Status(status.as_u16()))
        }
    }
}

/// `sha256=` + hex HMAC-SHA256 of `body` keyed with the secret's bytes.
pub fn sign(secret: &str, body: &[u8]) -> Result<String, DeliveryError> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .map_err(|e| DeliveryError::Signing(e.to_string()))?;
    mac.update(body);
    Ok(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// Checks a signature header the way a receiver should: constant-time
/// comparison of the MAC.
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(bytes) = header
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

/// A new webhook; `secret` is shown this once.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    pub webhook: Model,
    pub secret: String,
}

/// Adds a webhook for an http(s) URL with a fresh random signing secret,
/// stored sealed with `master`.
pub async fn create_webhook(
    db: &impl ConnectionTrait,
    master: &MasterKey,
    name: &str,
    url: &str,
) -> Result<CreatedWebhook> {
    let name = crate::text::name("the name", name)?;
    let name = name.as_str();
    let url = validate_url(url)?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(bytes));
    let sealed = master.seal_for(
        Purpose::WebhookSecret,
        &SecretString::from(secret.clone()),
        name,
    )?;
    let webhook = ActiveModel {
        name: Set(name.to_owned()),
        url: Set(url),
        secret: Set(sealed),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(CreatedWebhook { webhook, secret })
}

/// Seals the signing secrets still stored as plain text (rows from before
/// sealing); returns how many. Run at start-up, so it is idempotent.
pub async fn seal_stored_secrets(db: &impl ConnectionTrait, master: &MasterKey) -> Result<u64> {
    let mut sealed = 0;
    for hook in Entity::find().all(db).await? {
        if is_sealed(&hook.secret) {
            continue;
        }
        let secret = master.seal_for(
            Purpose::WebhookSecret,
            &SecretString::from(hook.secret.clone()),
            &hook.name,
        )?;
        let mut row = hook.into_active_model();
        row.secret = Set(secret);
        row.update(db).await?;
        sealed += 1;
    }
    Ok(sealed)
}

pub async fn delete_webhook(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    let deleted = Entity::delete_by_id(id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound(format!("webhook {id}")));
    }
    Ok(())
}

/// Webhooks in creation order. The rows hold the secret: callers must not
/// show it.
pub async fn list_webhooks(db: &impl ConnectionTrait, page: &PageRequest) -> Result<Page<Model>> {
    by_id(db, Entity::find(), Column::Id, IdOrder::Oldest, page, |r| {
        r.id
    })
    .await
}

fn validate_url(text: &str) -> Result<String> {
    let text = text.trim();
    let bad = |why: &str| invalid(format!("invalid webhook URL: {why}"));
    if text.len() > MAX_URL {
        return Err(bad("longer than 2048 characters"));
    }
    let url = reqwest::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https are allowed"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        let signature = sign("Jefe", b"what do ya want for nothing?").expect("sign");
        assert_eq!(
            signature,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify_signature(
            "Jefe",
            b"what do ya want for nothing?",
            &signature
        ));
        assert!(!verify_signature(
            "Jefe",
            b"what do ya want for nothing!",
            &signature
        ));
        assert!(!verify_signature(
            "jefe",
            b"what do ya want for nothing?",
            &signature
        ));
        assert!(!verify_signature("Jefe", b"x", "sha1=00"));
    }

    #[test]
    fn urls_must_be_http() {
        assert!(validate_url("https://hooks.example.com/x?y=1").is_ok());
        assert!(validate_url("http://127.0.0.1:9/").is_ok());
        assert!(validate_url("ftp://example.com/").is_err());
        assert!(validate_url("file:///etc/passwd").is_err());
        assert!(validate_url("javascript:alert(1)").is_err());
        assert!(validate_url("not a url").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = WebhookConfig {
            timeout: Duration::from_secs(1),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        };
        let waits: Vec<u128> = (1..5).map(|a| config.backoff(a).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 300, 300]);
        assert_eq!(config.worst_case(), Duration::from_millis(5000 + 900));
        assert!(DeliveryError::Status(503).retryable() && !DeliveryError::Status(401).retryable());
    }
}
