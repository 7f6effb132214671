//! One REST API's resources and methods, as the run read them and as the run
//! has written them since: what is at each method's place, without asking
//! API Gateway again for each.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_apigateway::types::{Method as AwsMethod, Resource};

use super::MethodId;
use super::execute_api;
use super::lambda_integration::{async_invocation_uri, function_arn_from_uri};
use super::templates::same_templates;
use crate::aws::dispatcher::endpoint_alias;
use crate::aws::lambda::Permission;

/// Resources made after the read (by another provider in the same apply,
/// say) are learned one by one, their methods unknown.
#[derive(Debug)]
pub struct RestApi {
    resources: HashMap<String, ResourceAt>,
    methods: HashMap<MethodKey, Seen>,
    /// The request validator of each method that has one.
    validators: HashMap<MethodKey, String>,
    /// Request templates many methods hold (~100 KB each): a method holding
    /// exactly these keeps a mark instead of a copy.
    shared_templates: &'static BTreeMap<String, String>,
}

#[derive(Debug)]
struct ResourceAt {
    /// E.g. `/hooks/{source}`.
    path: String,
    /// Whether the read gave its methods.
    methods_read: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct MethodKey {
    resource_id: String,
    http_method: String,
}

impl MethodKey {
    fn of(method: &MethodId) -> MethodKey {
        MethodKey {
            resource_id: method.resource_id.clone(),
            http_method: method.http_method.clone(),
        }
    }
}

/// What the run knows of one method.
#[derive(Debug)]
enum Seen {
    /// An asynchronous Lambda integration invoking through a permission
    /// unless it has credentials; `method` is what AWS answered, until a
    /// refresh takes it or this run rewrites the method.
    Async {
        uri: String,
        via_permission: bool,
        method: Option<Box<AwsMethod>>,
        shared_templates: bool,
        /// Written by this run: current, whatever other configurations do.
        written: bool,
    },
    /// Some other method, or one without an integration yet.
    Other,
}

/// What is at a method's place.
#[derive(Debug, PartialEq)]
pub enum AtMethod {
    Absent,
    /// An asynchronous Lambda integration invoking `uri`. `method`: as AWS
    /// answered, with its integration and responses, when it was read and
    /// not handed out before.
    Async {
        uri: String,
        method: Option<Box<AwsMethod>>,
    },
    /// A method without an integration: what a create stopped after
    /// PutMethod leaves.
    Bare,
    /// A method with another integration.
    Foreign,
    /// The read cannot tell: ask for the method on its own.
    Unknown,
}

impl AtMethod {
    /// What GetMethod's answer (`None`: no method) says is there.
    pub fn of(method: Option<AwsMethod>) -> AtMethod {
        let Some(method) = method else { return AtMethod::Absent };
        match method.method_integration() {
            None => AtMethod::Bare,
            Some(integration) => match async_invocation_uri(integration) {
                Some(uri) => {
                    AtMethod::Async { uri: uri.to_owned(), method: Some(Box::new(method)) }
                }
                None => AtMethod::Foreign,
            },
        }
    }
}

/// An asynchronous Lambda method the read found.
#[derive(Debug, PartialEq, Eq)]
pub struct AsyncMethodAt<'a> {
    pub resource_id: &'a str,
    pub http_method: &'a str,
    pub path: &'a str,
    pub uri: &'a str,
}

impl RestApi {
    /// The REST API as GetResources gave it; `None`: no such REST API, so
    /// nothing is known and each caller asks on its own, learning it is gone.
    pub fn from_resources(
        resources: Option<Vec<Resource>>,
        shared_templates: &'static BTreeMap<String, String>,
    ) -> RestApi {
        let mut api = RestApi {
            resources: HashMap::new(),
            methods: HashMap::new(),
            validators: HashMap::new(),
            shared_templates,
        };
        for resource in resources.into_iter().flatten() {
            let Some(id) = resource.id else { continue };
            for (http_method, method) in resource.resource_methods.into_iter().flatten() {
                let key = MethodKey { resource_id: id.clone(), http_method };
                api.insert(key, method);
            }
            let path = resource.path.unwrap_or_else(|| "/".into());
            api.resources.insert(id, ResourceAt { path, methods_read: true });
        }
        api
    }

    /// What the read found at `key`.
    fn insert(&mut self, key: MethodKey, method: AwsMethod) {
        match method.request_validator_id().filter(|id| !id.is_empty()) {
            Some(validator) => self.validators.insert(key.clone(), validator.into()),
            None => self.validators.remove(&key),
        };
        let seen = self.seen(method);
        self.methods.insert(key, seen);
    }

