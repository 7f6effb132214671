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
use super::{normalise, remote, templates};
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::aws::once_map::OnceMap;
use crate::plugin::Context;

#[derive(Debug)]
pub struct Shared {
    apis: OnceMap<String, Guarded<RestApi>>,
    /// One REST API read at a time: an answer holds every method's templates
    /// (~100 KB each) until it is parsed and marked, and GetResources has a
    /// quota of its own (5 every 2 seconds) anyway.
    api_reads: tokio::sync::Semaphore,
    policies: OnceMap<String, Guarded<Vec<Permission>>>,
    /// Functions seen to exist this run, each asked once. A missing one is
    /// asked again: a resource of the same apply may create it meanwhile.
    functions: OnceMap<String, ()>,
    /// Serialises granting and releasing the statement of one function and REST API.
    grants: Guarded<HashMap<(String, String), GrantLock>>,
}

type GrantLock = Arc<tokio::sync::Mutex<()>>;

impl Default for Shared {
    fn default() -> Self {
        Shared {
            apis: OnceMap::default(),
            api_reads: tokio::sync::Semaphore::new(1),
            policies: OnceMap::default(),
            functions: OnceMap::default(),
            grants: Guarded::default(),
        }
    }
}

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
            // Never closed, so acquiring only waits.
            let _turn = self.api_reads.acquire().await.expect("the semaphore is never closed");
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

    /// Whether `function_arn` exists, asked of Lambda until it does.
    pub async fn function_exists(
        &self,
        aws: &Aws,
        ctx: &Context,
        function_arn: &str,
    ) -> Result<bool, AwsError> {
        // `Err(None)`: missing, so not kept.
        let ask = || async {
            match remote::function_exists(aws, ctx, function_arn).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(None),
                Err(e) => Err(Some(e)),
            }
        };
        match self.functions.get_or_try_init(&function_arn.to_owned(), ask).await {
            Ok(_) => Ok(true),
            Err(None) => Ok(false),
            Err(Some(e)) => Err(e),
        }
    }

    /// The run's copy of `function_arn`'s policy, if it was read.
    pub fn policy_read(&self, function_arn: &str) -> Option<Arc<Guarded<Vec<Permission>>>> {
        self.policies.get(&function_arn.to_owned())
    }

    /// Waits for the turn to grant or release the statement that lets REST
    /// API `rest_api_id` invoke `function_arn`; the turn lasts while the
    /// guard lives.
    pub async fn grant_turn(
        &self,
        function_arn: &str,
        rest_api_id: &str,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let key = (function_arn.to_owned(), rest_api_id.to_owned());
        let lock = self.grants.lock().entry(key).or_default().clone();
        lock.lock_owned().await
    }
}

/// One REST API's resources and methods, as read and as written since.
/// Resources made after the read (by another provider in the same apply,
/// say) are learned one by one, their methods unknown.
#[derive(Debug, Default)]
pub struct RestApi {
    /// Resource id to path, e.g. `/hooks/{source}`, and whether its methods were read.
    resources: HashMap<String, (String, bool)>,
    /// By resource id and HTTP method.
    methods: HashMap<(String, String), Seen>,
}

/// What is known of one method.
#[derive(Debug)]
enum Seen {
    /// An asynchronous Lambda integration invoking through a permission
    /// unless it has credentials; `method` is what AWS answered, until a
    /// refresh takes it or this process rewrites the method. Built-in request
    /// templates (~100 KB a method) are kept as a mark, not a copy.
    Async { uri: String, via_permission: bool, method: Option<Box<AwsMethod>>, built_in: bool },
    /// Some other method, or one without an integration yet.
    Other,
}

/// A method looked up in a [`RestApi`] for a refresh.
#[derive(Debug)]
pub enum Lookup {
    Absent,
    /// As read, with its integration and responses.
    Read(Box<AwsMethod>),
    /// Maybe there, but not as read: ask for it on its own.
    Unread,
}

/// What is at a method's place, for a create.
#[derive(Debug, PartialEq, Eq)]
pub enum Existing {
    Absent,
    /// An asynchronous Lambda integration with this invocation URI.
    Async(String),
    /// Something else, or not known: ask for it on its own.
    Unknown,
}

impl RestApi {
    fn from_resources(resources: Option<Vec<aws_sdk_apigateway::types::Resource>>) -> RestApi {
        // No REST API: nothing read, so each endpoint asks on its own and learns it is gone.
        let mut api = RestApi::default();
        for resource in resources.into_iter().flatten() {
            let Some(id) = resource.id else { continue };
            for (http_method, method) in resource.resource_methods.into_iter().flatten() {
                api.methods.insert((id.clone(), http_method), Seen::of(method));
            }
            api.resources.insert(id, (resource.path.unwrap_or_else(|| "/".into()), true));
        }
        api
    }

    pub fn path(&self, resource_id: &str) -> Option<&str> {
        self.resources.get(resource_id).map(|(path, _)| path.as_str())
    }

    /// A resource read on its own, after the REST API was.
    pub fn learned(&mut self, resource_id: &str, path: &str) {
        self.resources.entry(resource_id.to_owned()).or_insert_with(|| (path.to_owned(), false));
    }

