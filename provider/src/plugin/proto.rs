//! Code generated from `../proto` at build time.

/// Terraform plugin protocol 5.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

/// hashicorp/go-plugin's own services (package `plugin`).
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod go_plugin {
    tonic::include_proto!("plugin");
}
