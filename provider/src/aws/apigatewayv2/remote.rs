//! The HTTP API calls any resource shares, one AWS call each.

use aws_sdk_apigatewayv2::types::ProtocolType;

use super::SERVICE;
use super::model::{Api, Integration, Route};
use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

/// Every route of the API (GetRoutes, every page); `None` when there is no
/// such API.
pub async fn routes(run: Run<'_>, api_id: &str) -> Result<Option<Vec<Route>>, AwsError> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let call = || {
            run.aws
                .apigatewayv2
                .get_routes()
                .api_id(api_id)
                .max_results("500")
                .set_next_token(next.clone())
                .send()
        };
        let Some(output) = found(run.call(SERVICE, "GetRoutes", call).await)? else {
            return Ok(None);
        };
        all.extend(output.items().iter().map(Route::of));
        next = output.next_token().map(str::to_owned);
        if next.is_none() {
            return Ok(Some(all));
        }
    }
}

/// The API, if it exists.
pub async fn api(run: Run<'_>, api_id: &str) -> Result<Option<Api>, AwsError> {
    let call = || run.aws.apigatewayv2.get_api().api_id(api_id).send();
    let output = found(run.call(SERVICE, "GetApi", call).await)?;
    Ok(output.map(|o| Api { is_http: o.protocol_type() == Some(&ProtocolType::Http) }))
}

/// Every integration of the API (GetIntegrations, every page).
pub async fn integrations(run: Run<'_>, api_id: &str) -> Result<Vec<Integration>, AwsError> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let call = || {
            run.aws
                .apigatewayv2
                .get_integrations()
                .api_id(api_id)
                .max_results("500")
                .set_next_token(next.clone())
                .send()
        };
        let output = run.call(SERVICE, "GetIntegrations", call).await?;
        all.extend(output.items().iter().map(Integration::from));
        next = output.next_token().map(str::to_owned);
        if next.is_none() {
            return Ok(all);
        }
    }
}