    fn seen(&self, mut method: AwsMethod) -> Seen {
        let Some(integration) = method.method_integration.as_mut() else { return Seen::Other };
        let Some(uri) = async_invocation_uri(integration).map(str::to_owned) else {
            return Seen::Other;
        };
        let via_permission = integration.credentials().is_none_or(str::is_empty);
        let shared_templates = integration
            .request_templates
            .as_ref()
            .is_some_and(|observed| same_templates(self.shared_templates, observed));
        if shared_templates {
            integration.request_templates = None;
        }
        let method = Some(Box::new(method));
        Seen::Async { uri, via_permission, method, shared_templates, written: false }
    }

    pub fn path(&self, resource_id: &str) -> Option<&str> {
        self.resources.get(resource_id).map(|r| r.path.as_str())
    }

    /// A resource read on its own, after the REST API was.
    pub fn learned(&mut self, resource_id: &str, path: &str) {
        self.resources
            .entry(resource_id.to_owned())
            .or_insert_with(|| ResourceAt { path: path.to_owned(), methods_read: false });
    }

    /// Whether the methods of the method's resource are known from the read.
    fn methods_read(&self, method: &MethodId) -> bool {
        self.resources.get(&method.resource_id).is_some_and(|r| r.methods_read)
    }

    /// What is at `method`'s place, for a create: never the method itself.
    pub fn at(&self, method: &MethodId) -> AtMethod {
        match self.methods.get(&MethodKey::of(method)) {
            None if self.methods_read(method) => AtMethod::Absent,
            Some(Seen::Async { uri, .. }) => AtMethod::Async { uri: uri.clone(), method: None },
            _ => AtMethod::Unknown,
        }
    }

    /// What is at `method`'s place, for a refresh: the method as read, handed
    /// out once, since a refresh needs it once and the run need not keep
    /// every template of the API.
    pub fn take(&mut self, method: &MethodId) -> AtMethod {
        let read = self.methods_read(method);
        match self.methods.get_mut(&MethodKey::of(method)) {
            None if read => AtMethod::Absent,
            Some(Seen::Async { uri, method, shared_templates, .. }) => {
                let method = method.take().map(|mut method| {
                    if let Some(integration) =
                        method.method_integration.as_mut().filter(|_| *shared_templates)
                    {
                        let templates = self.shared_templates.clone();
                        integration.request_templates = Some(templates.into_iter().collect());
                    }
                    method
                });
                match method {
                    Some(method) => AtMethod::Async { uri: uri.clone(), method: Some(method) },
                    None => AtMethod::Unknown,
                }
            }
            _ => AtMethod::Unknown,
        }
    }

    /// The run wrote `method`; `uri`: its asynchronous integration, once put.
    pub fn wrote(&mut self, method: &MethodId, uri: Option<&str>, via_permission: bool) {
        let seen = match uri {
            Some(uri) => Seen::Async {
                uri: uri.to_owned(),
                via_permission,
                method: None,
                shared_templates: false,
                written: true,
            },
            None => Seen::Other,
        };
        self.methods.insert(MethodKey::of(method), seen);
    }

    /// Puts what GetMethod answered for `method` (`None`: no method) in
    /// place of what the run knew of it.
    pub fn reread(&mut self, method: &MethodId, answer: Option<AwsMethod>) {
        match answer {
            None => self.deleted(method),
            Some(answer) => self.insert(MethodKey::of(method), answer),
        }
    }

