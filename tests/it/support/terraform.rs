//! Real Terraform CLIs, installed by the project's own script, run against
//! the provider binary in a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{binaries, versions};

/// The provider's source address, as users write it in required_providers.
pub const PROVIDER_SOURCE: &str = "tf-async/async";
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/tf-async/async";

/// The provider's version: the workspace's, which this package shares.
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every Terraform this provider is tested with, oldest first
/// (scripts/lib/versions.env): [`each_terraform_version!`] names its tests
/// after them, by these indices.
pub const VERSIONS: [&str; 5] = [
    versions::TERRAFORM_OLDEST,
    versions::TERRAFORM_FUNCTIONS,
    versions::TERRAFORM_IDENTITY,
    versions::TERRAFORM_ACTIONS,
    versions::TERRAFORM_NEWEST,
];

/// Makes a test body `fn NAME(version: &'static str)` one test per Terraform
/// version, `NAME::on_terraform_1_0_3` and so on, so a failure on one
/// version never hides another's result:
/// - `NAME`: the full suite's, on the oldest and the newest;
/// - `NAME since functions|identity|actions`: a feature's, on the oldest
///   Terraform that has it and the newest;
/// - `NAME everywhere`: a smoke test, on every version.
///
/// With `acceptance` first, they are acceptance tests: ignored unless asked
/// for (`make test` runs them, `TF_ACC=1 cargo test -- --include-ignored`).
/// A test's name is its version's: after a change of version in
/// scripts/lib/versions.env, the build fails until the name here changes.
macro_rules! each_terraform_version {
    (acceptance $name:ident $($versions:ident)?) => {
        $crate::support::terraform::each_terraform_version!(@versions $name [$($versions)?] #[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]);
    };
    (acceptance $name:ident since $feature:ident) => {
        $crate::support::terraform::each_terraform_version!(@versions $name [since $feature] #[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]);
    };
    ($name:ident $($versions:ident)?) => {
        $crate::support::terraform::each_terraform_version!(@versions $name [$($versions)?]);
    };
    ($name:ident since $feature:ident) => {
        $crate::support::terraform::each_terraform_version!(@versions $name [since $feature]);
    };
    (@versions $name:ident [] $(#[$attribute:meta])*) => {
        $crate::support::terraform::each_terraform_version!(@tests $name [(on_terraform_1_0_3 0) (on_terraform_1_15_5 4)] [$(#[$attribute])*]);
    };
    (@versions $name:ident [since functions] $(#[$attribute:meta])*) => {
        $crate::support::terraform::each_terraform_version!(@tests $name [(on_terraform_1_8_4 1) (on_terraform_1_15_5 4)] [$(#[$attribute])*]);
    };
    (@versions $name:ident [since identity] $(#[$attribute:meta])*) => {
        $crate::support::terraform::each_terraform_version!(@tests $name [(on_terraform_1_12_2 2) (on_terraform_1_15_5 4)] [$(#[$attribute])*]);
    };
    (@versions $name:ident [since actions] $(#[$attribute:meta])*) => {
        $crate::support::terraform::each_terraform_version!(@tests $name [(on_terraform_1_14_9 3) (on_terraform_1_15_5 4)] [$(#[$attribute])*]);
    };
    (@versions $name:ident [everywhere] $(#[$attribute:meta])*) => {
        $crate::support::terraform::each_terraform_version!(@tests $name [(on_terraform_1_0_3 0) (on_terraform_1_8_4 1) (on_terraform_1_12_2 2) (on_terraform_1_14_9 3) (on_terraform_1_15_5 4)] [$(#[$attribute])*]);
    };
    (@tests $name:ident [$(($test:ident $index:literal))*] $attributes:tt) => {
        mod $name {
            $($crate::support::terraform::each_terraform_version!(@test $name $test $index $attributes);)*
        }
    };
    (@test $name:ident $test:ident $index:literal [$(#[$attribute:meta])*]) => {
        const _: () = assert!(
            $crate::support::versions::names_terraform(
                stringify!($test),
                $crate::support::terraform::VERSIONS[$index]
            ),
            concat!(
                "scripts/lib/versions.env names another Terraform version: rename ",
                stringify!($test),
                " in each_terraform_version!"
            )
        );

        #[test]
        $(#[$attribute])*
        fn $test() {
            super::$name($crate::support::terraform::VERSIONS[$index]);
        }
    };
}
pub(crate) use each_terraform_version;

/// The repository's root, which is this package's directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `scripts/install-tools.sh COMPONENT` once per component and test
/// process: a no-op when already installed; the script serialises concurrent
/// installs itself.
pub fn ensure_installed(component: &'static str) {
    static DONE: std::sync::Mutex<Vec<&str>> = std::sync::Mutex::new(Vec::new());
    // Held while installing: a second caller waits, then finds it done.
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if done.contains(&component) {
        return;
    }
    let status = Command::new("bash")
        .arg(repo_root().join("scripts/install-tools.sh"))
        .arg(component)
        .status()
        .expect("run scripts/install-tools.sh");
    assert!(status.success(), "scripts/install-tools.sh {component} failed");
    done.push(component);
}

/// One Terraform CLI working in one scratch directory.
pub struct Terraform {
    pub version: &'static str,
    binary: PathBuf,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Terraform {
    /// Terraform `version` in a fresh directory, with the provider installed
    /// through dev_overrides (no `terraform init` needed).
    pub fn new(version: &'static str) -> Terraform {
        let provider_dir = binaries::provider().parent().unwrap();
        Terraform::with_installation(
            version,
            &format!(
                "  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n",
                provider_dir.display()
            ),
        )
    }

    /// Terraform `version` beside hashicorp/aws: both providers come from a
    /// filesystem mirror, as in an offline install; call `init` first.
    pub fn with_aws_provider(version: &'static str) -> Terraform {
        Terraform::with_installation(
            version,
            &format!("  filesystem_mirror {{\n    path = \"{}\"\n  }}\n", mirror().display()),
        )
    }

    /// Terraform `version` as a user runs it, with `home` as HOME: no
    /// TF_CLI_CONFIG_FILE, so no CLI configuration but `home`'s own, and
    /// providers from the implicit local mirror `home/.terraform.d/plugins`,
    /// else from their registry.
    pub fn without_cli_config(version: &'static str, home: &Path) -> Terraform {
        let mut tf = Terraform::in_scratch_dir(version);
        let home = home.display().to_string();
        tf.set_env("XDG_DATA_HOME", &format!("{home}/.local/share"));
        tf.set_env("TF_PLUGIN_CACHE_DIR", "");
        tf.set_env("HOME", &home);
        tf
    }

    fn with_installation(version: &'static str, installation: &str) -> Terraform {
        let mut tf = Terraform::in_scratch_dir(version);
        let cli_config = tf.dir().join("cli.tfrc");
        std::fs::write(&cli_config, format!("provider_installation {{\n{installation}}}\n"))
            .unwrap();
        tf.set_env("TF_CLI_CONFIG_FILE", &cli_config.display().to_string());
        tf
    }

    fn in_scratch_dir(version: &'static str) -> Terraform {
        ensure_installed("terraform");
        let binary = repo_root().join(".tools/terraform").join(version).join("terraform");
        assert!(binary.exists(), "{} missing after install", binary.display());
        let dir = tempfile::Builder::new().prefix(&format!("tf-{version}-")).tempdir().unwrap();
        let env = vec![
            ("CHECKPOINT_DISABLE".to_owned(), "1".to_owned()),
            ("TF_IN_AUTOMATION".to_owned(), "1".to_owned()),
        ];
        Terraform { version, binary, dir, env }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Writes `main.tf`.
    pub fn write_config(&self, hcl: &str) {
        std::fs::write(self.dir().join("main.tf"), hcl).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run terraform")
    }

    /// The command `run` would run, for starting Terraform in the background.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command.current_dir(self.dir()).args(args);
        // The CLI configuration is the constructor's alone (TERRAFORM_CONFIG is
        // TF_CLI_CONFIG_FILE's old name).
        for key in [
            "TF_LOG",
            "TF_LOG_PATH",
            "TF_LOG_PROVIDER",
            "TF_REATTACH_PROVIDERS",
            "TF_CLI_CONFIG_FILE",
            "TERRAFORM_CONFIG",
        ] {
            command.env_remove(key);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "terraform {} {args:?} failed:\n{}\n{}",
            self.version,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs and asserts failure; returns stdout and stderr together.
    pub fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.status.success(),
            "terraform {} {args:?} should fail:\n{text}",
            self.version
        );
        text
    }
}

impl Terraform {
    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> String {
        self.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// Plans with `extra` arguments; `None` when there is nothing to do, else
    /// the plan's text. A failed plan fails the test.
    pub fn plan_changes(&self, extra: &[&str]) -> Option<String> {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend_from_slice(extra);
        let output = self.run(&args);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        match output.status.code() {
            Some(0) => None,
            Some(2) => Some(text),
            _ => panic!(
                "terraform {} plan failed:\n{text}\n{}",
                self.version,
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }

    /// Asserts that both the refresh plan and the non-refresh plan are empty,
    /// as terraform-plugin-testing does after every apply.
    pub fn assert_no_changes(&self) {
        if let Some(plan) = self.plan_changes(&[]) {
            panic!("terraform {}: plan after apply is not empty:\n{plan}", self.version);
        }
        if let Some(plan) = self.plan_changes(&["-refresh=false"]) {
            panic!("terraform {}: non-refresh plan is not empty:\n{plan}", self.version);
        }
    }

    /// The attributes of resource `address` in state.
    pub fn state_attributes(&self, address: &str) -> serde_json::Value {
        let json: serde_json::Value = serde_json::from_str(&self.ok(&["show", "-json"])).unwrap();
        json["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// A filesystem mirror (unpacked layout) with this build of the provider and
/// hashicorp/aws from `.tools`, made once per test process.
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<tempfile::TempDir> = OnceLock::new();
    MIRROR
        .get_or_init(|| {
            ensure_installed("aws-provider");
            let dir = tempfile::Builder::new().prefix("tf-mirror-").tempdir().unwrap();
            let registry = dir.path().join("registry.terraform.io");
            let version = PROVIDER_VERSION;
            let ours = registry.join(PROVIDER_SOURCE).join(version).join("linux_amd64");
            std::fs::create_dir_all(&ours).unwrap();
            std::os::unix::fs::symlink(
                binaries::provider(),
                ours.join(format!("terraform-provider-async_v{version}")),
            )
            .unwrap();
            // Terraform does not follow symlinked directories in a mirror, only files.
            let aws = aws_provider_path();
            std::fs::create_dir_all(registry.join(&aws)).unwrap();
            let installed = repo_root().join(".tools/mirror/registry.terraform.io").join(&aws);
            for entry in std::fs::read_dir(&installed).unwrap() {
                let entry = entry.unwrap();
                std::os::unix::fs::symlink(
                    entry.path(),
                    registry.join(&aws).join(entry.file_name()),
                )
                .unwrap();
            }
            dir
        })
        .path()
}

/// hashicorp/aws in a filesystem mirror, below its hostname:
/// `hashicorp/aws/VERSION/linux_amd64` (scripts/install-tools.sh installs it
/// in `.tools/mirror/registry.terraform.io`).
pub fn aws_provider_path() -> PathBuf {
    Path::new("hashicorp/aws").join(versions::AWS_PROVIDER).join("linux_amd64")
}

/// `terraform apply` in the background, one resource at a time, in a process
/// group of its own as a terminal's foreground job is (the provider is not in it).
pub fn start_apply(tf: &Terraform) -> Child {
    use std::os::unix::process::CommandExt;
    tf.command(&["apply", "-auto-approve", "-no-color", "-input=false", "-parallelism=1"])
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Ctrl-C in a terminal (SIGINT to `apply`'s process group); its output once
/// it has exited, failed, within 30 s.
pub fn interrupt(mut apply: Child) -> String {
    Command::new("kill").args(["-INT", "--", &format!("-{}", apply.id())]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while apply.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "terraform did not stop within 30 s of Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = apply.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the interrupted apply reports failure:\n{text}");
    text
}
