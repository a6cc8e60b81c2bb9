//! Log output: JSON lines when stderr is not a terminal (a container, a
//! service manager, a pipe), text on a terminal; `COGNITRACK_LOG_FORMAT`
//! (`json` or `text`) decides otherwise. Levels come from `RUST_LOG`.
//!
//! Nothing logs a key or a token: requests are logged by method, path (no
//! query string) and request id, never by header; provider keys are
//! `SecretString`s whose `Debug` is redacted.
use std::io::IsTerminal;

/// The variable that picks the format.
pub const FORMAT_VAR: &str = "COGNITRACK_LOG_FORMAT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

impl Format {
    /// The format asked for by `COGNITRACK_LOG_FORMAT`, else JSON unless
    /// stderr is a terminal. An unknown value falls back to that default
    /// (logging is not yet up to complain).
    pub fn from_env() -> Self {
        match std::env::var(FORMAT_VAR).as_deref().map(str::trim) {
            Ok(v) if v.eq_ignore_ascii_case("json") => Format::Json,
            Ok(v) if v.eq_ignore_ascii_case("text") => Format::Text,
            _ if std::io::stderr().is_terminal() => Format::Text,
            _ => Format::Json,
        }
    }
}

/// Installs the global subscriber (once per process; later calls do nothing).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match Format::from_env() {
        // Span fields (the request id) go on every line of the request.
        Format::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        Format::Text => builder.try_init(),
    };
}
