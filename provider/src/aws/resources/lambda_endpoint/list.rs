//! `list "async_lambda_endpoint"` (Terraform 1.14+ `terraform query`): the
//! asynchronous Lambda endpoints of a REST API, whoever made them, each with
//! its identity and, when asked, the state an import would give it. The run's
//! one read of the REST API and of each function's policy answers for all.

use tokio::sync::mpsc;

use super::attr::{HTTP_METHOD, PATH_PREFIX, RESOURCE_ID, REST_API_ID};
use super::failure::Error;
use super::identity;
use super::model::EndpointId;
use super::refresh::{self, rest_api};
use super::step::{During, Step};
use crate::aws::apigateway::lambda_integration::function_arn_from_uri;
use crate::aws::dispatcher::endpoint_alias;
use crate::aws::lambda::{function_name_for, split_qualifier};
use crate::aws::run::Run;
use crate::plugin::{ListRequest, Listed, Value};

/// An asynchronous method the REST API read found, taken out of the lock.
struct Found {
    id: EndpointId,
    path: String,
    uri: String,
}

pub async fn list(
    run: Run<'_>,
    request: ListRequest,
    listed: mpsc::Sender<Listed>,
) -> Result<(), Error> {
    let rest_api_id = request.config.get(REST_API_ID).as_str().unwrap_or_default();
    let prefix = request.config.get(PATH_PREFIX).as_str().unwrap_or("/");
    let account = run.account().await?;
    let api = rest_api(run, rest_api_id).await.during(Step::ListMethods)?;
    let methods: Vec<Found> = {
        let api = api.lock();
        if !api.exists() {
            let id = EndpointId { rest_api_id: rest_api_id.to_owned(), ..EndpointId::default() };
            return Err(Error::NoRestApi { id, region: run.region().to_owned(), creating: false });
        }
        api.asynchronous_methods()
            .into_iter()
            .filter(|method| method.path.starts_with(prefix))
            .take(request.limit)
            .map(|method| {
                let id = EndpointId {
                    rest_api_id: rest_api_id.to_owned(),
                    resource_id: method.resource_id.to_owned(),
                    http_method: method.http_method.to_owned(),
                };
                Found { id, path: method.path.to_owned(), uri: method.uri.to_owned() }
            })
            .collect()
    };
    for Found { id, path, uri } in methods {
        // Through the dispatcher: the function its alias names.
        let invoked = function_arn_from_uri(&uri).unwrap_or_default();
        let target = endpoint_alias::target_of(invoked);
        let (unqualified, qualifier) = split_qualifier(&target);
        let function = function_name_for(account, unqualified);
        let function = qualifier.map_or(function.clone(), |q| format!("{function}:{q}"));
        let where_ = Value::object([
            (REST_API_ID, Value::from(id.rest_api_id.as_str())),
            (RESOURCE_ID, Value::from(id.resource_id.as_str())),
            (HTTP_METHOD, Value::from(id.http_method.as_str())),
        ]);
        let display_name = format!("{} {path} -> {function}", id.http_method);
        let state = match request.include_state {
            true => Some(refresh::import(run, id).await?.to_value()),
            false => None,
        };
        let endpoint = Listed {
            identity: identity::of(&where_, Some(&account.region), Some(&account.account_id)),
            display_name,
            state,
        };
        if listed.send(endpoint).await.is_err() {
            break; // Terraform reads no more.
        }
    }
    Ok(())
}
