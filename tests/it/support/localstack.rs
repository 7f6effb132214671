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

/// The running LocalStack, started if need be. Only acceptance tests use it:
/// they are `#[ignore]`d, and run with TF_ACC=1 (as terraform-plugin-testing
/// has it); a test that reaches here without TF_ACC fails, so an acceptance
/// test nobody marked is noticed rather than run by accident.
pub fn localstack() -> &'static LocalStack {
    assert!(
        std::env::var_os("TF_ACC").is_some_and(|v| !v.is_empty()),
        "TF_ACC is not set, and this test needs LocalStack: acceptance tests are marked \
         #[ignore = \"acceptance test: ...\"] and run with \
         `TF_ACC=1 cargo test -- --include-ignored`, as `make test` does"
    );
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

/// Stops LocalStack now, for a test that needs it not to answer; nothing in
/// this process can use it afterwards, so such a test runs in a process of
/// its own ([`in_own_process`]).
pub fn stop() {
    stop_at_exit();
}

/// Whether test `name` (its path, `module::test`), the caller, runs its body
/// here. It does only in a process of its own, with a LocalStack of its own:
/// the other tests share this process's. Elsewhere, this runs the test binary
/// again for that test alone and fails unless it passes there.
pub fn in_own_process(name: &str) -> bool {
    const OWN_PROCESS: &str = "TFASYNC_OWN_PROCESS";
    if std::env::var_os(OWN_PROCESS).is_some_and(|test| test == name) {
        return true;
    }
    let binary = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(binary)
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env(OWN_PROCESS, name)
        .output()
        .expect("run the test binary again");
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && text.contains("test result: ok. 1 passed"),
        "{name}, in a process of its own ({}):\n{text}",
        output.status
    );
    false
}

extern "C" fn stop_at_exit() {
    static STOPPED: std::sync::Once = std::sync::Once::new();
    if let Some(instance) = INSTANCE.get() {
        STOPPED.call_once(|| instance.stop());
    }
}

impl LocalStack {
    fn stop(&self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/localstack.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
