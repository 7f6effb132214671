//! The provider service without a network: Stop reaches the calls in flight
//! and no others, each Configure hands later calls the resources it made, and
//! ListResource sends each object as soon as the resource has it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, mpsc};
use tokio_stream::StreamExt as _;
use tonic::Request;

use super::ProviderService;
use super::values;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::proto::tfplugin5::provider_server::Provider as _;
use crate::plugin::{
    Action, ApplyRequest, Attribute, Block, Context, Diagnostic, Diagnostics, Function,
    FunctionError, IdentityAttribute, IdentitySchema, ImportTarget, ListRequest, Listed, Parameter,
    Plan, PlanRequest, Provider, Resource, Schema, Signature, Type, Value,
};

const TYPE_NAME: &str = "test_thing";

fn schema() -> Schema {
    let attributes = vec![
        Attribute::computed("generation", Type::Number, "Which Configure made the resource."),
        Attribute::computed("stopped", Type::Bool, "Whether the read's context was stopped."),
    ];
    Schema { version: 0, block: Block { attributes, ..Block::default() } }
}

/// Counts its Configures; its resource says which one made it.
struct Counting {
    schema: Schema,
    configures: AtomicI64,
    apply_started: Arc<Notify>,
}

#[async_trait]
impl Provider for Counting {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _: &Value) -> Diagnostics {
        Vec::new()
    }

    async fn configure(&self, _: Value, _: &Context) -> Diagnostics {
        self.configures.fetch_add(1, Ordering::SeqCst);
        Vec::new()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![Arc::new(Countdown { schema: countdown_schema() })]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Repeat(Signature {
            parameters: vec![
                Parameter::new("text", Type::String, "What to repeat."),
                Parameter::new("times", Type::Number, "How often."),
            ],
            return_type: Type::list(Type::String),
            summary: "Repeats a text.".into(),
            description: String::new(),
        }))]
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing {
            schema: schema(),
            generation: self.configures.load(Ordering::SeqCst),
            apply_started: self.apply_started.clone(),
            identity_schema: identity_schema(),
            list_schema: Schema { version: 0, block: Block::default() },
        })]
    }
}

/// Applies and listings run until stopped; reads report what they see at once.
struct Thing {
    schema: Schema,
    generation: i64,
    apply_started: Arc<Notify>,
    identity_schema: IdentitySchema,
    list_schema: Schema,
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, _: &Value) -> Diagnostics {
        Vec::new()
    }

    async fn plan(&self, request: PlanRequest, _: &Context) -> Plan {
        Plan::refused(request.proposed_state, Vec::new())
    }

    async fn apply(&self, request: ApplyRequest, ctx: &Context) -> (Value, Diagnostics) {
        self.apply_started.notify_one();
        ctx.stop.cancelled().await;
        (request.prior_state, vec![Diagnostic::error("Stopped", "")])
    }

    async fn read(&self, _: Value, ctx: &Context) -> (Value, Diagnostics) {
        let state = Value::object([
            ("generation", Value::from(self.generation)),
            ("stopped", Value::from(ctx.stop.is_cancelled())),
        ]);
        (state, Vec::new())
    }

    /// Imports by identity only: the state of the generation it names.
    async fn import(&self, target: ImportTarget, _: &Context) -> (Value, Diagnostics) {
        match target {
            ImportTarget::Identity(identity) => (
                Value::object([
                    ("generation", identity.get("generation").clone()),
                    ("stopped", Value::from(false)),
                ]),
                Vec::new(),
            ),
            ImportTarget::Id(id) => (Value::Null, vec![Diagnostic::error("By id", id)]),
        }
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity_schema)
    }

    async fn identity(&self, state: &Value, _: &Context) -> Result<Value, Diagnostics> {
        Ok(Value::object([("generation", state.get("generation").clone())]))
    }

    fn list_schema(&self) -> Option<&Schema> {
        Some(&self.list_schema)
    }

    /// Lists the thing of its generation, then goes on until stopped.
    async fn list(
        &self,
        request: ListRequest,
        ctx: &Context,
        listed: mpsc::Sender<Listed>,
    ) -> Result<(), Diagnostics> {
        let (state, _) = self.read(Value::Null, ctx).await;
        let thing = Listed {
            identity: self.identity(&state, ctx).await?,
            display_name: format!("thing {}", self.generation),
            state: request.include_state.then_some(state),
        };
        let _ = listed.send(thing).await;
        ctx.stop.cancelled().await;
        Err(vec![Diagnostic::error("Stopped", "")])
    }
}

