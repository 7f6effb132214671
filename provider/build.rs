//! Compiles the protocol definitions in `../proto` with protox, a pure-Rust
//! protobuf compiler, so building needs no system `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto");
    let files = ["tfplugin5.proto", "grpc_controller.proto"];
    for file in files {
        println!("cargo:rerun-if-changed={}", proto_dir.join(file).display());
    }
    let descriptors = protox::compile(files, [&proto_dir])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // RPCs we do not implement answer Unimplemented, as the protocol expects.
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
