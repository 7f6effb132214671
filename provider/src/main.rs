//! Joins the two layers: the AWS provider, served over the plugin protocol.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_async::aws::AwsProvider;
use terraform_provider_async::plugin::{self, Mode, ProviderIdentity};

/// This provider's names, for the plugin layer that serves it.
const IDENTITY: ProviderIdentity = ProviderIdentity {
    address: "registry.terraform.io/tf-async/async",
    log_module: "async",
    log_target: env!("CARGO_CRATE_NAME"),
    socket_prefix: "tfasync-",
    certificate_name: "terraform-provider-async",
};

fn usage() -> String {
    format!(
        "Usage: terraform-provider-async [--debug [--address ADDRESS]] | --version | --help

Terraform runs this plugin; see the README to install it.
  --debug    serve without Terraform's handshake and print TF_REATTACH_PROVIDERS
  --address  provider address for --debug (default {})
  --version  print the version",
        IDENTITY.address
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => Mode::Terraform,
        ["--version"] => {
            println!("terraform-provider-async {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        ["--debug"] => Mode::Debug { address: None },
        ["--debug", "--address", address] => Mode::Debug { address: Some((*address).to_owned()) },
        ["--help" | "-h"] => {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    plugin::run(Arc::new(AwsProvider::new()), IDENTITY, mode)
}