/// Says each number from `from` down to 1, then fails if told to.
struct Countdown {
    schema: Schema,
}

fn countdown_schema() -> Schema {
    let attributes = vec![
        Attribute::required("from", Type::Number, "Where to start."),
        Attribute::optional("fail", Type::Bool, "Whether to fail at the end."),
    ];
    Schema { version: 0, block: Block { attributes, ..Block::default() } }
}

#[async_trait]
impl Action for Countdown {
    fn type_name(&self) -> &'static str {
        "test_countdown"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("from").as_i64() {
            Some(n) if n < 0 => vec![Diagnostic::error("Negative", "from must be 0 or more")],
            _ => Vec::new(),
        }
    }

    async fn invoke(
        &self,
        config: Value,
        _: &Context,
        progress: mpsc::Sender<String>,
    ) -> Diagnostics {
        for n in (1..=config.get("from").as_i64().unwrap_or(0)).rev() {
            let _ = progress.send(n.to_string()).await;
        }
        match config.get("fail").as_bool() {
            Some(true) => vec![Diagnostic::error("Failed", "as told")],
            _ => Vec::new(),
        }
    }
}

/// `repeat(text, times)`: `times` copies of `text`; a negative `times` is
/// the second argument's fault.
struct Repeat(Signature);

impl Function for Repeat {
    fn name(&self) -> &'static str {
        "repeat"
    }

    fn signature(&self) -> &Signature {
        &self.0
    }

    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        let times = arguments[1].as_i64().filter(|n| *n >= 0);
        let times = times.ok_or_else(|| FunctionError::at(1, "times must be 0 or more"))?;
        Ok(Value::List(vec![arguments[0].clone(); times as usize]))
    }
}

fn identity_schema() -> IdentitySchema {
    let generation = IdentityAttribute {
        name: "generation".into(),
        ty: Type::Number,
        description: "Which Configure made it.".into(),
        required_for_import: true,
    };
    IdentitySchema { version: 0, attributes: vec![generation] }
}

/// A value as Terraform sends it.
fn encoded(value: &Value, ty: &Type) -> pb::DynamicValue {
    values::encode(value, ty, "test value", &mut Vec::new()).expect("a value of its type")
}

fn decoded(value: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    values::decode(value, ty, "test value").unwrap()
}

/// The service, and the signal that an apply is under way.
fn service() -> (Arc<ProviderService>, Arc<Notify>) {
    let apply_started = Arc::new(Notify::new());
    let provider = Counting {
        schema: Schema { version: 0, block: Block::default() },
        configures: AtomicI64::new(0),
        apply_started: apply_started.clone(),
    };
    (Arc::new(ProviderService::new(Arc::new(provider))), apply_started)
}

async fn read(service: &ProviderService) -> Value {
    let request = pb::read_resource::Request { type_name: TYPE_NAME.into(), ..Default::default() };
    let response = service.read_resource(Request::new(request)).await.unwrap().into_inner();
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
    decoded(response.new_state.as_ref(), &schema().value_type())
}

async fn configure(service: &ProviderService) {
    let response = service.configure(Request::new(pb::configure::Request::default())).await;
    assert!(response.unwrap().into_inner().diagnostics.is_empty());
}

#[tokio::test]
async fn stop_ends_the_call_in_flight_and_later_calls_run_unstopped() {
    let (service, apply_started) = service();
    let apply = tokio::spawn({
        let service = service.clone();
        async move {
            let request = pb::apply_resource_change::Request {
                type_name: TYPE_NAME.into(),
                ..Default::default()
            };
            service.apply_resource_change(Request::new(request)).await
        }
    });
    apply_started.notified().await;
    service.stop(Request::new(pb::stop::Request {})).await.unwrap();
    let applied = apply.await.unwrap().unwrap().into_inner();
    assert_eq!(applied.diagnostics[0].summary, "Stopped", "the apply in flight ended");

    assert_eq!(read(&service).await.get("stopped").as_bool(), Some(false), "a later call runs");
}

#[tokio::test]
async fn each_configure_hands_later_calls_its_resources() {
    let (service, _) = service();
    assert_eq!(read(&service).await.get("generation").as_i64(), Some(0));
    configure(&service).await;
    assert_eq!(read(&service).await.get("generation").as_i64(), Some(1));
    configure(&service).await;
    assert_eq!(read(&service).await.get("generation").as_i64(), Some(2));
}

