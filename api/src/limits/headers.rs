//! Security headers on every response, and CORS only when configured.
//!
//! The dashboard (built by Vite: one module script, stylesheets and
//! chunks under `/assets`, no inline script or style) loads everything from
//! its own origin, so [`CSP`] allows `'self'` only. The GraphiQL
//! playground (GET `/graphql`) loads React and GraphiQL from unpkg.com and
//! runs one inline script; it is served with [`graphiql`]'s own policy,
//! which the layer below does not replace.
use std::sync::LazyLock;

use async_graphql::http::GraphiQLSource;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::Limits;

/// Every response but the playground's.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The playground's CDN.
const GRAPHIQL_CDN: &str = "https://unpkg.com";

/// How long a browser may cache a CORS preflight answer.
const CORS_MAX_AGE_SECS: u64 = 600;

/// The security headers, then CORS when origins are configured. Applied
/// outside every other layer, so refusals (413, 503) carry them too.
pub fn apply(router: Router, limits: &Limits) -> Router {
    let router = match cors(&limits.settings.cors_origins) {
        Some(layer) => router.layer(layer),
        None => router,
    };
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let router = fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    });
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    ))
}

/// Exactly the configured origins, for the methods and headers the API
/// uses; credentials are bearer tokens, never cookies.
fn cors(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(CORS_MAX_AGE_SECS)),
    )
}

/// Parses `COGNITRACK_CORS_ORIGINS`: comma-separated `scheme://host[:port]`
/// origins; `*` and paths are refused.
pub fn parse_origins(list: &str) -> Result<Vec<HeaderValue>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let (scheme, rest) = origin
                .split_once("://")
                .ok_or_else(|| format!("CORS origin {origin:?} needs a scheme (https://…)"))?;
            let valid = matches!(scheme, "http" | "https")
                && !rest.is_empty()
                && !rest.contains(['/', '*', ' ', '?', '#']);
            if !valid {
                return Err(format!(
                    "CORS origin {origin:?} is not an origin like https://dashboard.example.com"
                ));
            }
            HeaderValue::from_str(origin).map_err(|_| format!("CORS origin {origin:?} is invalid"))
        })
        .collect()
}

struct Playground {
    html: String,
    csp: HeaderValue,
}

static PLAYGROUND: LazyLock<Playground> = LazyLock::new(|| {
    let html = GraphiQLSource::build().endpoint("/graphql").finish();
    let csp = graphiql_csp(&html);
    Playground {
        csp: HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static(CSP)),
        html,
    }
});

/// GET `/graphql`: GraphiQL with a policy of its own.
pub fn graphiql() -> Response {
    let page = &*PLAYGROUND;
    let mut response = Html(page.html.clone()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, page.csp.clone());
    response
}

/// What the playground page needs, and no more: its scripts and
/// stylesheet from the CDN, its inline script by hash, its inline
/// `<style>` (and the styles GraphiQL sets at run time), the favicon, and
/// requests to its own origin. `'unsafe-eval'`: GraphiQL's UMD bundle
/// evaluates `new Function("return this")` to find the global object.
pub fn graphiql_csp(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src {GRAPHIQL_CDN} 'unsafe-eval'{hashes}; \
         style-src {GRAPHIQL_CDN} 'unsafe-inline'; img-src 'self' data: {GRAPHIQL_CDN} https://graphql.org; \
         font-src {GRAPHIQL_CDN} data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// The text of every `<script>` without attributes (those are inline).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script>")
        .skip(1)
        .filter_map(|after| after.split_once("</script>").map(|(script, _)| script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playground_policy_hashes_its_inline_script() {
        let html = "<script src=\"x\"></script><script>run()</script>";
        let csp = graphiql_csp(html);
        let expected = STANDARD.encode(Sha256::digest("run()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"));
        let real = graphiql_csp(&GraphiQLSource::build().endpoint("/graphql").finish());
        assert_eq!(real.matches("'sha256-").count(), 1, "{real}");
    }

    #[test]
    fn origins_are_exact() {
        let parsed = parse_origins("https://a.example.com, http://localhost:5173").expect("ok");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parse_origins("").expect("ok"), Vec::<HeaderValue>::new());
        for bad in [
            "*",
            "a.example.com",
            "https://a.example.com/path",
            "ftp://x",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }
}
