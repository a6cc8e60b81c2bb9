//! Failure 8: security headers on every response (the dashboard, GraphQL,
//! the playground, health, the export, and refusals), and CORS only for
//! configured origins.
use api::auth::Role;
use api::limits::LimitSettings;
use e2e::app::Backend;
use e2e::both_backends;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::limits::Served;

const ORIGIN: &str = "https://dashboard.example.com";

/// The headers every response carries, whatever its status.
fn assert_secure(what: &str, headers: &HeaderMap) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} in {headers:?}"))
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    let csp = get("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("script-src 'unsafe-inline'"), "{what}: {csp}");
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{what}: CORS is off unless configured"
    );
}

/// The dashboard's policy: its own origin only.
fn assert_dashboard_csp(what: &str, headers: &HeaderMap) {
    assert_eq!(
        headers["content-security-policy"],
        api::limits::headers::CSP,
        "{what}"
    );
}

async fn send(
    app: &Served,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, HeaderMap) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .header("origin", ORIGIN);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("request");
    (response.status(), response.headers().clone())
}

/// What is asked, the method, the path, the bearer, the body, the status.
type Case<'a> = (
    &'a str,
    Method,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    StatusCode,
);

async fn every_response_carries_the_security_headers(backend: Backend) {
    let dashboard = tempdir_with_index();
    let app = Served::start(backend, LimitSettings::default(), Some(&dashboard)).await;
    let viewer = app.token(Role::Viewer);
    let query = Some(r#"{"query":"{ __typename }"}"#);
    let export = "/api/export/buckets?from=2026-10-01&to=2026-10-03";
    let huge = "x".repeat(LimitSettings::default().max_body_bytes + 1);
    let cases: Vec<Case<'_>> = vec![
        ("dashboard", Method::GET, "/", None, None, StatusCode::OK),
        (
            "client route",
            Method::GET,
            "/explorer",
            None,
            None,
            StatusCode::OK,
        ),
        (
            "graphql",
            Method::POST,
            "/graphql",
            None,
            query,
            StatusCode::OK,
        ),
        (
            "graphql, 413",
            Method::POST,
            "/graphql",
            None,
            Some(&huge),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "health",
            Method::GET,
            "/healthz",
            None,
            None,
            StatusCode::OK,
        ),
        (
            "export",
            Method::GET,
            export,
            Some(&viewer),
            None,
            StatusCode::OK,
        ),
        (
            "export, 401",
            Method::GET,
            export,
            None,
            None,
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (what, method, path, token, body, status) in cases {
        let (got, headers) = send(&app, method, path, token, body).await;
        assert_eq!(got, status, "{what}");
        assert_secure(what, &headers);
        assert_dashboard_csp(what, &headers);
    }

    // The playground has a policy of its own: its CDN and its one inline
    // script (by hash), still no framing.
    let (status, headers) = send(&app, Method::GET, "/graphql", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_secure("playground", &headers);
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("script-src https://unpkg.com"), "{csp}");
    assert!(csp.contains("'sha256-"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dashboard);
}

/// A built dashboard's entry point, in a folder of its own.
fn tempdir_with_index() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ct-dashboard-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>CogniTrack</title><script type=\"module\" src=\"/assets/index.js\"></script>",
    )
    .expect("index.html");
    dir
}

async fn preflight(app: &Served, origin: &str) -> (StatusCode, HeaderMap) {
    let response = reqwest::Client::new()
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight");
    (response.status(), response.headers().clone())
}

async fn cors_is_off_by_default_and_exact_when_configured(backend: Backend) {
    let query = Some(r#"{"query":"{ __typename }"}"#);
    let app = Served::start(backend, LimitSettings::default(), None).await;
    let (_, headers) = preflight(&app, ORIGIN).await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
    let (_, headers) = send(&app, Method::POST, "/graphql", None, query).await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
    app.stop().await;

    let settings = LimitSettings {
        cors_origins: api::limits::headers::parse_origins(ORIGIN).expect("origin"),
        ..LimitSettings::default()
    };
    let app = Served::start(backend, settings, None).await;
    let (status, headers) = preflight(&app, ORIGIN).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let methods = headers["access-control-allow-methods"]
        .to_str()
        .expect("ascii");
    assert!(methods.contains("POST"), "{methods}");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .expect("ascii")
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    let (status, headers) = send(&app, Method::POST, "/graphql", None, query).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let (_, headers) = preflight(&app, "https://evil.example.com").await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
    app.stop().await;
}

both_backends!(
    every_response_carries_the_security_headers,
    cors_is_off_by_default_and_exact_when_configured,
);
