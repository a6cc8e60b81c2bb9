//! A local HTTP endpoint that records every webhook POST it gets, and can
//! refuse the first N of them to exercise retries.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// One request as received, with the status the receiver answered.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names lowercased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.answered)
    }
}

#[derive(Clone)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    fail_first: usize,
    fail_status: StatusCode,
    seen: Arc<AtomicUsize>,
}

pub struct WebhookReceiver {
    pub addr: SocketAddr,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl WebhookReceiver {
    /// Accepts everything with 200.
    pub async fn spawn() -> Self {
        Self::failing_first(0, 500).await
    }

    /// Answers `status` to the first `n` requests, then 200.
    pub async fn failing_first(n: usize, status: u16) -> Self {
        let shared = Shared {
            received: Arc::default(),
            fail_first: n,
            fail_status: StatusCode::from_u16(status).expect("status"),
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/hook", post(record))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Every request so far, in arrival order. Delivery finishes before
    /// `evaluate` returns, so this is complete once it has.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(Received::accepted)
            .collect()
    }

    pub fn stop(self) {
        self.server.abort();
    }
}

async fn record(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = shared.seen.fetch_add(1, Ordering::SeqCst);
    let status = if n < shared.fail_first {
        shared.fail_status
    } else {
        StatusCode::OK
    };
    let headers = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    shared.received.lock().expect("lock").push(Received {
        headers,
        body: body.to_vec(),
        answered: status.as_u16(),
    });
    status
}
