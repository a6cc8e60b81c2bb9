//! Signed webhooks: where budget alerts, parity variance and other events go.

pub mod events;
pub mod webhook;

pub use events::{EventDelivery, deliver_event};
pub use webhook::{
    CreatedWebhook, DELIVERY_HEADER, DeliveryError, EVENT_HEADER, SECRET_PREFIX, SIGNATURE_HEADER,
    TIMESTAMP_HEADER, WebhookConfig, WebhookSender, create_webhook, delete_webhook, list_webhooks,
    seal_stored_secrets, sign, verify_signature,
};
