//! The provider's executables, built by cargo for the tests that run them.
//!
//! The tests are a package of their own (the workspace root), so cargo does
//! not build the provider package's binaries for them, and `CARGO_BIN_EXE_*`
//! names only a package's own binaries. Instead, the first test in a process
//! that needs one has cargo build them: a no-op when they are up to date, a
//! rebuild when the provider's sources changed since, so a test never runs a
//! stale binary. Cargo's build lock is free while tests run, and cargo
//! reports where it put each executable.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::terraform::repo_root;

/// The provider, as Terraform runs it.
pub fn provider() -> &'static Path {
    executable("terraform-provider-async")
}

/// The generator of docs/.
pub fn gen_docs() -> &'static Path {
    executable("gen-docs")
}

fn executable(name: &str) -> &'static Path {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    let built = BUILT.get_or_init(build);
    built.get(name).unwrap_or_else(|| panic!("cargo built no executable {name}: {built:?}"))
}

/// Builds the workspace's binaries; every binary's name and path.
///
/// `--examples` (there are none) makes cargo resolve features as `cargo test
/// --workspace` does, with dev-dependencies: the binaries then link the very
/// libraries the test build compiled, instead of a second, plain build of all
/// of them.
fn build() -> HashMap<String, PathBuf> {
    let output = cargo()
        .current_dir(repo_root())
        .args(["build", "--locked", "--message-format=json-render-diagnostics"])
        .args(["--workspace", "--bins", "--examples"])
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo build of the provider's binaries failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut executables = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let message: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("cargo printed a line that is not JSON ({e}): {line}"));
        if message["reason"] == "compiler-artifact"
            && let (Some(name), Some(path)) =
                (message["target"]["name"].as_str(), message["executable"].as_str())
        {
            executables.insert(name.to_owned(), PathBuf::from(path));
        }
    }
    executables
}

/// Cargo, without the variables cargo set for running this test, which
/// describe this test's package: a nested build seeing them could differ from
/// a plain one and rebuild. The user's own settings (CARGO_HOME,
/// CARGO_TARGET_DIR, CARGO_PROFILE_*, ...) are kept.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    without_test_variables(&mut command);
    command
}

/// Removes the variables cargo set for running this test from `command`'s
/// environment: for a script that runs cargo, as [`cargo`] does.
pub fn without_test_variables(command: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if SET_FOR_TESTS.iter().any(|set| key == *set || set.ends_with('_') && key.starts_with(set))
        {
            command.env_remove(key.as_ref());
        }
    }
    command
}

/// The variables (and prefixes of variables) cargo sets for a test process.
const SET_FOR_TESTS: [&str; 10] = [
    "CARGO_PKG_",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_BIN_EXE_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];
