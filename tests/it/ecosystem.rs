//! What every registry provider ships, checked with real Terraform: release
//! artifacts that install from a filesystem mirror with the right lock-file
//! hash, logs Terraform shows and filters, and examples that are fmt-clean
//! and valid.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::support::aws as cloud;
use crate::support::binaries;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::localstack::localstack;
use crate::support::terraform::{
    PROVIDER_SOURCE, PROVIDER_VERSION as VERSION, Terraform, aws_provider_path,
    each_terraform_version, ensure_installed, repo_root,
};
use crate::support::versions::{
    TERRAFORM_ACTIONS, TERRAFORM_FUNCTIONS, TERRAFORM_NEWEST, at_least,
};

/// `make release`'s artifacts, made once per test process for the tests of
/// both Terraform versions; a failed release fails each of them.
fn release() -> &'static Path {
    static DIST: OnceLock<Result<tempfile::TempDir, String>> = OnceLock::new();
    match DIST.get_or_init(run_release) {
        Ok(dist) => dist.path(),
        Err(e) => panic!("{e}"),
    }
}

/// Runs `make release`'s script into a fresh directory; returns it.
fn run_release() -> Result<tempfile::TempDir, String> {
    let dist = tempfile::Builder::new().prefix("dist-").tempdir().unwrap();
    let mut command = Command::new("bash");
    command.arg(repo_root().join("scripts/release.sh")).arg(dist.path());
    // Cargo's variables for this test would make the nested build differ from
    // `make release`'s (build scripts watch them) and rebuild everything.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME") || key == "OUT_DIR" {
            command.env_remove(key.as_ref());
        }
    }
    let status = command.status().unwrap();
    if !status.success() {
        return Err(format!("scripts/release.sh failed ({status})"));
    }
    Ok(dist)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Terraform's `h1:` package hash: SHA-256 over the sorted lines
/// "<sha256 of file>  <name>\n" of the unpacked package.
fn h1_hash(files: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<String> =
        files.iter().map(|(name, data)| format!("{}  {name}\n", sha256_hex(data))).collect();
    lines.sort();
    let digest = Sha256::digest(lines.concat().as_bytes());
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(digest))
}

