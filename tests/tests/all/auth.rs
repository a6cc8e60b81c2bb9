//! The auth matrix: every mutation and a read, called with no credential,
//! a viewer token, an admin token, an ingest key and broken tokens.
use api::auth::Role;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::app::{Backend, JWT_SECRET, TestApp, error_code};
use e2e::both_backends;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Needs {
    Viewer,
    Admin,
    IngestKey,
}

/// Each mutation with arguments valid enough that authorisation decides.
fn operations(session_id: &str) -> Vec<(&'static str, String, Needs)> {
    vec![
        ("read", "{ systemStats(from: \"2026-11-01\", to: \"2026-11-02\") { sessions } }".into(), Needs::Viewer),
        ("startSession", "mutation { startSession(input: {userId: \"u1\"}) { id } }".into(), Needs::IngestKey),
        (
            "recordInteraction",
            format!("mutation {{ recordInteraction(input: {{sessionId: \"{session_id}\", kind: DB, dbOps: 3}}) {{ id }} }}"),
            Needs::IngestKey,
        ),
        (
            "recordInteractions",
            format!("mutation {{ recordInteractions(inputs: [{{sessionId: \"{session_id}\", kind: API, apiCalls: 1}}]) {{ id }} }}"),
            Needs::IngestKey,
        ),
        ("endSession", format!("mutation {{ endSession(id: \"{session_id}\") {{ id }} }}"), Needs::IngestKey),
        ("createIngestKey", "mutation { createIngestKey(name: \"x\") { id key } }".into(), Needs::Admin),
        ("revokeIngestKey", "mutation { revokeIngestKey(id: \"999999\") { id } }".into(), Needs::Admin),
        (
            "setPriceOverride",
            "mutation { setPriceOverride(input: {provider: \"openai\", model: \"m-neg\", effectiveFrom: \"2026-01-01\", inputMtok: \"1\", cachedInputMtok: \"0.5\", cacheWriteMtok: \"1\", outputMtok: \"2\"}) { model } }".into(),
            Needs::Admin,
        ),
        ("ingestKeys", "{ ingestKeys { id } }".into(), Needs::Admin),
        ("syncPricing", "mutation { syncPricing { created } }".into(), Needs::Admin),
    ]
}

fn forged_alg_none() -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let exp = chrono::Utc::now().timestamp() + 3600;
    let claims = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"sub":"mallory","role":"admin","exp":{exp},"iat":0}}"#
    ));
    format!("{header}.{claims}.")
}

fn signed(secret: &str, exp_offset: i64, role: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + exp_offset;
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "mallory", "role": role, "exp": exp, "iat": 0}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn auth_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(Role::Viewer);
    let admin = app.token(Role::Admin);
    let session = app
        .ok(
            Some(&key),
            "mutation { startSession(input: {userId: \"owner\"}) { id } }",
            json!({}),
        )
        .await;
    let session_id = session["startSession"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    for (name, query, needs) in operations(&session_id) {
        let none = app.gql(None, &query, json!({})).await;
        assert_eq!(
            error_code(&none),
            Some("UNAUTHENTICATED"),
            "{name} without credentials: {none}"
        );

        for (who, bad) in [
            (
                "forged signature",
                signed("not-the-secret-at-all-0123456789", 3600, "admin"),
            ),
            ("expired", signed(JWT_SECRET, -10, "admin")),
            ("alg none", forged_alg_none()),
            ("revoked-looking key", "ct_0000".to_owned()),
        ] {
            let body = app.gql(Some(&bad), &query, json!({})).await;
            assert_eq!(
                error_code(&body),
                Some("UNAUTHENTICATED"),
                "{name} with {who}: {body}"
            );
        }

        for (who, credential) in [("viewer", &viewer), ("admin", &admin), ("ingest key", &key)] {
            let allowed = match needs {
                Needs::Viewer => who != "ingest key",
                Needs::Admin => who == "admin",
                Needs::IngestKey => who == "ingest key",
            };
            let body = app.gql(Some(credential), &query, json!({})).await;
            if allowed {
                // Authorised: anything but an auth error (revoking an unknown key is NOT_FOUND).
                let code = error_code(&body);
                assert!(
                    code != Some("UNAUTHENTICATED") && code != Some("FORBIDDEN"),
                    "{name} as {who} should be allowed: {body}"
                );
            } else {
                assert_eq!(
                    error_code(&body),
                    Some("FORBIDDEN"),
                    "{name} as {who}: {body}"
                );
            }
        }
    }

    // A revoked ingest key stops working at once.
    let created = app
        .ok(
            Some(&admin),
            "mutation { createIngestKey(name: \"temp\") { id key } }",
            json!({}),
        )
        .await;
    let temp_key = created["createIngestKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let temp_id = created["createIngestKey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let works = app
        .gql(
            Some(&temp_key),
            "mutation { startSession(input: {userId: \"u\"}) { id } }",
            json!({}),
        )
        .await;
    assert!(works.get("errors").is_none(), "{works}");
    app.ok(
        Some(&admin),
        "mutation($id: ID!) { revokeIngestKey(id: $id) { revokedAt } }",
        json!({"id": temp_id}),
    )
    .await;
    let refused = app
        .gql(
            Some(&temp_key),
            "mutation { startSession(input: {userId: \"u\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"), "{refused}");
    // The key itself is never listed.
    let keys = app
        .ok(Some(&admin), "{ ingestKeys { prefix name } }", json!({}))
        .await;
    assert!(!keys.to_string().contains(&temp_key));

    app.stop().await;
}

both_backends!(auth_matrix);
