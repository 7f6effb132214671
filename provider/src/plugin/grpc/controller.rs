//! go-plugin's `GRPCController`: Terraform calls Shutdown when it is done with
//! us, then kills the process if it has not exited within two seconds.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::plugin::proto::go_plugin::{Empty, grpc_controller_server::GrpcController};

pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}
