//! `GET /readyz`: 200 once the database answers and its schema is current,
//! 503 with a JSON reason otherwise. `/healthz` stays liveness (the
//! process answers and the database pings).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

pub async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(error) = state.db.ping().await {
        tracing::warn!(%error, "not ready: the database does not answer");
        return not_ready("database unavailable", &[]);
    }
    match ledger::db::pending_migrations(&state.db).await {
        Ok(pending) if pending.is_empty() => {
            (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response()
        }
        Ok(pending) => not_ready("migrations pending", &pending),
        Err(error) => {
            tracing::warn!(%error, "not ready: migrations could not be read");
            not_ready("migration state unreadable", &[])
        }
    }
}

fn not_ready(reason: &str, pending: &[String]) -> Response {
    let body = json!({ "status": "not ready", "reason": reason, "pending_migrations": pending });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}
