//! The Registry docs in docs/ match what the schemas and examples generate:
//! a changed description, argument or example without `make docs` fails here.

use std::process::Command;

use crate::support::binaries;

#[test]
fn docs_are_up_to_date() {
    let out = Command::new(binaries::gen_docs()).arg("--check").output().unwrap();
    assert!(
        out.status.success(),
        "gen-docs --check failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
