//! Serving a provider: the unix socket, TLS, the gRPC services, the handshake
//! line, and a prompt, clean exit.

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tracing::{debug, info, warn};

use crate::plugin::grpc::{Connection, Controller, ProviderService};
use crate::plugin::handshake::{self, HandshakeError};
use crate::plugin::identity::ProviderIdentity;
use crate::plugin::logging;
use crate::plugin::proto::go_plugin::grpc_controller_server::GrpcControllerServer;
use crate::plugin::proto::tfplugin5::provider_server::ProviderServer;
use crate::plugin::provider::Provider;
use crate::plugin::tls::{ServerTls, TlsError};

/// Schemas, plans and state can be large; Terraform itself allows 256 MiB.
const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// How long a client gets to finish its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After Shutdown, how long open connections get before we exit anyway
/// (Terraform kills us after two seconds).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// How the process was started.
pub enum Mode {
    /// Launched by Terraform: cookie, mutual TLS, handshake line.
    Terraform,
    /// Started by a developer or a test: no cookie, no TLS; prints the
    /// `TF_REATTACH_PROVIDERS` value for the provider `address`, by default
    /// the provider's own.
    Debug { address: Option<String> },
}

#[derive(Debug, thiserror::Error)]
enum ServeError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("could not listen on a unix socket: {0}")]
    Socket(#[source] io::Error),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Runs the plugin until Terraform shuts it down; the process's exit code.
pub fn run(provider: Arc<dyn Provider>, identity: ProviderIdentity, mode: Mode) -> ExitCode {
    logging::init(&identity);
    // One thread: the provider spends its time waiting on Terraform and AWS,
    // and every extra worker costs a stack and a malloc arena of its own.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("could not start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(provider, identity, mode)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Terraform shows a plugin's stderr when it fails to start.
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(
    provider: Arc<dyn Provider>,
    identity: ProviderIdentity,
    mode: Mode,
) -> Result<(), ServeError> {
    let tls = match &mode {
        Mode::Terraform => {
            let launch = handshake::read_launch(|k| std::env::var(k).ok())?;
            let tls = |pem: &str| ServerTls::new(pem, identity.certificate_name);
            launch.client_cert_pem.as_deref().map(tls).transpose()?
        }
        Mode::Debug { .. } => None,
    };

    // A private directory (0700) holds the socket (0600): only our user may connect.
    let socket_dir = tempfile::Builder::new()
        .prefix(identity.socket_prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(socket_parent())
        .map_err(ServeError::Socket)?;
    let socket_path = socket_dir.path().join("plugin.sock");
    let listener = UnixListener::bind(&socket_path).map_err(ServeError::Socket)?;
    std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o600))
        .map_err(ServeError::Socket)?;

    let shutdown = CancellationToken::new();
    watch_signals(shutdown.clone(), matches!(mode, Mode::Debug { .. }))
        .map_err(ServeError::Socket)?;

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;
    let provider_service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let controller = GrpcControllerServer::new(Controller { shutdown: shutdown.clone() });

    let acceptor = tls.as_ref().map(|t| TlsAcceptor::from(t.config.clone()));
    let incoming = accept_connections(listener, acceptor);

    announce(&mode, identity.address, &socket_path, tls.as_ref())?;

    let server = Server::builder()
        .add_service(health_service)
        .add_service(controller)
        .add_service(provider_service)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::select! {
        result = server => result?,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => debug!("connections still open after shutdown; exiting anyway"),
    }
    info!("plugin server stopped");
    Ok(())
}

/// Where the socket directory goes: go-plugin's `PLUGIN_UNIX_SOCKET_DIR`, else the temp dir.
fn socket_parent() -> PathBuf {
    std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(std::env::temp_dir, PathBuf::from)
}

/// Prints the one line our launcher reads.
fn announce(
    mode: &Mode,
    default_address: &str,
    socket: &std::path::Path,
    tls: Option<&ServerTls>,
) -> Result<(), ServeError> {
    let line = match mode {
        Mode::Terraform => handshake::handshake_line(socket, tls.map(|t| t.certificate.as_ref())),
        Mode::Debug { address } => {
            let address = address.as_deref().unwrap_or(default_address);
            let config = handshake::reattach_config(address, std::process::id(), socket);
            eprintln!(
                "Provider serving in debug mode. To use it, run Terraform with:\n\n    \
                 TF_REATTACH_PROVIDERS='{config}'\n"
            );
            config
        }
    };
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}").and_then(|()| stdout.flush()).map_err(ServeError::Socket)
}

/// Accepts connections and, with TLS, completes each handshake off the accept
/// loop so one slow or hostile client cannot hold up Terraform's.
fn accept_connections(
    listener: UnixListener,
    acceptor: Option<TlsAcceptor>,
) -> ReceiverStream<io::Result<Connection>> {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let Some(acceptor) = acceptor.clone() else {
                if tx.send(Ok(Connection::Plain(stream))).await.is_err() {
                    return;
                }
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(Connection::Tls(Box::new(tls)))).await;
                    }
                    Ok(Err(e)) => warn!("refused a connection: TLS handshake failed: {e}"),
                    Err(_) => warn!("refused a connection: TLS handshake timed out"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Terraform sends Stop and Shutdown rather than signals, and a Ctrl-C in the
/// terminal reaches us too: ignore SIGINT then. SIGTERM always shuts down;
/// in debug mode so does SIGINT.
fn watch_signals(shutdown: CancellationToken, debug: bool) -> io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => {
                    if debug {
                        break;
                    }
                    debug!("ignoring SIGINT: Terraform stops providers through the protocol");
                }
                _ = terminate.recv() => break,
            }
        }
        shutdown.cancel();
    });
    Ok(())
}