    /// Whether the methods of the endpoint's resource are known from the read.
    fn methods_read(&self, id: &EndpointId) -> bool {
        self.resources.get(&id.resource_id).is_some_and(|(_, read)| *read)
    }

    /// The method as read, handed out once: a refresh needs it once, and
    /// the run's memory need not keep every template of the API.
    pub fn take(&mut self, id: &EndpointId) -> Lookup {
        let read = self.methods_read(id);
        match self.methods.get_mut(&key(id)) {
            None if read => Lookup::Absent,
            Some(Seen::Async { method, built_in, .. }) => match method.take() {
                None => Lookup::Unread,
                Some(mut method) => {
                    if let Some(integration) =
                        method.method_integration.as_mut().filter(|_| *built_in)
                    {
                        let templates = templates::built_in_request_templates().clone();
                        integration.request_templates = Some(templates.into_iter().collect());
                    }
                    Lookup::Read(method)
                }
            },
            _ => Lookup::Unread,
        }
    }

    pub fn existing(&self, id: &EndpointId) -> Existing {
        match self.methods.get(&key(id)) {
            None if self.methods_read(id) => Existing::Absent,
            Some(Seen::Async { uri, .. }) => Existing::Async(uri.clone()),
            _ => Existing::Unknown,
        }
    }

    /// This process wrote the method; `uri`: its asynchronous integration, once put.
    pub fn wrote(&mut self, id: &EndpointId, uri: Option<&str>, via_permission: bool) {
        let seen = match uri {
            Some(uri) => {
                Seen::Async { uri: uri.to_owned(), via_permission, method: None, built_in: false }
            }
            None => Seen::Other,
        };
        self.methods.insert(key(id), seen);
    }

    pub fn deleted(&mut self, id: &EndpointId) {
        self.methods.remove(&key(id));
    }

    /// Every method with an asynchronous Lambda integration, by path and
    /// HTTP method: its resource id, HTTP method, path and invocation URI.
    pub fn asynchronous_methods(&self) -> Vec<(&str, &str, &str, &str)> {
        let mut found: Vec<_> = self
            .methods
            .iter()
            .filter_map(|((resource_id, http_method), seen)| {
                let Seen::Async { uri, .. } = seen else { return None };
                let path = self.path(resource_id)?;
                Some((resource_id.as_str(), http_method.as_str(), path, uri.as_str()))
            })
            .collect();
        found.sort_by_key(|&(_, method, path, _)| (path, method));
        found
    }

    /// Whether the read found the REST API: every one has a root resource.
    pub fn exists(&self) -> bool {
        !self.resources.is_empty()
    }

    /// Whether a method other than `except` invokes `function_arn` through a
    /// permission `statement` grants (all of them, for a resource whose path
    /// is not known).
    pub fn invokes_through(
        &self,
        function_arn: &str,
        statement: &Permission,
        except: &EndpointId,
    ) -> bool {
        let Some(account) = statement.source_account() else { return false };
        self.methods.iter().any(|((resource_id, http_method), seen)| {
            let Seen::Async { uri, via_permission: true, .. } = seen else { return false };
            let id = EndpointId {
                rest_api_id: except.rest_api_id.clone(),
                resource_id: resource_id.clone(),
                http_method: http_method.clone(),
            };
            id != *except
                && function_arn_from_uri(uri) == Some(function_arn)
                && self.path(resource_id).is_none_or(|path| statement.covers(&account, &id, path))
        })
    }
}

impl Seen {
    fn of(mut method: AwsMethod) -> Seen {
        let Some(integration) = method.method_integration.as_mut() else { return Seen::Other };
        let Some(uri) = remote::async_invocation_uri(integration).map(str::to_owned) else {
            return Seen::Other;
        };
        let via_permission = integration.credentials().is_none_or(str::is_empty);
        let built_in = integration.request_templates.as_ref().is_some_and(|observed| {
            normalise::same_templates(templates::built_in_request_templates(), observed)
        });
        if built_in {
            integration.request_templates = None;
        }
        Seen::Async { uri, via_permission, method: Some(Box::new(method)), built_in }
    }
}

