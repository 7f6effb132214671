//! One real LocalStack per test process, started on first use on a free
//! loopback port by the project's own script, and stopped when the process exits.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::terraform::{ensure_installed, repo_root};

pub struct LocalStack {
    pub endpoint: String,
    dir: PathBuf,
}

static INSTANCE: OnceLock<LocalStack> = OnceLock::new();

/// The running LocalStack, started if need be.
pub fn localstack() -> &'static LocalStack {
    INSTANCE.get_or_init(|| {
        ensure_installed("localstack");
        let dir = repo_root().join(".work").join(format!("localstack-{}", std::process::id()));
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/localstack.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run scripts/localstack.sh");
        assert!(
            output.status.success(),
            "LocalStack did not start:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The test harness has no teardown hook; exit handlers run when it returns.
        unsafe { libc::atexit(stop_at_exit) };
        LocalStack { endpoint: String::from_utf8(output.stdout).unwrap().trim().to_owned(), dir }
    })
}

extern "C" fn stop_at_exit() {
    if let Some(instance) = INSTANCE.get() {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/localstack.sh"))
            .arg("stop")
            .arg(&instance.dir)
            .status();
        let _ = std::fs::remove_dir_all(&instance.dir);
    }
}
