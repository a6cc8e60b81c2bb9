//! `POST /v1/traces` fed by real clients: the `openai` Python client under
//! each of three OpenTelemetry instrumentations (the official openai-v2,
//! OpenInference's and OpenLLMetry's), calling a local mock of OpenAI's
//! chat completions and exporting its spans with the OpenTelemetry SDK's
//! OTLP/HTTP protobuf exporter, authenticated with an ingest key.
//!
//! The Python side lives in tests/otlp/ (drive.py, mock_openai.py,
//! requirements.txt); `scripts/test` installs it into target/otlp-venv and
//! exports `COGNITRACK_OTLP_PYTHON`. Without that venv these tests fail.
//!
//! What each library sets, and so what the ledger can group on:
//!   openai-v2 (default, conventions 1.30): gen_ai.system,
//!     gen_ai.usage.input_tokens/output_tokens; no cached tokens, no
//!     conversation id, no user: a conversation is its trace.
//!   openai-v2 with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental:
//!     the same with gen_ai.provider.name instead of gen_ai.system.
//!   openinference: llm.system/llm.provider, llm.model_name,
//!     llm.token_count.prompt/completion/prompt_details.cache_read,
//!     session.id and user.id (from `using_attributes`).
//!   openllmetry: gen_ai.provider.name, gen_ai.usage.input_tokens/
//!     output_tokens/cache_read.input_tokens, gen_ai.user (OpenAI's `user`
//!     request field); no conversation id: a conversation is its trace.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use e2e::app::{Backend, TestApp, dec};
use e2e::both_backends;
use genai_prices::{PriceRequest, Usage, UsageKey};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// Chat calls per conversation, and the conversations of one driver run.
const CALLS: usize = 3;
const CONVERSATIONS: usize = 2;
/// A model the price book knows; the mock answers with its dated snapshot.
const MODEL: &str = "gpt-4o-mini";
const SNAPSHOT: &str = "gpt-4o-mini-2024-07-18";
/// Bounds on the Python processes (their start-up is slow on a busy machine).
const MOCK_START: Duration = Duration::from_secs(60);
const DRIVER_RUN: Duration = Duration::from_secs(180);

/// One instrumentation library as the driver runs it, and what it reports.
struct Library {
    /// drive.py's `--instrumentation`.
    name: &'static str,
    /// The span carries the cached prompt tokens.
    reports_cached: bool,
    /// The span carries the conversation id (else the calls share only
    /// their trace).
    reports_conversation: bool,
    /// The span carries the end user, as user.id/enduser.id.
    reports_user: bool,
}

async fn openai_v2(backend: Backend) {
    let lib = Library {
        name: "openai-v2",
        reports_cached: false,
        reports_conversation: false,
        reports_user: false,
    };
    run(backend, &lib).await;
}

async fn openai_v2_latest(backend: Backend) {
    let lib = Library {
        name: "openai-v2-latest",
        reports_cached: false,
        reports_conversation: false,
        reports_user: false,
    };
    run(backend, &lib).await;
}

async fn openinference(backend: Backend) {
    let lib = Library {
        name: "openinference",
        reports_cached: true,
        reports_conversation: true,
        reports_user: true,
    };
    run(backend, &lib).await;
}

async fn openllmetry(backend: Backend) {
    let lib = Library {
        name: "openllmetry",
        reports_cached: true,
        reports_conversation: false,
        reports_user: false,
    };
    run(backend, &lib).await;
}

both_backends!(openai_v2, openai_v2_latest, openinference, openllmetry);

/// One chat call's usage as the mock served it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Served {
    prompt: i64,
    cached: i64,
    completion: i64,
}

impl Served {
    fn from_json(v: &Value) -> Self {
        let int = |key: &str| v[key].as_i64().unwrap_or_else(|| panic!("{key} in {v}"));
        Self {
            prompt: int("prompt_tokens"),
            cached: int("cached_tokens"),
            completion: int("completion_tokens"),
        }
    }
}