fn key(id: &EndpointId) -> (String, String) {
    (id.resource_id.clone(), id.http_method.clone())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_apigateway::types::{Integration, IntegrationType, Resource};

    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:worker";

    fn uri() -> String {
        format!(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"
        )
    }

    fn method(integration: Option<Integration>) -> AwsMethod {
        AwsMethod::builder().set_method_integration(integration).build()
    }

    fn asynchronous(credentials: Option<&str>) -> Integration {
        let event = HashMap::from([(
            "integration.request.header.X-Amz-Invocation-Type".to_owned(),
            "'Event'".to_owned(),
        )]);
        Integration::builder()
            .r#type(IntegrationType::Aws)
            .uri(uri())
            .set_request_parameters(Some(event))
            .set_credentials(credentials.map(str::to_owned))
            .build()
    }

    fn api() -> RestApi {
        let resource = |id: &str, path: &str, methods: Vec<(&str, AwsMethod)>| {
            let methods = methods.into_iter().map(|(m, method)| (m.to_owned(), method)).collect();
            Resource::builder().id(id).path(path).set_resource_methods(Some(methods)).build()
        };
        let mock = Integration::builder().r#type(IntegrationType::Mock).build();
        RestApi::from_resources(Some(vec![
            resource(
                "r1",
                "/jobs",
                vec![("POST", method(Some(asynchronous(None)))), ("GET", method(Some(mock)))],
            ),
            resource(
                "r2",
                "/roles",
                vec![("PUT", method(Some(asynchronous(Some("arn:aws:iam::123456789012:role/r")))))],
            ),
            resource("r3", "/new", vec![("POST", method(None))]),
        ]))
    }

    fn id(resource: &str, method: &str) -> EndpointId {
        EndpointId::parse(&format!("api1/{resource}/{method}")).unwrap()
    }

    #[test]
    fn what_the_read_tells_and_what_must_be_asked() {
        let mut api = api();
        assert_eq!(api.path("r1"), Some("/jobs"));
        assert_eq!(api.path("gone"), None);
        assert_eq!(api.existing(&id("r1", "POST")), Existing::Async(uri()));
        assert_eq!(api.existing(&id("r1", "GET")), Existing::Unknown, "someone else's: ask");
        assert_eq!(api.existing(&id("r3", "POST")), Existing::Unknown, "no integration yet: ask");
        assert_eq!(api.existing(&id("r1", "PUT")), Existing::Absent);
        assert!(matches!(api.take(&id("r1", "POST")), Lookup::Read(_)));
        assert!(matches!(api.take(&id("r1", "POST")), Lookup::Unread), "handed out once");
        assert!(matches!(api.take(&id("r1", "GET")), Lookup::Unread));
        assert!(matches!(api.take(&id("r1", "DELETE")), Lookup::Absent));
        let gone = RestApi::from_resources(None);
        assert!(matches!(gone.existing(&id("r1", "POST")), Existing::Unknown));
    }

    #[test]
    fn built_in_templates_are_kept_as_a_mark_and_handed_out_whole() {
        let built_in: HashMap<String, String> =
            templates::built_in_request_templates().clone().into_iter().collect();
        let mut integration = asynchronous(None);
        integration.request_templates = Some(built_in.clone());
        let seen = Seen::of(method(Some(integration)));
        let Seen::Async { built_in: true, method: Some(kept), .. } = &seen else {
            panic!("{seen:?}")
        };
        assert_eq!(kept.method_integration().unwrap().request_templates(), None);
        let mut api = RestApi::default();
        api.resources.insert("r1".into(), ("/jobs".into(), true));
        api.methods.insert(("r1".into(), "POST".into()), seen);
        let Lookup::Read(taken) = api.take(&id("r1", "POST")) else { panic!() };
        assert_eq!(taken.method_integration().unwrap().request_templates(), Some(&built_in));
    }

    #[test]
    fn a_resource_made_after_the_read_has_unknown_methods() {
        let mut api = api();
        assert_eq!(api.existing(&id("r9", "POST")), Existing::Unknown);
        api.learned("r9", "/later");
        assert_eq!(api.path("r9"), Some("/later"));
        assert_eq!(api.existing(&id("r9", "POST")), Existing::Unknown);
        assert!(matches!(api.take(&id("r9", "POST")), Lookup::Unread));
        api.learned("r1", "/elsewhere");
        assert_eq!(api.path("r1"), Some("/jobs"), "what was read stays");
    }

    #[test]
    fn a_statement_is_needed_while_another_method_it_grants_invokes_through_it() {
        let statement = |source: &str| Permission {
            statement_id: "s".into(),
            source_arn: format!("arn:aws:execute-api:us-east-1:123456789012:api1{source}"),
        };
        let (whole_api, jobs_only) = (statement("/*"), statement("/*/POST/jobs"));
        let mut api = api();
        let other = id("r3", "POST");
        assert!(api.invokes_through(FUNCTION, &whole_api, &other));
        assert!(api.invokes_through(FUNCTION, &jobs_only, &other));
        assert!(!api.invokes_through(FUNCTION, &whole_api, &id("r1", "POST")), "only itself");
        assert!(!api.invokes_through(&format!("{FUNCTION}:live"), &whole_api, &other));
        api.wrote(&other, Some(&uri()), true);
        assert!(api.invokes_through(FUNCTION, &whole_api, &id("r1", "POST")));
        assert!(!api.invokes_through(FUNCTION, &jobs_only, &id("r1", "POST")), "r3 is /new");
        api.deleted(&id("r1", "POST"));
        api.wrote(&other, None, true);
        assert!(!api.invokes_through(FUNCTION, &whole_api, &other), "r2 invokes with credentials");
        let elsewhere =
            Permission { source_arn: "arn:aws:execute-api:*:*:api1/*".into(), ..whole_api };
        api.wrote(&other, Some(&uri()), true);
        assert!(!api.invokes_through(FUNCTION, &elsewhere, &id("r1", "POST")), "never adopted");
    }
}