    /// The templates a method holding them keeps as a mark.
    pub fn shared_templates(&self) -> &'static BTreeMap<String, String> {
        self.shared_templates
    }

    pub fn deleted(&mut self, method: &MethodId) {
        self.methods.remove(&MethodKey::of(method));
        self.validators.remove(&MethodKey::of(method));
    }

    /// The run set `method`'s request validator (`None`: removed it).
    pub fn validated_by(&mut self, method: &MethodId, validator: Option<&str>) {
        match validator {
            Some(id) => self.validators.insert(MethodKey::of(method), id.to_owned()),
            None => self.validators.remove(&MethodKey::of(method)),
        };
    }

    /// Whether a method other than `except` is validated by `validator`.
    pub fn validates_with(&self, validator: &str, except: &MethodId) -> bool {
        let except = MethodKey::of(except);
        self.validators.iter().any(|(key, id)| *key != except && id == validator)
    }

    /// Every method with an asynchronous Lambda integration, by path and HTTP method.
    pub fn asynchronous_methods(&self) -> Vec<AsyncMethodAt<'_>> {
        let mut found: Vec<_> = self
            .methods
            .iter()
            .filter_map(|(key, seen)| {
                let Seen::Async { uri, .. } = seen else { return None };
                Some(AsyncMethodAt {
                    resource_id: &key.resource_id,
                    http_method: &key.http_method,
                    path: self.path(&key.resource_id)?,
                    uri,
                })
            })
            .collect();
        found.sort_by_key(|m| (m.path, m.http_method));
        found
    }

    /// The functions the dispatcher invokes for this REST API's methods
    /// (`delivery = "dispatcher"`), as unqualified ARNs.
    pub fn dispatched_targets(&self) -> BTreeSet<String> {
        let targets = self.methods.values().filter_map(|seen| {
            let Seen::Async { uri, .. } = seen else { return None };
            let (alias, account) = endpoint_alias::of_arn(function_arn_from_uri(uri)?)?;
            Some(alias.function_arn(&account))
        });
        targets.collect()
    }

    /// Whether the read found the REST API: every one has a root resource.
    pub fn exists(&self) -> bool {
        !self.resources.is_empty()
    }

    /// Whether a method other than `except` invokes `function_arn` through
    /// `permission` (every one with an asynchronous integration, for a
    /// resource whose path is not known).
    pub fn invokes_through(
        &self,
        function_arn: &str,
        permission: &Permission,
        except: &MethodId,
    ) -> bool {
        !self.users(function_arn, permission, except).is_empty()
    }

    /// The methods other than `except` that invoke `function_arn` through
    /// `permission`, as the run knows them: those it wrote first, which are
    /// current; then those it read, which another configuration may have
    /// changed since.
    pub fn users(
        &self,
        function_arn: &str,
        permission: &Permission,
        except: &MethodId,
    ) -> Vec<(MethodId, Known)> {
        let Some(account) = execute_api::account_of(&permission.source_arn) else {
            return Vec::new();
        };
        let mut users: Vec<_> = self
            .methods
            .iter()
            .filter_map(|(key, seen)| {
                let Seen::Async { uri, via_permission: true, written, .. } = seen else {
                    return None;
                };
                let method = MethodId {
                    rest_api_id: except.rest_api_id.clone(),
                    resource_id: key.resource_id.clone(),
                    http_method: key.http_method.clone(),
                };
                let grants = self.path(&key.resource_id).is_none_or(|path| {
                    execute_api::grants(&permission.source_arn, &account, &method, path)
                });
                let uses = method != *except && function_arn_from_uri(uri) == Some(function_arn);
                let known = if *written { Known::Current } else { Known::AsRead };
                (uses && grants).then_some((method, known))
            })
            .collect();
        users.sort_by_key(|(method, known)| (*known, method.to_string()));
        users
    }
}

