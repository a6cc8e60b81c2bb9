//! Runs the real `cognitrack` binary, as a user's script would.
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::OnceLock;

use tokio::process::Command;

/// The binary, built once per test process by the same cargo and target
/// directory as the tests, so it is never stale.
pub fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = std::process::Command::new(cargo)
                .args(["build", "--quiet", "-p", "api", "--bin", "cognitrack"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("run cargo build");
            assert!(status.success(), "cargo build --bin cognitrack failed");
            // Test binaries live in <target>/<profile>/deps.
            let exe = std::env::current_exe().expect("test executable");
            let dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target profile directory");
            let path = dir.join(format!("cognitrack{}", std::env::consts::EXE_SUFFIX));
            assert!(path.is_file(), "{} was not built", path.display());
            path
        })
        .clone()
}

/// A command for the binary with a clean environment: only what the test
/// sets (plus PATH), so a developer's own keys never leak into a test.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs to completion; returns status, stdout and stderr.
pub async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env).output().await.expect("run cognitrack")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
