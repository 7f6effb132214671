//! Joins the two layers: the AWS provider, served over the plugin protocol.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_async::aws::AwsProvider;
use terraform_provider_async::plugin::{self, Mode};

/// The address Terraform knows this provider by (for `--debug` reattach).
const DEFAULT_ADDRESS: &str = "registry.terraform.io/tf-async/async";

const USAGE: &str = "\
Usage: terraform-provider-async [--debug [--address ADDRESS]] | --version | --help

Terraform runs this plugin; see the README to install it.
  --debug    serve without Terraform's handshake and print TF_REATTACH_PROVIDERS
  --address  provider address for --debug (default registry.terraform.io/tf-async/async)
  --version  print the version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => Mode::Terraform,
        ["--version"] => {
            println!("terraform-provider-async {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        ["--debug"] => Mode::Debug { address: DEFAULT_ADDRESS.to_owned() },
        ["--debug", "--address", address] => Mode::Debug { address: (*address).to_owned() },
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    plugin::run(Arc::new(AwsProvider::new()), mode)
}