each_terraform_version!(release_artifacts_install_from_a_mirror_with_the_right_lock_hash);
fn release_artifacts_install_from_a_mirror_with_the_right_lock_hash(version: &'static str) {
    let dist = release();
    let name = format!("terraform-provider-async_{VERSION}");
    let zip_path = dist.join(format!("{name}_linux_amd64.zip"));
    let zip = std::fs::read(&zip_path).unwrap();
    let sums = std::fs::read_to_string(dist.join(format!("{name}_SHA256SUMS"))).unwrap();
    assert!(sums.contains(&format!("{}  {name}_linux_amd64.zip", sha256_hex(&zip))), "{sums}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join(format!("{name}_manifest.json"))).unwrap())
            .unwrap();
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["5.0"]));

    // The binary inside the zip, as Terraform unpacks it.
    let binary = repo_root().join("target/release-dist/release/terraform-provider-async");
    let binary = std::fs::read(binary).unwrap();
    let expected_hash = h1_hash(&[(&format!("terraform-provider-async_v{VERSION}"), &binary)]);
    let version_output =
        Command::new(repo_root().join("target/release-dist/release/terraform-provider-async"))
            .arg("--version")
            .output()
            .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version_output.stdout).trim(),
        format!("terraform-provider-async {VERSION}")
    );

    // A packed filesystem mirror, as `terraform providers mirror` lays it out.
    let mirror = tempfile::Builder::new().prefix("mirror-").tempdir().unwrap();
    let packed = mirror.path().join("registry.terraform.io").join(PROVIDER_SOURCE);
    std::fs::create_dir_all(&packed).unwrap();
    std::fs::copy(&zip_path, packed.join(format!("{name}_linux_amd64.zip"))).unwrap();

    let mut tf = Terraform::new(version);
    let cli_config = tf.dir().join("mirror.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.path().display()
        ),
    )
    .unwrap();
    tf.set_env("TF_CLI_CONFIG_FILE", &cli_config.display().to_string());
    for (key, value) in
        [("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "x")]
    {
        tf.set_env(key, value);
    }
    let hook = Endpoint::new("hook", "a1b2c3d4e5", "f6g7h8", "POST", "worker");
    tf.write_config(&format!(
        r#"terraform {{
  required_providers {{
    async = {{
      source  = "{PROVIDER_SOURCE}"
      version = "~> {VERSION}"
    }}
  }}
}}

provider "async" {{}}

{hook}"#
    ));
    let init = tf.ok(&["init", "-no-color", "-input=false"]);
    assert!(init.contains(&format!("Installed {PROVIDER_SOURCE} v{VERSION}")), "{version}: {init}");
    let lock = std::fs::read_to_string(tf.dir().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("version     = \"{VERSION}\"")), "{version}: {lock}");
    assert!(lock.contains(&expected_hash), "{version}: lock file lacks {expected_hash}:\n{lock}");
    let plan = tf.ok(&["plan", "-no-color", "-input=false"]);
    assert!(plan.contains("1 to add"), "{version}: {plan}");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn terraform_shows_each_aws_call_in_debug_logs_and_never_a_secret() {
    const SECRET: &str = "s3cr3t-never-in-logs-8f2a";
    let (api, resource) = cloud::rest_api_with_resource("logs", "jobs");
    cloud::function("logs", "def handler(event, context):\n    return event\n");
    let mut tf = Terraform::new(TERRAFORM_NEWEST);
    let provider = cloud::provider_block()
        .replace("secret_key = \"test\"", &format!("secret_key = \"{SECRET}\""));
    tf.write_config(&configuration(
        &provider,
        &[Endpoint::new("hook", &api, &resource, "POST", "logs")],
    ));
    let log = tf.dir().join("debug.log");
    tf.set_env("TF_LOG_PATH", &log.display().to_string());
    tf.set_env("TF_LOG", "TRACE");
    tf.apply();
    let text = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = text.lines().filter(|l| l.contains("AWS call succeeded")).collect();
    for operation in [
        "GetResource",
        "PutMethod",
        "PutIntegration",
        "PutMethodResponse",
        "PutIntegrationResponse",
        "AddPermission",
    ] {
        let line = calls
            .iter()
            .find(|l| l.contains(&format!("operation={operation}")))
            .unwrap_or_else(|| panic!("no log line for {operation}:\n{}", calls.join("\n")));
        assert!(line.contains("[DEBUG]"), "{line}");
        for field in ["service=", "request_id=", "duration_ms=", "retries=0"] {
            assert!(line.contains(field), "{field} missing: {line}");
        }
    }
    assert!(!text.contains(SECRET), "the secret key appears in TRACE logs");
    // LocalStack has no quota: configure says its calls go unpaced, and why.
    for service in ["API Gateway", "Lambda"] {
        let said = format!("not pacing {service} calls: no quota outside AWS");
        let line = text.lines().find(|l| l.contains(&said));
        let line = line.unwrap_or_else(|| panic!("no log line saying {said:?}"));
        assert!(line.contains("[INFO]") && line.contains(&localstack().endpoint), "{line}");
    }

    // TF_LOG_PROVIDER filters provider logs independently of Terraform's own.
    std::fs::remove_file(&log).unwrap();
    tf.set_env("TF_LOG", "DEBUG");
    tf.set_env("TF_LOG_PROVIDER", "WARN");
    tf.ok(&["plan", "-no-color", "-input=false"]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("[DEBUG]"), "Terraform's own debug logs are kept");
    assert!(!text.contains("AWS call succeeded"), "provider debug logs are filtered out");
    tf.destroy();
}

/// Copies `examples/` into `dir` so relative module paths keep working.
fn copy_examples(dir: &Path) -> PathBuf {
    let target = dir.join("examples");
    let status = Command::new("cp")
        .arg("-r")
        .arg(repo_root().join("examples"))
        .arg(&target)
        .status()
        .unwrap();
    assert!(status.success());
    target
}

each_terraform_version!(examples_are_fmt_clean_and_valid);
fn examples_are_fmt_clean_and_valid(version: &'static str) {
    let tf = Terraform::with_aws_provider(version);
    let examples = copy_examples(tf.dir());
    // Syntax an older Terraform cannot parse: provider functions (1.8),
    // actions (1.14); checked on the versions that have it.
    for (dir, since) in [("functions", TERRAFORM_FUNCTIONS), ("actions", TERRAFORM_ACTIONS)] {
        if !at_least(version, since) {
            std::fs::remove_dir_all(examples.join(dir)).unwrap();
        }
    }
    let fmt = tf.run(&["fmt", "-check", "-recursive", "-diff", "examples"]);
    assert!(
        fmt.status.success(),
        "{version}: terraform fmt would change:\n{}{}",
        String::from_utf8_lossy(&fmt.stdout),
        String::from_utf8_lossy(&fmt.stderr)
    );
    // The registry snippets (provider/, resources/) refer to resources defined elsewhere;
    // the runnable examples and the module must validate.
    for example in ["complete", "webhooks", "http-api", "modules/async-webhook"] {
        let chdir = format!("-chdir={}", examples.join(example).display());
        tf.ok(&[&chdir, "init", "-no-color", "-input=false", "-backend=false"]);
        let out = tf.ok(&[&chdir, "validate", "-no-color"]);
        assert!(out.contains("The configuration is valid"), "{version} {example}: {out}");
    }
}

