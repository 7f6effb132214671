//! `make bench`'s measurement of provider start to served GetSchema, for this
//! provider and hashicorp/aws, each launched as Terraform launches it
//! (support::plugin: magic cookie, a fresh client certificate, mutual TLS
//! with the server certificate from the handshake line, gRPC on the unix
//! socket). Ignored by `cargo test`; `make bench` runs it alone (in a cargo
//! profile of its own, bench/benchlib/tools.py) as
//!
//!   TFASYNC_PROBE_OUT=FILE cargo test --locked --test it -- --ignored --exact \
//!       schema_probe::start_to_served_get_schema
//!
//! Optional: TFASYNC_PROBE_SAMPLES (30), TFASYNC_PROBE_OURS (default: this
//! build's provider), TFASYNC_PROBE_AWS (default: hashicorp/aws from
//! .tools/mirror, at the version of scripts/lib/versions.env). Per sample:
//! spawn to handshake line, spawn to the whole GetSchema answer received (not
//! yet decoded), its size, the number of resource and data source schemas,
//! and the provider's VmHWM right after. One untimed launch of each first,
//! then samples interleaved.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use prost::Message;
use prost::bytes::{Buf, BufMut};
use terraform_provider_async::plugin::proto::go_plugin::Empty;
use terraform_provider_async::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_async::plugin::proto::tfplugin5::get_provider_schema;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;

use crate::support::binaries;
use crate::support::plugin::{ClientIdentity, Launched, tls_channel};
use crate::support::terraform::{aws_provider_path, repo_root};

/// Messages as bytes, so the clock stops when the answer is in, before any decoding.
#[derive(Clone, Copy)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;
    fn encoder(&mut self) -> Raw {
        Raw
    }
    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn sample(binary: &Path) -> serde_json::Value {
    let client = ClientIdentity::generate(); // fresh per launch, as Terraform makes it; not timed
    let started = Instant::now();
    let mut launched = Launched::start_binary(binary, &client);
    let handshake = started.elapsed();
    let channel = tls_channel(&launched, Some(&client)).await;
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready().await.expect("connect");
    let path = PathAndQuery::from_static("/tfplugin5.Provider/GetSchema");
    let answer = grpc.unary(tonic::Request::new(Vec::new()), path, Raw).await;
    let served = started.elapsed();
    let answer = answer.expect("GetSchema").into_inner();
    let peak = vm_hwm_kib(launched.child.id());
    let _ = GrpcControllerClient::new(channel).shutdown(Empty {}).await;
    launched.wait_exit(Duration::from_secs(2)); // killed on drop if it lingers
    let schema = get_provider_schema::Response::decode(answer.as_slice()).expect("a schema");
    serde_json::json!({
        "handshake_ms": handshake.as_secs_f64() * 1000.0,
        "schema_ms": served.as_secs_f64() * 1000.0,
        "schema_bytes": answer.len(),
        "resources": schema.resource_schemas.len(),
        "data_sources": schema.data_source_schemas.len(),
        "peak_rss_kib_after_schema": peak,
    })
}

fn aws_provider() -> PathBuf {
    let dir = repo_root().join(".tools/mirror/registry.terraform.io").join(aws_provider_path());
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("{}: {e} (scripts/install-tools.sh aws-provider)", dir.display())
        })
        .map(|entry| entry.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("terraform-provider-aws"))
        .expect("hashicorp/aws in the mirror")
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "a measurement, run by make bench (bench/run.py)"]
async fn start_to_served_get_schema() {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let samples: usize =
        var("TFASYNC_PROBE_SAMPLES").map_or(30, |v| v.to_str().unwrap().parse().unwrap());
    let providers = [
        (
            "ours",
            var("TFASYNC_PROBE_OURS")
                .map_or_else(|| binaries::provider().to_path_buf(), PathBuf::from),
        ),
        ("aws", var("TFASYNC_PROBE_AWS").map_or_else(aws_provider, PathBuf::from)),
    ];
    for (_, binary) in &providers {
        sample(binary).await; // page cache
    }
    let mut out = serde_json::Map::new();
    for _ in 0..samples {
        for (name, binary) in &providers {
            let list = out.entry(*name).or_insert_with(|| serde_json::json!([]));
            list.as_array_mut().unwrap().push(sample(binary).await);
        }
    }
    let json = serde_json::Value::Object(out).to_string();
    match var("TFASYNC_PROBE_OUT") {
        Some(file) => std::fs::write(file, json).unwrap(),
        None => println!("{json}"),
    }
}