#[tokio::test]
async fn identities_go_out_with_states_and_come_in_with_imports() {
    let (service, _) = service();
    let identity_ty = identity_schema().value_type();
    let schemas = service
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let attributes = &schemas.identity_schemas[TYPE_NAME].identity_attributes;
    assert!(attributes[0].required_for_import && !attributes[0].optional_for_import);

    let request = pb::read_resource::Request { type_name: TYPE_NAME.into(), ..Default::default() };
    let read = service.read_resource(Request::new(request)).await.unwrap().into_inner();
    let identity =
        read.new_identity.and_then(|i| i.identity_data).expect("identity with the state");
    let identity = decoded(Some(&identity), &identity_ty);
    assert_eq!(identity.get("generation").as_i64(), Some(0));

    let wanted = Value::object([("generation", Value::from(7))]);
    let request = pb::import_resource_state::Request {
        type_name: TYPE_NAME.into(),
        identity: Some(pb::ResourceIdentityData {
            identity_data: Some(encoded(&wanted, &identity_ty)),
        }),
        ..Default::default()
    };
    let imported = service.import_resource_state(Request::new(request)).await.unwrap().into_inner();
    assert!(imported.diagnostics.is_empty(), "{:?}", imported.diagnostics);
    let object = &imported.imported_resources[0];
    let state = decoded(object.state.as_ref(), &schema().value_type());
    assert_eq!(state.get("generation").as_i64(), Some(7), "the resource got the identity");
    let identity = object.identity.as_ref().and_then(|i| i.identity_data.as_ref());
    assert_eq!(decoded(identity, &identity_ty), wanted);
}

/// Terraform 1.15 cannot show a plan holding unknown identity values, so a
/// plan whose identity is not wholly known carries none.
#[tokio::test]
async fn a_plan_carries_an_identity_only_when_wholly_known() {
    let (service, _) = service();
    let ty = schema().value_type();
    let plan = |generation: Value| {
        let proposed = Value::object([("generation", generation), ("stopped", Value::from(false))]);
        let request = pb::plan_resource_change::Request {
            type_name: TYPE_NAME.into(),
            proposed_new_state: Some(encoded(&proposed, &ty)),
            config: Some(encoded(&proposed, &ty)),
            prior_state: Some(encoded(&Value::Null, &ty)),
            ..Default::default()
        };
        let service = service.clone();
        async move { service.plan_resource_change(Request::new(request)).await.unwrap().into_inner() }
    };
    let known = plan(Value::from(3)).await;
    assert!(known.diagnostics.is_empty(), "{:?}", known.diagnostics);
    assert!(known.planned_identity.is_some(), "a known identity goes with the plan");
    let unknown = plan(Value::Unknown).await;
    assert!(unknown.diagnostics.is_empty(), "{:?}", unknown.diagnostics);
    assert_eq!(unknown.planned_identity, None, "no identity holding unknown values");
}

/// Each object goes to Terraform as soon as the resource sends it: here the
/// listing goes on until Stop, which then ends it like any call in flight.
#[tokio::test]
async fn list_resource_sends_each_object_before_the_listing_ends() {
    let (service, _) = service();
    let request = pb::list_resource::Request {
        type_name: TYPE_NAME.into(),
        include_resource_object: true,
        limit: 10,
        ..Default::default()
    };
    let first = async {
        let mut events = service.list_resource(Request::new(request)).await.unwrap().into_inner();
        let first = events.next().await.expect("an event").unwrap();
        (events, first)
    };
    let (mut events, first) = tokio::time::timeout(Duration::from_secs(10), first)
        .await
        .expect("the first object comes while the listing goes on");
    assert!(first.diagnostic.is_empty(), "{:?}", first.diagnostic);
    assert_eq!(first.display_name, "thing 0");
    let identity = first.identity.and_then(|i| i.identity_data);
    let identity = decoded(identity.as_ref(), &identity_schema().value_type());
    assert_eq!(identity.get("generation").as_i64(), Some(0));
    let state = decoded(first.resource_object.as_ref(), &schema().value_type());
    assert_eq!(state.get("generation").as_i64(), Some(0), "the state, as asked for");

    service.stop(Request::new(pb::stop::Request {})).await.unwrap();
    let last = events.next().await.expect("an event").unwrap();
    assert_eq!(last.diagnostic[0].summary, "Stopped", "what ended the listing comes last");
    assert!(events.next().await.is_none(), "and nothing after it");
}

