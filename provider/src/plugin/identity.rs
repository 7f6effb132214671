//! Who is being served. The plugin layer names no provider itself: the names it
//! shows Terraform and the user come from here, as tf5server's `Serve` takes
//! the provider's name.

/// The served provider's names, given to [`crate::plugin::run`].
#[derive(Clone, Copy, Debug)]
pub struct ProviderIdentity {
    /// The address Terraform knows the provider by, e.g.
    /// `registry.terraform.io/hashicorp/aws`; `--debug` serves as it by default.
    pub address: &'static str,
    /// hclog's `@module` on every log line, e.g. `aws`.
    pub log_module: &'static str,
    /// The tracing target (a crate name) logged at the level Terraform asks
    /// for; other crates only from warnings up.
    pub log_target: &'static str,
    /// The start of the private directory's name that holds the socket.
    pub socket_prefix: &'static str,
    /// The organization named in the TLS certificate.
    pub certificate_name: &'static str,
}
