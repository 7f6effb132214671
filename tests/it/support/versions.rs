//! The versions of the external tools, from scripts/lib/versions.env: the one
//! manifest the Makefile, scripts/install-tools.sh, bench/ and these tests
//! all read. It is read at compile time, so a changed version rebuilds the
//! tests, and a key missing from it fails the build.

/// scripts/lib/versions.env: `KEY=VALUE` lines, comments starting with `#`.
const MANIFEST: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lib/versions.env"));

/// The oldest Terraform supported, and tested.
pub const TERRAFORM_OLDEST: &str = value("TERRAFORM_OLDEST");
/// The newest Terraform supported, and tested.
pub const TERRAFORM_NEWEST: &str = value("TERRAFORM_NEWEST");
/// The oldest Terraform tested with import blocks, `removed`, `moved`
/// across resource types and provider functions.
pub const TERRAFORM_FUNCTIONS: &str = value("TERRAFORM_FUNCTIONS");
/// The oldest Terraform tested with resource identity.
pub const TERRAFORM_IDENTITY: &str = value("TERRAFORM_IDENTITY");
/// The oldest Terraform tested with `terraform query` and actions.
pub const TERRAFORM_ACTIONS: &str = value("TERRAFORM_ACTIONS");
/// hashicorp/aws, the composition peer of the tests and examples.
pub const AWS_PROVIDER: &str = value("AWS_PROVIDER");

/// The value of `key` in the manifest.
const fn value(key: &str) -> &'static str {
    let text = MANIFEST.as_bytes();
    let key = key.as_bytes();
    let mut start = 0;
    while start < text.len() {
        let mut end = start;
        while end < text.len() && text[end] != b'\n' {
            end += 1;
        }
        if end - start > key.len() && text[start + key.len()] == b'=' && begins(text, start, key) {
            let (_, rest) = MANIFEST.split_at(start + key.len() + 1);
            let (value, _) = rest.split_at(end - start - key.len() - 1);
            return value;
        }
        start = end + 1;
    }
    panic!("a key is missing from scripts/lib/versions.env")
}

/// Whether `text` holds `prefix` at `at`.
const fn begins(text: &[u8], at: usize, prefix: &[u8]) -> bool {
    let mut i = 0;
    while i < prefix.len() {
        if text[at + i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `test` is the name of a test of Terraform `version`:
/// `on_terraform_1_2_3` for 1.2.3 (see `each_terraform_version!`).
pub const fn names_terraform(test: &str, version: &str) -> bool {
    const PREFIX: &[u8] = b"on_terraform_";
    let (test, version) = (test.as_bytes(), version.as_bytes());
    if test.len() != PREFIX.len() + version.len() || !begins(test, 0, PREFIX) {
        return false;
    }
    let mut i = 0;
    while i < version.len() {
        let wanted = if version[i] == b'.' { b'_' } else { version[i] };
        if test[PREFIX.len() + i] != wanted {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether Terraform `version` is `since` or later (`1.12.2` >= `1.8.4`).
pub fn at_least(version: &str, since: &str) -> bool {
    let parts = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap()).collect::<Vec<_>>();
    parts(version) >= parts(since)
}
