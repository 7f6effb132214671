//! `list "async_lambda_endpoint"` (Terraform 1.14+ `terraform query`): the
//! asynchronous Lambda endpoints of a REST API, whoever made them, each with
//! its identity and, when asked, the state an import would give it. The run's
//! one read of the REST API and of each function's policy answers for all.

use super::arn::{function_name_for, split_qualifier};
use super::attr::{HTTP_METHOD, RESOURCE_ID, REST_API_ID};
use super::failure::Error;
use super::model::EndpointId;
use super::refresh;
use super::schema::PATH_PREFIX;
use super::shared::Shared;
use super::step::{During, Step};
use super::{arn, identity};
use crate::aws::clients::Aws;
use crate::plugin::{Context, ListRequest, Listed, Value};

pub async fn list(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    request: ListRequest,
) -> Result<Vec<Listed>, Error> {
    let rest_api_id = request.config.get(REST_API_ID).as_str().unwrap_or_default();
    let prefix = request.config.get(PATH_PREFIX).as_str().unwrap_or("/");
    let account = aws.account(ctx).await?;
    let api = shared.rest_api(aws, ctx, rest_api_id).await.during(Step::ListMethods)?;
    let methods: Vec<(EndpointId, String, String)> = {
        let api = api.lock();
        if !api.exists() {
            let id = EndpointId { rest_api_id: rest_api_id.to_owned(), ..EndpointId::default() };
            return Err(Error::NoRestApi { id, region: aws.region.clone(), creating: false });
        }
        api.asynchronous_methods()
            .into_iter()
            .filter(|(_, _, path, _)| path.starts_with(prefix))
            .take(request.limit)
            .map(|(resource_id, http_method, path, uri)| {
                let id = EndpointId {
                    rest_api_id: rest_api_id.to_owned(),
                    resource_id: resource_id.to_owned(),
                    http_method: http_method.to_owned(),
                };
                (id, path.to_owned(), uri.to_owned())
            })
            .collect()
    };
    let mut listed = Vec::with_capacity(methods.len());
    for (id, path, uri) in methods {
        let (unqualified, qualifier) =
            split_qualifier(arn::function_arn_from_uri(&uri).unwrap_or_default());
        let function = function_name_for(account, unqualified);
        let function = qualifier.map_or(function.clone(), |q| format!("{function}:{q}"));
        let where_ = Value::object([
            (REST_API_ID, Value::from(id.rest_api_id.as_str())),
            (RESOURCE_ID, Value::from(id.resource_id.as_str())),
            (HTTP_METHOD, Value::from(id.http_method.as_str())),
        ]);
        let display_name = format!("{} {path} -> {function}", id.http_method);
        let state = match request.include_state {
            true => Some(refresh::import(aws, shared, ctx, id).await?.to_value()),
            false => None,
        };
        listed.push(Listed {
            identity: identity::of(&where_, Some(&account.region), Some(&account.account_id)),
            display_name,
            state,
        });
    }
    Ok(listed)
}