#[tokio::test]
async fn functions_are_in_the_schema_and_their_errors_name_the_argument() {
    let (service, _) = service();
    let schema = service.get_schema(Request::new(Default::default())).await.unwrap().into_inner();
    let listed = service.get_functions(Request::new(Default::default())).await.unwrap();
    let function = &listed.into_inner().functions["repeat"];
    assert_eq!(&schema.functions["repeat"], function, "GetSchema and GetFunctions agree");
    assert_eq!(function.parameters[1].name, "times");
    assert_eq!(function.r#return.as_ref().unwrap().r#type, br#"["list","string"]"#);

    let call = |name: &str, times: i64| pb::call_function::Request {
        name: name.into(),
        arguments: vec![
            encoded(&Value::from("ab"), &Type::String),
            encoded(&Value::from(times), &Type::Number),
        ],
    };
    let called = service.call_function(Request::new(call("repeat", 2))).await.unwrap();
    let called = called.into_inner();
    assert_eq!(called.error, None);
    let result = decoded(called.result.as_ref(), &Type::list(Type::String));
    assert_eq!(result, Value::List(vec![Value::from("ab"), Value::from("ab")]));

    let refused = service.call_function(Request::new(call("repeat", -1))).await.unwrap();
    let error = refused.into_inner().error.expect("an error");
    assert_eq!(
        (error.text.as_str(), error.function_argument),
        ("times must be 0 or more", Some(1))
    );

    let unknown = service.call_function(Request::new(call("nothing", 1))).await.unwrap();
    let error = unknown.into_inner().error.expect("an error");
    assert!(error.text.contains("no function \"nothing\""), "{}", error.text);
    assert_eq!(error.function_argument, None);
}

#[tokio::test]
async fn an_action_streams_its_progress_then_its_diagnostics() {
    use pb::invoke_action::event::Type as Event;
    let (service, _) = service();
    let schema = service.get_schema(Request::new(Default::default())).await.unwrap().into_inner();
    let listed = &schema.action_schemas["test_countdown"];
    assert_eq!(listed.schema.as_ref().unwrap().block.as_ref().unwrap().attributes.len(), 2);
    let ty = countdown_schema().value_type();
    let config = |from: i64, fail: bool| {
        Some(encoded(
            &Value::object([("from", Value::from(from)), ("fail", Value::from(fail))]),
            &ty,
        ))
    };

    let refused = pb::validate_action_config::Request {
        type_name: "test_countdown".into(),
        config: config(-1, false),
    };
    let refused = service.validate_action_config(Request::new(refused)).await.unwrap();
    assert_eq!(refused.into_inner().diagnostics[0].summary, "Negative");
    let planned = pb::plan_action::Request {
        action_type: "test_countdown".into(),
        config: config(3, false),
        client_capabilities: None,
    };
    let planned = service.plan_action(Request::new(planned)).await.unwrap().into_inner();
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);

    for fail in [false, true] {
        let request = pb::invoke_action::Request {
            action_type: "test_countdown".into(),
            config: config(3, fail),
            client_capabilities: None,
        };
        let stream = service.invoke_action(Request::new(request)).await.unwrap().into_inner();
        let events: Vec<Event> = stream.map(|e| e.unwrap().r#type.unwrap()).collect().await;
        let (progress, completed) = events.split_at(events.len() - 1);
        let said: Vec<&str> = progress
            .iter()
            .map(|e| match e {
                Event::Progress(p) => p.message.as_str(),
                Event::Completed(_) => panic!("completed before the end: {events:?}"),
            })
            .collect();
        assert_eq!(said, ["3", "2", "1"]);
        let Event::Completed(done) = &completed[0] else { panic!("{events:?}") };
        let summaries: Vec<&str> = done.diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, if fail { vec!["Failed"] } else { vec![] });
    }

    let unknown =
        pb::invoke_action::Request { action_type: "nothing".into(), ..Default::default() };
    let stream = service.invoke_action(Request::new(unknown)).await.unwrap().into_inner();
    let events: Vec<_> = stream.collect().await;
    assert!(
        matches!(&events[..], [Ok(pb::invoke_action::Event { r#type: Some(Event::Completed(c)) })] if c.diagnostics[0].summary == "Unknown action type")
    );
}
