//! The server's connections to PostgreSQL send without Nagle's delay.
//!
//! sqlx 0.9.0 stopped setting `TCP_NODELAY`; a statement sent in more than
//! one segment then waited up to 40 ms for PostgreSQL's delayed ACK, inside
//! a batch's transaction while it held its session row locks (BENCHMARKS.md,
//! "Stop 20"). The workspace patches sqlx-core (`vendor/`); this test fails
//! if that patch is dropped before a sqlx release carries the fix. The
//! socket option is not visible from outside the process and reading it
//! from inside takes `unsafe`, so the binary runs under `strace`, which
//! `scripts/setup` and `.ci/run` install.
use e2e::app::{Backend, TestDb};
use e2e::cli;

#[tokio::test]
async fn postgres_connections_disable_nagle() {
    let db = TestDb::fresh(Backend::Postgres).await;
    let trace =
        std::env::temp_dir().join(format!("ct_strace_{}.txt", uuid::Uuid::new_v4().simple()));
    let binary = cli::binary();
    let output = tokio::process::Command::new("strace")
        .arg("-f")
        .args(["-e", "trace=setsockopt,connect"])
        .arg("-o")
        .arg(&trace)
        .arg(&binary)
        .arg("migrate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect(
            "strace is needed for this test: scripts/setup installs it (apt-get install strace)",
        );
    assert!(
        output.status.success(),
        "cognitrack migrate under strace: {}",
        cli::stderr(&output)
    );
    let calls = std::fs::read_to_string(&trace).expect("strace output");
    drop(std::fs::remove_file(&trace));
    db.cleanup().await;

    let connects = calls
        .lines()
        .filter(|l| l.contains(" connect(") && l.contains("AF_INET"))
        .count();
    assert!(
        connects > 0,
        "migrate opened no TCP connection to PostgreSQL:\n{calls}"
    );
    let nodelay = calls
        .lines()
        .filter(|l| l.contains("setsockopt(") && l.contains("TCP_NODELAY, [1]"))
        .count();
    assert!(
        nodelay >= connects,
        "{connects} TCP connections but TCP_NODELAY set on {nodelay}:\n{calls}"
    );
}
