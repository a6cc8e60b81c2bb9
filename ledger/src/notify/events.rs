//! Generic signed events for the alert channel: any part of CogniTrack
//! (not only budgets) can post an event to every configured webhook with
//! the same signing, headers and retries as budget alerts.
use entity::webhook;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde::Serialize;

use super::webhook::WebhookSender;
use crate::error::Result;

/// What delivering one event to every webhook did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventDelivery {
    pub webhooks: u64,
    /// Webhooks that accepted the event.
    pub delivered: u64,
    /// Webhooks that refused it or could not be reached after retries.
    pub failed: u64,
    /// HTTP requests made.
    pub attempts: u64,
}

impl EventDelivery {
    /// Why the event did not reach every webhook; `None` when it did.
    pub fn failure(&self) -> Option<String> {
        (self.failed > 0).then(|| format!("{} of {} webhooks failed", self.failed, self.webhooks))
    }
}

/// Posts `payload` (a JSON object) as `event` to every webhook. A webhook
/// that fails does not stop the others; `delivery_id` goes out as
/// `X-CogniTrack-Delivery` so receivers can deduplicate retries. Events
/// are not stored or retried later: callers that need that keep their own
/// record (budget alerts do).
pub async fn deliver_event(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    event: &str,
    delivery_id: &str,
    payload: &serde_json::Value,
) -> Result<EventDelivery> {
    let hooks = webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?;
    let mut out = EventDelivery::default();
    for hook in hooks {
        out.webhooks += 1;
        let delivery = sender.deliver_to(&hook, event, delivery_id, payload).await;
        out.attempts += u64::from(delivery.attempts);
        match delivery.outcome {
            Ok(()) => out.delivered += 1,
            Err(error) => {
                tracing::warn!(webhook = hook.id, event, %error, "event delivery failed");
                out.failed += 1;
            }
        }
    }
    Ok(out)
}
