//! The proxy of tests/support/fault_proxy.py in front of LocalStack: it
//! counts calls by operation and injects the faults or quotas it is asked to.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::localstack::localstack;
use super::terraform::repo_root;

/// The proxy, stopped when dropped.
pub struct FaultProxy {
    child: Child,
    pub url: String,
    stats: tempfile::NamedTempFile,
}

impl FaultProxy {
    pub fn start(faults: &[(&str, &str)]) -> FaultProxy {
        let stats = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new("python3");
        command
            .arg(repo_root().join("tests/support/fault_proxy.py"))
            .args(["--upstream", &localstack().endpoint, "--stats"])
            .arg(stats.path());
        for (name, value) in faults {
            command.arg(format!("--{name}")).arg(value);
        }
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
        FaultProxy { child, url: url.trim().to_owned(), stats }
    }

    /// What the proxy counted; it writes the file after each request it handles.
    pub fn stats(&self) -> serde_json::Value {
        let bytes = std::fs::read(self.stats.path()).unwrap();
        assert!(!bytes.is_empty(), "the fault proxy recorded nothing: no request reached it");
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "the fault proxy's stats are not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        })
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
