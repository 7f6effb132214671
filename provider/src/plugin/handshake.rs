//! go-plugin's handshake: the environment Terraform sets when it launches a
//! plugin, and the one line the plugin answers with on stdout.

use std::path::Path;

use base64::Engine;

/// Terraform's (and OpenTofu's) magic cookie: proves Terraform launched us.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version, and the Terraform plugin protocol we speak.
const CORE_PROTOCOL_VERSION: u32 = 1;
pub const APP_PROTOCOL_VERSION: u32 = 5;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    #[error(
        "This binary is a plugin: Terraform runs it, you do not run it directly.\n\
         To use it, declare the provider in a configuration's required_providers and run \
         `terraform init`; see the README. To debug it, run it with --debug."
    )]
    NotLaunchedByTerraform,
    #[error(
        "Terraform asked for plugin protocol versions {offered:?}, but this provider speaks \
         version {APP_PROTOCOL_VERSION} only. Use Terraform 1.0 or newer."
    )]
    UnsupportedProtocol { offered: String },
    #[error(
        "PLUGIN_CLIENT_CERT is not set, so the connection cannot be authenticated. Terraform \
         sets it; set TF_DISABLE_PLUGIN_TLS=1 only if you mean to run without TLS."
    )]
    MissingClientCertificate,
}

/// How Terraform wants to talk to us, read from its environment.
#[derive(Debug, PartialEq, Eq)]
pub struct Launch {
    /// Terraform's client certificate (PEM); `None` when TLS is disabled.
    pub client_cert_pem: Option<String>,
}

/// Reads the launch environment through `var`, so tests need not mutate the process's.
pub fn read_launch(var: impl Fn(&str) -> Option<String>) -> Result<Launch, HandshakeError> {
    if var(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::NotLaunchedByTerraform);
    }
    // Old clients do not send the list; go-plugin then assumes its configured version.
    if let Some(offered) = var("PLUGIN_PROTOCOL_VERSIONS") {
        let speaks =
            offered.split(',').any(|v| v.trim().parse::<u32>() == Ok(APP_PROTOCOL_VERSION));
        if !speaks {
            return Err(HandshakeError::UnsupportedProtocol { offered });
        }
    }
    if var("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty()) {
        return Ok(Launch { client_cert_pem: None });
    }
    match var("PLUGIN_CLIENT_CERT") {
        Some(pem) if !pem.trim().is_empty() => Ok(Launch { client_cert_pem: Some(pem) }),
        _ => Err(HandshakeError::MissingClientCertificate),
    }
}

/// The line go-plugin reads from our stdout: versions, where to connect, and
/// our certificate (base64, standard alphabet without padding) when using TLS.
pub fn handshake_line(socket: &Path, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|unix|{}|grpc|{cert}", socket.display())
}

/// The `TF_REATTACH_PROVIDERS` value for a provider served in debug mode.
/// `Test: true` tells Terraform to leave the process running between commands.
pub fn reattach_config(address: &str, pid: u32, socket: &Path) -> String {
    serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket.display().to_string() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_to_run_without_the_cookie() {
        assert_eq!(read_launch(env(&[])), Err(HandshakeError::NotLaunchedByTerraform));
        let wrong = env(&[(MAGIC_COOKIE_KEY, "nope")]);
        assert_eq!(read_launch(wrong), Err(HandshakeError::NotLaunchedByTerraform));
    }

    #[test]
    fn requires_protocol_5_when_versions_are_offered() {
        let only6 =
            env(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("PLUGIN_PROTOCOL_VERSIONS", "6")]);
        assert!(matches!(read_launch(only6), Err(HandshakeError::UnsupportedProtocol { .. })));
        let both = env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_CLIENT_CERT", "pem"),
        ]);
        assert_eq!(read_launch(both), Ok(Launch { client_cert_pem: Some("pem".into()) }));
    }

    #[test]
    fn tls_is_required_unless_explicitly_disabled() {
        let no_cert = env(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)]);
        assert_eq!(read_launch(no_cert), Err(HandshakeError::MissingClientCertificate));
        let disabled =
            env(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("TF_DISABLE_PLUGIN_TLS", "1")]);
        assert_eq!(read_launch(disabled), Ok(Launch { client_cert_pem: None }));
    }

    #[test]
    fn handshake_line_has_unpadded_certificate() {
        let line = handshake_line(Path::new("/tmp/x/plugin.sock"), Some(&[0xff, 0xfe]));
        assert_eq!(line, "1|5|unix|/tmp/x/plugin.sock|grpc|//4");
        let plain = handshake_line(Path::new("/s"), None);
        assert_eq!(plain, "1|5|unix|/s|grpc|");
    }

    #[test]
    fn reattach_config_names_the_provider_address() {
        let json: serde_json::Value = serde_json::from_str(&reattach_config(
            "registry.terraform.io/example/thing",
            42,
            Path::new("/tmp/s"),
        ))
        .unwrap();
        let entry = &json["registry.terraform.io/example/thing"];
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["String"], "/tmp/s");
    }
}
