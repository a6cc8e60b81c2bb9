//! The dashboard inside the binary: `frontend/dist` as it was when this
//! crate was built (see `build.rs`), so one file serves everything. Files
//! are served by path; any other path without a file extension is a
//! client-side route and gets `index.html`.
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "$CARGO_MANIFEST_DIR/../frontend/dist"]
#[allow_missing = true]
struct Assets;

const INDEX: &str = "index.html";

/// Whether a built dashboard was embedded.
pub fn embedded() -> bool {
    Assets::get(INDEX).is_some()
}

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (name, file) = match Assets::get(path).filter(|_| !path.is_empty()) {
        Some(file) => (path, file),
        // A missing asset is a 404, not the page (a browser would try to
        // run HTML as a script).
        None if has_extension(path) => return StatusCode::NOT_FOUND.into_response(),
        None => match Assets::get(INDEX) {
            Some(file) => (INDEX, file),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let cache = if name.starts_with("assets/") {
        // Vite names these by content hash.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(file.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}