/// How sure the run is of what it knows of a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Known {
    /// The run wrote it.
    Current,
    /// As the run's read found it.
    AsRead,
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use aws_sdk_apigateway::types::{Integration, IntegrationType};

    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:worker";

    fn shared() -> &'static BTreeMap<String, String> {
        static SHARED: OnceLock<BTreeMap<String, String>> = OnceLock::new();
        SHARED.get_or_init(|| BTreeMap::from([("application/json".into(), "{\"big\": 1}".into())]))
    }

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

    fn resource(id: &str, path: &str, methods: Vec<(&str, AwsMethod)>) -> Resource {
        let methods = methods.into_iter().map(|(m, method)| (m.to_owned(), method)).collect();
        Resource::builder().id(id).path(path).set_resource_methods(Some(methods)).build()
    }

    fn api() -> RestApi {
        let mock = Integration::builder().r#type(IntegrationType::Mock).build();
        RestApi::from_resources(
            Some(vec![
                resource(
                    "r1",
                    "/jobs",
                    vec![("POST", method(Some(asynchronous(None)))), ("GET", method(Some(mock)))],
                ),
                resource(
                    "r2",
                    "/roles",
                    vec![(
                        "PUT",
                        method(Some(asynchronous(Some("arn:aws:iam::123456789012:role/r")))),
                    )],
                ),
                resource("r3", "/new", vec![("POST", method(None))]),
            ]),
            shared(),
        )
    }

    fn id(resource: &str, method: &str) -> MethodId {
        MethodId {
            rest_api_id: "api1".into(),
            resource_id: resource.into(),
            http_method: method.into(),
        }
    }

    fn is_read(at: &AtMethod) -> bool {
        matches!(at, AtMethod::Async { method: Some(_), .. })
    }

    #[test]
    fn what_the_read_tells_and_what_must_be_asked() {
        let mut api = api();
        assert_eq!(api.path("r1"), Some("/jobs"));
        assert_eq!(api.path("gone"), None);
        assert_eq!(api.at(&id("r1", "POST")), AtMethod::Async { uri: uri(), method: None });
        assert_eq!(api.at(&id("r1", "GET")), AtMethod::Unknown, "someone else's: ask");
        assert_eq!(api.at(&id("r3", "POST")), AtMethod::Unknown, "no integration yet: ask");
        assert_eq!(api.at(&id("r1", "PUT")), AtMethod::Absent);
        assert!(is_read(&api.take(&id("r1", "POST"))));
        assert_eq!(api.take(&id("r1", "POST")), AtMethod::Unknown, "handed out once");
        assert_eq!(api.take(&id("r1", "GET")), AtMethod::Unknown);
        assert_eq!(api.take(&id("r1", "DELETE")), AtMethod::Absent);
        let gone = RestApi::from_resources(None, shared());
        assert_eq!(gone.at(&id("r1", "POST")), AtMethod::Unknown);
        assert!(!gone.exists() && api.exists());
    }

    #[test]
    fn what_get_method_says_is_there() {
        assert_eq!(AtMethod::of(None), AtMethod::Absent);
        assert_eq!(AtMethod::of(Some(method(None))), AtMethod::Bare);
        let mock = Integration::builder().r#type(IntegrationType::Mock).build();
        assert_eq!(AtMethod::of(Some(method(Some(mock)))), AtMethod::Foreign);
        assert!(is_read(&AtMethod::of(Some(method(Some(asynchronous(None)))))));
    }

    #[test]
    fn shared_templates_are_kept_as_a_mark_and_handed_out_whole() {
        let templates: HashMap<String, String> = shared().clone().into_iter().collect();
        let mut integration = asynchronous(None);
        integration.request_templates = Some(templates.clone());
        let mut api = RestApi::from_resources(
            Some(vec![resource("r1", "/jobs", vec![("POST", method(Some(integration)))])]),
            shared(),
        );
        let Some(Seen::Async { shared_templates: true, method: Some(kept), .. }) =
            api.methods.get(&MethodKey::of(&id("r1", "POST")))
        else {
            panic!("{:?}", api.methods)
        };
        assert_eq!(kept.method_integration().unwrap().request_templates(), None);
        let AtMethod::Async { method: Some(taken), .. } = api.take(&id("r1", "POST")) else {
            panic!()
        };
        assert_eq!(taken.method_integration().unwrap().request_templates(), Some(&templates));
    }

    #[test]
    fn a_resource_made_after_the_read_has_unknown_methods() {
        let mut api = api();
        assert_eq!(api.at(&id("r9", "POST")), AtMethod::Unknown);
        api.learned("r9", "/later");
        assert_eq!(api.path("r9"), Some("/later"));
        assert_eq!(api.at(&id("r9", "POST")), AtMethod::Unknown);
        assert_eq!(api.take(&id("r9", "POST")), AtMethod::Unknown);
        api.learned("r1", "/elsewhere");
        assert_eq!(api.path("r1"), Some("/jobs"), "what was read stays");
    }

    #[test]
    fn asynchronous_methods_are_listed_by_path() {
        let api = api();
        let listed = api.asynchronous_methods();
        let paths: Vec<_> = listed.iter().map(|m| (m.path, m.http_method)).collect();
        assert_eq!(paths, [("/jobs", "POST"), ("/roles", "PUT")]);
        assert_eq!(listed[0].uri, uri());
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

    #[test]
    fn the_users_of_a_statement_the_run_wrote_come_first_and_a_reread_replaces_what_was_read() {
        let whole_api = Permission {
            statement_id: "s".into(),
            source_arn: "arn:aws:execute-api:us-east-1:123456789012:api1/*".into(),
        };
        let mut api = api();
        let releasing = id("r9", "POST");
        let users = |api: &RestApi| api.users(FUNCTION, &whole_api, &releasing);
        assert_eq!(users(&api), [(id("r1", "POST"), Known::AsRead)]);
        api.wrote(&id("r3", "POST"), Some(&uri()), true);
        assert_eq!(
            users(&api),
            [(id("r3", "POST"), Known::Current), (id("r1", "POST"), Known::AsRead)]
        );
        api.reread(&id("r1", "POST"), None);
        assert_eq!(users(&api), [(id("r3", "POST"), Known::Current)], "deleted elsewhere");
        api.reread(&id("r3", "POST"), Some(method(Some(asynchronous(None)))));
        assert_eq!(users(&api), [(id("r3", "POST"), Known::AsRead)], "as read now");
        api.reread(&id("r3", "POST"), Some(method(Some(asynchronous(Some("arn:role"))))));
        assert!(users(&api).is_empty(), "invokes with credentials now");
    }
}