async fn run(backend: Backend, lib: &Library) {
    let python = venv_python();
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let mock = MockOpenAI::start(&python).await;

    let conversations: Vec<String> = (1..=CONVERSATIONS)
        .map(|i| format!("conv-{}-{i}", lib.name))
        .collect();
    let report = drive(&python, lib, &app, &key, mock.port, &conversations).await;
    let served = mock.finish().await;

    // The client got what the mock served, call by call.
    assert_eq!(
        served.len(),
        CALLS * CONVERSATIONS,
        "mock served {served:?}"
    );
    let runs = report["conversations"].as_array().expect("conversations");
    let seen: Vec<Served> = runs
        .iter()
        .flat_map(|c| c["calls"].as_array().expect("calls").iter())
        .map(Served::from_json)
        .collect();
    assert_eq!(seen, served, "client's usage vs the mock's");

    let interactions = app
        .ok(
            Some(&viewer),
            "{ interactions(first: 100) { nodes { id sessionId kind provider model occurredAt inputTokens cachedInputTokens outputTokens priced aiTokensUsd totalUsd } } }",
            json!({}),
        )
        .await["interactions"]["nodes"]
        .as_array()
        .expect("interactions")
        .clone();
    let sessions = app
        .ok(
            Some(&viewer),
            "{ sessions(first: 100) { nodes { id userId externalId interactionCount } } }",
            json!({}),
        )
        .await["sessions"]["nodes"]
        .as_array()
        .expect("sessions")
        .clone();
    let context = format!(
        "{} on {backend:?}\ninteractions: {:#}\nsessions: {:#}\nspans: {:#}",
        lib.name,
        json!(interactions),
        json!(sessions),
        report["spans"]
    );

    // N model calls, N interactions: the app's own parent spans are not calls.
    assert_eq!(interactions.len(), CALLS * CONVERSATIONS, "{context}");
    for row in &interactions {
        assert_eq!(row["kind"], "CHAT", "{context}");
        assert_eq!(row["provider"], "openai", "{context}");
        let model = row["model"].as_str().expect("model");
        assert!(
            model == SNAPSHOT || model == MODEL,
            "model {model}: {context}"
        );
        assert_eq!(row["priced"], true, "{context}");
        assert!(row["totalUsd"].is_string(), "unpriced: {context}");
    }

    // Each call's tokens, as the mock counted them (prompt tokens include
    // the cached ones, as OpenAI counts them).
    let stored_usage = |row: &Value| Served {
        prompt: row["inputTokens"].as_i64().expect("input"),
        cached: row["cachedInputTokens"].as_i64().expect("cached"),
        completion: row["outputTokens"].as_i64().expect("output"),
    };
    let expected_usage = |s: Served| Served {
        cached: if lib.reports_cached { s.cached } else { 0 },
        ..s
    };
    let mut stored: Vec<Served> = interactions.iter().map(stored_usage).collect();
    let mut expected: Vec<Served> = served.iter().copied().map(expected_usage).collect();
    stored.sort_unstable();
    expected.sort_unstable();
    assert_eq!(stored, expected, "token counts: {context}");

    // Priced as the price book prices that model and usage.
    for row in &interactions {
        let usage = stored_usage(row);
        let day: chrono::DateTime<chrono::Utc> = row["occurredAt"]
            .as_str()
            .expect("occurredAt")
            .parse()
            .expect("time");
        assert_eq!(
            dec(&row["aiTokensUsd"]),
            book_price(row["model"].as_str().expect("model"), usage, day),
            "price of {row}: {context}"
        );
        assert_eq!(dec(&row["totalUsd"]), dec(&row["aiTokensUsd"]), "{context}");
    }

    // One session per conversation, holding exactly that conversation's calls.
    assert_eq!(sessions.len(), CONVERSATIONS, "{context}");
    for (i, conversation) in runs.iter().enumerate() {
        let calls: Vec<Served> = conversation["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(Served::from_json)
            .map(expected_usage)
            .collect();
        let session_of = |usage: &Served| {
            interactions
                .iter()
                .find(|row| stored_usage(row) == *usage)
                .map(|row| row["sessionId"].clone())
                .unwrap_or_else(|| panic!("no interaction with {usage:?}: {context}"))
        };
        let session_id = session_of(&calls[0]);
        for call in &calls {
            assert_eq!(session_of(call), session_id, "conversation {i}: {context}");
        }
        let session = sessions
            .iter()
            .find(|s| s["id"] == session_id)
            .unwrap_or_else(|| panic!("session {session_id}: {context}"));
        assert_eq!(session["interactionCount"], CALLS, "{context}");
        // Named by the conversation id where the library sends one, else
        // by the trace id.
        let name = if lib.reports_conversation {
            conversation["id"].clone()
        } else {
            conversation["trace_id"].clone()
        };
        assert_eq!(session["externalId"], name, "session name: {context}");
        if lib.reports_user {
            assert_eq!(session["userId"], "alice", "{context}");
        }
    }
    let rows: Vec<String> = interactions
        .iter()
        .map(|r| {
            format!(
                "{} {}/{}/{} ${}",
                r["model"].as_str().unwrap_or("?"),
                r["inputTokens"],
                r["cachedInputTokens"],
                r["outputTokens"],
                r["totalUsd"].as_str().unwrap_or("null")
            )
        })
        .collect();
    eprintln!(
        "{} on {backend:?}: {} interactions (model in/cached/out cost: {}) in sessions {}",
        lib.name,
        interactions.len(),
        rows.join(", "),
        json!(sessions)
    );
    app.stop().await;
}

/// What genai-prices charges for this usage of `model` on that day (the
/// ledger prices at noon UTC of the interaction's day), in micro-USD steps.
fn book_price(model: &str, usage: Served, at: chrono::DateTime<chrono::Utc>) -> Decimal {
    let mut tokens = Usage::from([
        (UsageKey::INPUT_TOKENS, usage.prompt as f64),
        (UsageKey::OUTPUT_TOKENS, usage.completion as f64),
    ]);
    if usage.cached > 0 {
        tokens.insert(UsageKey::CACHE_READ_TOKENS, usage.cached as f64);
    }
    let noon = at
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .expect("noon")
        .and_utc();
    let price = genai_prices::calculate(
        &PriceRequest::new(model, &tokens)
            .with_provider_id("openai")
            .with_timestamp(noon),
    )
    .unwrap_or_else(|e| panic!("genai-prices has no price for {model}: {e}"))
    .total_price;
    Decimal::from_f64_retain(price).expect("finite").round_dp(6)
}

/// The venv's Python that `scripts/test` sets up; a missing venv fails the
/// test (it must never pass for want of its clients).
fn venv_python() -> PathBuf {
    let hint = "run scripts/test, which creates the venv target/otlp-venv from \
                tests/otlp/requirements.txt and exports COGNITRACK_OTLP_PYTHON \
                (or create it the same way and export \
                COGNITRACK_OTLP_PYTHON=$PWD/target/otlp-venv/bin/python)";
    let Some(value) = std::env::var_os("COGNITRACK_OTLP_PYTHON").filter(|v| !v.is_empty()) else {
        panic!("COGNITRACK_OTLP_PYTHON is not set: {hint}");
    };
    let mut python = PathBuf::from(value);
    if python.is_relative() {
        python = workspace_root().join(python);
    }
    let executable = std::fs::metadata(&python).is_ok_and(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.is_file() && m.permissions().mode() & 0o111 != 0
    });
    assert!(
        executable,
        "COGNITRACK_OTLP_PYTHON={} is not an executable file: {hint}",
        python.display()
    );
    // scripts/test keeps a copy of the requirements it installed beside
    // the venv's bin/: a stale venv would test other versions than pinned.
    let venv = python.parent().and_then(Path::parent).expect("venv folder");
    let wanted = std::fs::read(otlp_dir().join("requirements.txt")).expect("requirements.txt");
    let installed = std::fs::read(venv.join("requirements.txt")).unwrap_or_default();
    assert!(
        installed == wanted,
        "the venv at {} was not installed from the current tests/otlp/requirements.txt: {hint}",
        venv.display()
    );
    python
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn otlp_dir() -> PathBuf {
    workspace_root().join("tests").join("otlp")
}

/// tests/otlp/mock_openai.py as a child process on a port the OS chose.
struct MockOpenAI {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    port: u16,
}

impl MockOpenAI {
    async fn start(python: &Path) -> Self {
        let mut child = Command::new(python)
            .arg("-u")
            .arg(otlp_dir().join("mock_openai.py"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", python.display()));
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Its first line says where it listens: no fixed port, no sleeping.
        let first = tokio::time::timeout(MOCK_START, lines.next_line())
            .await
            .expect("mock_openai.py did not say it was listening in time")
            .expect("read mock_openai.py")
            .expect("mock_openai.py exited before listening");
        let port = first
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from mock_openai.py: {first}"));
        Self { child, lines, port }
    }

    /// Closes its stdin (it then exits) and returns every call it served.
    async fn finish(mut self) -> Vec<Served> {
        drop(self.child.stdin.take());
        let mut served = Vec::new();
        let read_all = async {
            while let Some(line) = self.lines.next_line().await.expect("read mock") {
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("mock line {line}: {e}"));
                served.push(Served::from_json(&v["served"]));
            }
        };
        tokio::time::timeout(MOCK_START, read_all)
            .await
            .expect("mock_openai.py did not exit after its stdin closed");
        let status = self.child.wait().await.expect("wait for mock");
        assert!(status.success(), "mock_openai.py exited with {status}");
        served
    }
}

/// Runs tests/otlp/drive.py; returns its JSON report.
async fn drive(
    python: &Path,
    lib: &Library,
    app: &TestApp,
    key: &str,
    mock_port: u16,
    conversations: &[String],
) -> Value {
    let mut command = Command::new(python);
    command
        .arg(otlp_dir().join("drive.py"))
        .args(["--instrumentation", lib.name])
        .args(["--calls", &CALLS.to_string()])
        .args(["--model", MODEL, "--user", "alice"]);
    for conversation in conversations {
        command.args(["--conversation", conversation]);
    }
    // Only what this test sets: nothing inherited may redirect the SDK.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", app.url(""))
        .env(
            "OTEL_EXPORTER_OTLP_HEADERS",
            format!("Authorization=Bearer {key}"),
        )
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .env(
            "OPENAI_BASE_URL",
            format!("http://127.0.0.1:{mock_port}/v1"),
        )
        .env("OPENAI_API_KEY", "sk-mock")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(DRIVER_RUN, command.output())
        .await
        .unwrap_or_else(|_| panic!("drive.py --instrumentation {} did not finish", lib.name))
        .expect("run drive.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let head: String = stdout.chars().take(2000).collect();
    assert!(
        output.status.success(),
        "drive.py --instrumentation {} failed ({}): its spans did not reach POST /v1/traces\nstderr: {stderr}\nstdout (head): {head}",
        lib.name,
        output.status
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("drive.py output is not JSON ({e}): {stdout}\nstderr: {stderr}"))
}