/// `make install`'s script, PROFILE=debug (the build the tests already made),
/// run with `home` as HOME; returns the installed binary's path.
fn make_install(home: &Path) -> PathBuf {
    let real_home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    let mut command = Command::new("bash");
    command.arg(repo_root().join("scripts/install-provider.sh"));
    binaries::without_test_variables(&mut command);
    // Cargo and rustup keep using the real HOME's installation.
    for (key, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        let value = std::env::var_os(key).unwrap_or_else(|| real_home.join(default).into());
        command.env(key, value);
    }
    let output = command.env("HOME", home).env("PROFILE", "debug").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "scripts/install-provider.sh failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let installed = home.join(format!(
        ".terraform.d/plugins/registry.terraform.io/{PROVIDER_SOURCE}/{VERSION}/linux_amd64/terraform-provider-async_v{VERSION}"
    ));
    assert!(stdout.contains(&installed.display().to_string()), "says where it went:\n{stdout}");
    installed
}

each_terraform_version!(acceptance make_install_needs_no_cli_configuration);
fn make_install_needs_no_cli_configuration(version: &'static str) {
    // The tests' build first; the script's own build is then a no-op.
    let built = sha256_hex(&std::fs::read(binaries::provider()).unwrap());
    let home = tempfile::Builder::new().prefix("home-").tempdir().unwrap();
    let installed = make_install(home.path());
    // A copy, which `cargo clean` leaves working, of that build.
    assert!(std::fs::symlink_metadata(&installed).unwrap().file_type().is_file());
    let binary = std::fs::read(&installed).unwrap();
    assert!(sha256_hex(&binary) == built, "{version}: not the tests' build");

    // hashicorp/aws as a user's own mirror has it: here in the same implicit directory.
    ensure_installed("aws-provider");
    let aws = Path::new("registry.terraform.io").join(aws_provider_path());
    let mirrored = home.path().join(".terraform.d/plugins").join(&aws);
    std::fs::create_dir_all(&mirrored).unwrap();
    for entry in std::fs::read_dir(repo_root().join(".tools/mirror").join(&aws)).unwrap() {
        let entry = entry.unwrap();
        std::os::unix::fs::symlink(entry.path(), mirrored.join(entry.file_name())).unwrap();
    }

    let tf = Terraform::without_cli_config(version, home.path());
    let webhooks = copy_examples(tf.dir()).join("webhooks");
    std::fs::write(
        webhooks.join("localstack_override.tf"),
        format!("{}{}", cloud::aws_provider_block(), cloud::provider_block()),
    )
    .unwrap();
    let chdir = format!("-chdir={}", webhooks.display());
    let init = tf.ok(&[&chdir, "init", "-no-color", "-input=false"]);
    assert!(init.contains(&format!("Installed {PROVIDER_SOURCE} v{VERSION}")), "{version}: {init}");
    let lock = std::fs::read_to_string(webhooks.join(".terraform.lock.hcl")).unwrap();
    let hash = h1_hash(&[(&format!("terraform-provider-async_v{VERSION}"), &binary)]);
    assert!(
        lock.contains(&format!("provider \"registry.terraform.io/{PROVIDER_SOURCE}\"")),
        "{version}: {lock}"
    );
    assert!(
        lock.contains(&hash),
        "{version}: lock file lacks the installed build's {hash}:\n{lock}"
    );

    let plan = tf.ok(&[&chdir, "plan", "-no-color", "-input=false", "-var", "function_name=hook"]);
    for hook in ["orders", "events", "source"] {
        let resource =
            format!("module.webhook[\"{hook}\"].async_lambda_endpoint.this will be created");
        assert!(plan.contains(&resource), "{version}: no {resource}:\n{plan}");
    }
}
