//! What the endpoints of one Terraform run share, so that the account's
//! quota is spent once per REST API and function, not once per endpoint:
//! each REST API read once (GetResources with its methods embedded) and each
//! function's policy read once (GetPolicy), single-flight, and both kept in
//! step with this provider's own writes. A configured provider serves one
//! run, so what was read is as fresh as the run's refresh.
//!
//! Every write to a REST API reads it first, so no write of this process
//! happens before the read it would have to be applied to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use aws_sdk_apigateway::types::Method as AwsMethod;

use super::arn::function_arn_from_uri;
use super::model::{EndpointId, Permission};
use super::remote;
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::aws::once_map::OnceMap;
use crate::plugin::Context;

#[derive(Debug, Default)]
pub struct Shared {
    apis: OnceMap<String, Guarded<RestApi>>,
    policies: OnceMap<String, Guarded<Vec<Permission>>>,
    /// Serialises granting and releasing the statement of one function and REST API.
    grants: Guarded<HashMap<(String, String), GrantLock>>,
}

type GrantLock = Arc<tokio::sync::Mutex<()>>;

/// A value behind a lock that is never held across an await.
#[derive(Debug, Default)]
pub struct Guarded<T>(Mutex<T>);

impl<T> Guarded<T> {
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // Nothing panics while holding the lock, so a poisoned value is whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Shared {
    /// The REST API `rest_api_id` as this run sees it.
    pub async fn rest_api(
        &self,
        aws: &Aws,
        ctx: &Context,
        rest_api_id: &str,
    ) -> Result<Arc<Guarded<RestApi>>, AwsError> {
        let read = || async {
            let resources = remote::get_resources(aws, ctx, rest_api_id).await?;
            Ok(Guarded(Mutex::new(RestApi::from_resources(resources))))
        };
        self.apis.get_or_try_init(&rest_api_id.to_owned(), read).await
    }

    /// The statements of `function_arn`'s policy as this run sees them.
    pub async fn policy(
        &self,
        aws: &Aws,
        ctx: &Context,
        function_arn: &str,
    ) -> Result<Arc<Guarded<Vec<Permission>>>, AwsError> {
        let read = || async {
            let statements = remote::policy_statements(aws, ctx, function_arn).await?;
            Ok(Guarded(Mutex::new(statements)))
        };
        self.policies.get_or_try_init(&function_arn.to_owned(), read).await
    }

    /// The run's copy of `function_arn`'s policy, if it was read.
    pub fn policy_read(&self, function_arn: &str) -> Option<Arc<Guarded<Vec<Permission>>>> {
        self.policies.get(&function_arn.to_owned())
    }

    /// The lock to hold while granting or releasing the statement that lets
    /// REST API `rest_api_id` invoke `function_arn`.
    pub fn grant_lock(&self, function_arn: &str, rest_api_id: &str) -> GrantLock {
        let key = (function_arn.to_owned(), rest_api_id.to_owned());
        self.grants.lock().entry(key).or_default().clone()
    }
}

/// One REST API's resources and methods.
#[derive(Debug, Default)]
pub struct RestApi {
    /// `false` when GetResources answered that there is no such REST API.
    pub exists: bool,
    /// Resource id to path, e.g. `/hooks/{source}`.
    paths: HashMap<String, String>,
    /// By resource id and HTTP method.
    methods: HashMap<(String, String), Seen>,
}

/// What is known of one method.
#[derive(Debug)]
enum Seen {
    /// An asynchronous Lambda integration invoking through a permission
    /// unless it has credentials; `method` is what AWS answered, until a
    /// refresh takes it or this process rewrites the method.
    Async { uri: String, via_permission: bool, method: Option<Box<AwsMethod>> },
    /// Some other method, or one without an integration yet.
    Other,
}

/// A method looked up in a [`RestApi`].
#[derive(Debug)]
pub enum Lookup {
    Absent,
    /// As read, with its integration and responses.
    Read(Box<AwsMethod>),
    /// There, but not as read: ask for it on its own.
    Unread,
}

impl RestApi {
    fn from_resources(resources: Option<Vec<aws_sdk_apigateway::types::Resource>>) -> RestApi {
        let Some(resources) = resources else { return RestApi::default() };
        let mut api = RestApi { exists: true, ..RestApi::default() };
        for resource in resources {
            let Some(id) = resource.id else { continue };
            for (http_method, method) in resource.resource_methods.into_iter().flatten() {
                api.methods.insert((id.clone(), http_method), Seen::of(method));
            }
            api.paths.insert(id, resource.path.unwrap_or_else(|| "/".into()));
        }
        api
    }

    pub fn path(&self, resource_id: &str) -> Option<&str> {
        self.paths.get(resource_id).map(String::as_str)
    }

    /// The method as read, handed out once: a refresh needs it once, and
    /// the run's memory need not keep every template of the API.
    pub fn take(&mut self, id: &EndpointId) -> Lookup {
        match self.methods.get_mut(&key(id)) {
            None => Lookup::Absent,
            Some(Seen::Async { method, .. }) => method.take().map_or(Lookup::Unread, Lookup::Read),
            Some(Seen::Other) => Lookup::Unread,
        }
    }

    /// The invocation URI of the method's asynchronous Lambda integration;
    /// `Err(())` when the method is there but what it is must be asked.
    pub fn async_uri(&self, id: &EndpointId) -> Result<Option<&str>, ()> {
        match self.methods.get(&key(id)) {
            None => Ok(None),
            Some(Seen::Async { uri, .. }) => Ok(Some(uri)),
            Some(Seen::Other) => Err(()),
        }
    }

    /// This process wrote the method; `uri`: its asynchronous integration, once put.
    pub fn wrote(&mut self, id: &EndpointId, uri: Option<&str>, via_permission: bool) {
        let seen = match uri {
            Some(uri) => Seen::Async { uri: uri.to_owned(), via_permission, method: None },
            None => Seen::Other,
        };
        self.methods.insert(key(id), seen);
    }

    pub fn deleted(&mut self, id: &EndpointId) {
        self.methods.remove(&key(id));
    }

    /// Whether any method still invokes `function_arn` through a permission.
    pub fn invokes_via_permission(&self, function_arn: &str) -> bool {
        self.methods.values().any(|seen| match seen {
            Seen::Async { uri, via_permission, .. } => {
                *via_permission && function_arn_from_uri(uri) == Some(function_arn)
            }
            Seen::Other => false,
        })
    }
}

impl Seen {
    fn of(method: AwsMethod) -> Seen {
        let Some(integration) = method.method_integration() else { return Seen::Other };
        let Some(uri) = remote::async_invocation_uri(integration).map(str::to_owned) else {
            return Seen::Other;
        };
        let via_permission = integration.credentials().is_none_or(str::is_empty);
        Seen::Async { uri, via_permission, method: Some(Box::new(method)) }
    }
}

fn key(id: &EndpointId) -> (String, String) {
    (id.resource_id.clone(), id.http_method.clone())
}
