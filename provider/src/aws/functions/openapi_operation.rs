//! `provider::async::openapi_operation(function_arn, options)`: the OpenAPI
//! operation object of an asynchronous endpoint, for REST APIs defined by a
//! document. The options are `async_lambda_endpoint`'s arguments, checked by
//! the resource's own rules; the mapping to the document is the resource's
//! (`lambda_endpoint::openapi_operation`).

use crate::aws::resources::lambda_endpoint::openapi::Named;
use crate::aws::resources::lambda_endpoint::{self, schema, templates};
use crate::aws::validate::is_api_id;
use crate::plugin::{
    AttributePath, Diagnostics, Function, FunctionError, Parameter, Signature, Type, Value,
    diagnostics::PathStep,
};

/// The options that are the resource's arguments.
const OPTIONS: [&str; 12] = [
    "qualifier",
    "authorization",
    "authorization_scopes",
    "api_key_required",
    "request_parameters",
    "request_templates",
    "passthrough_behavior",
    "response_status_code",
    "response_templates",
    "response_parameters",
    "credentials",
    "timeout_milliseconds",
];

/// The security scheme of a `CUSTOM` or `COGNITO_USER_POOLS` authorization:
/// a document names authorizers, not their ids.
const AUTHORIZER: &str = "authorizer";

/// The schema in the document's `components.schemas` that JSON bodies must
/// satisfy: the resource's `request_schema`, by reference.
const REQUEST_MODEL: &str = "request_model";

/// The content types the built-in request template is given for; by
/// default the media types alone, since AWS selects a template by media type
/// (the resource also installs the charset spellings LocalStack looks up).
/// A document holds every operation's templates (about 7.4 KB each), and
/// AWS imports documents of up to 6 MB.
const CONTENT_TYPES: &str = "content_types";

/// The resource's arguments the operation's place in the document stands
/// for; each placeholder passes the resource's checks and shows nowhere.
const PLACEHOLDERS: [(&str, &str); 3] =
    [("rest_api_id", "openapi"), ("resource_id", "openapi"), ("http_method", "POST")];

const FUNCTION_ARN: usize = 0;
const OPTIONS_ARGUMENT: usize = 1;

pub struct OpenapiOperation {
    signature: Signature,
    /// The resource's schema: the options' types.
    resource: crate::plugin::Schema,
}

impl OpenapiOperation {
    pub fn new() -> Self {
        OpenapiOperation { signature: signature(), resource: schema::schema() }
    }

    /// The options as the resource's configuration, each converted to its
    /// argument's type as Terraform converts arguments (`202` to `"202"`);
    /// and the `request_model` the operation names, which is no argument.
    fn config(
        &self,
        function_arn: Value,
        options: &Value,
    ) -> Result<(Value, Option<String>), FunctionError> {
        let given = match options {
            Value::Null => Default::default(),
            Value::Map(given) => given.clone(),
            _ => {
                return Err(FunctionError::at(
                    OPTIONS_ARGUMENT,
                    "options must be an object, e.g. { response_status_code = \"202\" }, or null.",
                ));
            }
        };
        let mut config: Vec<(String, Value)> = PLACEHOLDERS
            .iter()
            .map(|(name, value)| ((*name).into(), Value::from(*value)))
            .collect();
        config.push(("function_name".into(), function_arn));
        let own_templates = given.contains_key("request_templates");
        if own_templates && given.contains_key(CONTENT_TYPES) {
            return Err(FunctionError::at(
                OPTIONS_ARGUMENT,
                "options.content_types: set content_types (the built-in template for those \
                 content types) or request_templates (templates of your own), not both.",
            ));
        }
        let mut request_model = None;
        let mut chosen_types: Option<Vec<String>> = None;
        for (name, value) in given {
            if name == CONTENT_TYPES {
                let content_types = value.as_list().filter(|list| !list.is_empty());
                let content_types: Option<Vec<&str>> =
                    content_types.and_then(|list| list.iter().map(Value::as_str).collect());
                let content_types = content_types.ok_or_else(|| {
                    FunctionError::at(
                        OPTIONS_ARGUMENT,
                        "options.content_types: expected a non-empty list of content types, \
                         e.g. [\"application/json\"].",
                    )
                })?;
                chosen_types = Some(content_types.into_iter().map(str::to_owned).collect());
                continue;
            }
            if name == REQUEST_MODEL {
                let model = value.as_str().filter(|m| is_api_id(m)).ok_or_else(|| {
                    FunctionError::at(
                        OPTIONS_ARGUMENT,
                        "options.request_model: expected the name of a schema in the document's \
                         components.schemas: letters and digits only, e.g. \"Order\".",
                    )
                })?;
                request_model = Some(model.to_owned());
                continue;
            }
            let attribute = if name == AUTHORIZER { "authorizer_id" } else { name.as_str() };
            let known = OPTIONS.contains(&attribute) || name == AUTHORIZER;
            let Some(ty) = self.attribute_type(attribute).filter(|_| known) else {
                return Err(FunctionError::at(
                    OPTIONS_ARGUMENT,
                    format!(
                        "options has no attribute {name:?}. It takes {}, {AUTHORIZER}, \
                         {REQUEST_MODEL} and {CONTENT_TYPES}.",
                        OPTIONS.join(", ")
                    ),
                ));
            };
            let converted = conform(value, ty).map_err(|expected| {
                FunctionError::at(OPTIONS_ARGUMENT, format!("options.{name}: expected {expected}."))
            })?;
            config.push((attribute.to_owned(), converted));
        }
        if !own_templates {
            let content_types =
                chosen_types.unwrap_or_else(|| templates::MEDIA_TYPES.map(str::to_owned).to_vec());
            let template = templates::default_request_template();
            let templates = content_types
                .into_iter()
                .map(|content_type| (content_type, Value::from(template.as_str())));
            config.push(("request_templates".to_owned(), Value::object(templates)));
        }
        Ok((Value::object(config), request_model))
    }

    fn attribute_type(&self, name: &str) -> Option<&Type> {
        self.resource.block.attributes.iter().find(|a| a.name == name).map(|a| &a.ty)
    }
}

impl Function for OpenapiOperation {
    fn name(&self) -> &'static str {
        "openapi_operation"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        let [function_arn, options] = <[Value; 2]>::try_from(arguments)
            .map_err(|_| FunctionError { text: "two arguments expected".into(), argument: None })?;
        let (config, request_model) = self.config(function_arn, &options)?;
        let named = Named {
            authorizer: config.get("authorizer_id").as_str(),
            request_model: request_model.as_deref(),
        };
        let operation = lambda_endpoint::openapi_operation(&config, named)
            .map_err(|diags| function_error(&diags))?;
        Ok(from_json(&operation))
    }
}

/// The first error, at the argument it is about.
fn function_error(diags: &Diagnostics) -> FunctionError {
    let Some(first) = diags.first() else {
        return FunctionError { text: "invalid arguments".into(), argument: None };
    };
    let text = format!("{}: {}", first.summary, first.detail);
    match first.attribute.as_ref().map(option_path) {
        None => FunctionError { text, argument: None },
        Some(None) => FunctionError::at(FUNCTION_ARN, text),
        Some(Some(path)) => FunctionError::at(OPTIONS_ARGUMENT, format!("{path}: {text}")),
    }
}

/// `options.request_parameters["method.request.header.X"]` for an
/// attribute path of the resource; `None` for `function_name`.
fn option_path(path: &AttributePath) -> Option<String> {
    let mut text = String::from("options");
    for step in path.steps() {
        match step {
            PathStep::Attribute(name) if name == "function_name" => return None,
            PathStep::Attribute(name) if name == "authorizer_id" => {
                text.push('.');
                text.push_str(AUTHORIZER);
            }
            PathStep::Attribute(name) => {
                text.push('.');
                text.push_str(name);
            }
            PathStep::Key(key) => text.push_str(&format!("[{key:?}]")),
            PathStep::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    Some(text)
}

/// `value` as a value of `ty`, converted as Terraform converts primitive
/// values; else what was expected.
fn conform(value: Value, ty: &Type) -> Result<Value, String> {
    Ok(match (value, ty) {
        (Value::Null, _) => Value::Null,
        (value @ Value::String(_), Type::String) => value,
        (Value::Number(n), Type::String) => Value::String(n.to_string()),
        (Value::Bool(b), Type::String) => Value::String(b.to_string()),
        (value @ Value::Number(_), Type::Number) => value,
        (Value::String(s), Type::Number) => {
            Value::Number(crate::plugin::Number::parse(&s).ok_or("a number")?)
        }
        (value @ Value::Bool(_), Type::Bool) => value,
        (Value::String(s), Type::Bool) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Value::List(items), Type::List(element) | Type::Set(element)) => Value::List(
            items.into_iter().map(|item| conform(item, element)).collect::<Result<_, _>>()?,
        ),
        (Value::Map(items), Type::Map(element)) => Value::Map(
            items
                .into_iter()
                .map(|(k, v)| Ok((k, conform(v, element)?)))
                .collect::<Result<_, String>>()?,
        ),
        (_, Type::String) => return Err("a string".into()),
        (_, Type::Number) => return Err("a number".into()),
        (_, Type::Bool) => return Err("a bool".into()),
        (_, Type::List(_) | Type::Set(_) | Type::Tuple(_)) => return Err("a list".into()),
        (_, Type::Map(_) | Type::Object(_)) => return Err("a map".into()),
        (value, Type::Dynamic) => value,
    })
}

fn from_json(json: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::Number(crate::plugin::Number::Float(n.as_f64().unwrap_or_default())),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(items) => Value::List(items.iter().map(from_json).collect()),
        J::Object(members) => {
            Value::Map(members.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

fn signature() -> Signature {
    Signature {
        parameters: vec![
            Parameter::new(
                "function_arn",
                Type::String,
                "The full ARN of the function to invoke asynchronously, optionally qualified \
                 (`aws_lambda_function.worker.arn`, `aws_lambda_alias.live.arn`).",
            ),
            Parameter::new(
                "options",
                Type::Dynamic,
                "An object of `async_lambda_endpoint`'s arguments (`qualifier`, \
                 `authorization`, `authorization_scopes`, `api_key_required`, \
                 `request_parameters`, `request_templates`, `passthrough_behavior`, \
                 `response_status_code`, `response_templates`, `response_parameters`, \
                 `credentials`, `timeout_milliseconds`), with the same defaults and checks, \
                 plus what the document defines, by name: `authorizer`, the security scheme \
                 of a `CUSTOM` or `COGNITO_USER_POOLS` authorization, and `request_model`, the \
                 schema in `components.schemas` that `application/json` bodies must satisfy \
                 (the resource's `request_schema`); and `content_types`, the content types \
                 the built-in request template is given for (default: \
                 `[\"application/json\", \"application/x-www-form-urlencoded\", \
                 \"text/plain\"]`, the media types AWS selects a template by, so \
                 `application/json; charset=utf-8` finds `application/json`; LocalStack looks \
                 the whole `Content-Type` up, so a document served by LocalStack also lists \
                 the spellings its clients send). A document holds every operation's \
                 templates, about 7.4 KB each, and AWS imports documents of up to 6 MB. `{}` \
                 or null: every default.",
            )
            .nullable(),
        ],
        return_type: Type::Dynamic,
        summary: "The OpenAPI operation of an endpoint that invokes a Lambda function \
                  asynchronously"
            .into(),
        description: "Returns the OpenAPI 3 operation object (`x-amazon-apigateway-integration` \
                      of type `aws` invoking the function with `X-Amz-Invocation-Type: Event`, \
                      the built-in request templates giving the function a Lambda proxy (v1) \
                      event, the method and integration responses) for a path of an \
                      `aws_api_gateway_rest_api`'s `body`. The document declares what spans \
                      operations: `x-amazon-apigateway-request-validators` (`async-endpoints`, \
                      `async-endpoints-parameters`) when an operation validates, the schemas \
                      and security schemes it names (`api_key` for `api_key_required`); and the \
                      function \
                      needs one `aws_lambda_permission` per REST API, scoped to \
                      `execution_arn/*`."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::templates;

    const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:worker";

    fn call(function_arn: &str, options: Value) -> Result<serde_json::Value, FunctionError> {
        let result = OpenapiOperation::new().call(vec![Value::from(function_arn), options])?;
        let encoded = crate::plugin::codec::encode_msgpack(&result, &Type::Dynamic).unwrap();
        // As Terraform gets it back, then as `jsonencode` writes it.
        let decoded = crate::plugin::codec::decode_msgpack(&encoded, &Type::Dynamic).unwrap();
        Ok(to_json(&decoded))
    }

    fn to_json(value: &Value) -> serde_json::Value {
        match value {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => n.as_i64().map_or_else(|| n.as_f64().into(), Into::into),
            Value::String(s) => s.as_str().into(),
            Value::List(items) => items.iter().map(to_json).collect(),
            Value::Map(members) => members.iter().map(|(k, v)| (k.clone(), to_json(v))).collect(),
        }
    }

    fn options<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        Value::object(pairs)
    }

    #[test]
    fn by_default_the_function_is_invoked_asynchronously_through_the_built_in_templates() {
        let operation = call(ARN, Value::Null).unwrap();
        let integration = &operation["x-amazon-apigateway-integration"];
        assert_eq!(integration["type"], "aws");
        assert_eq!(integration["httpMethod"], "POST");
        assert_eq!(
            integration["uri"],
            format!(
                "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{ARN}/invocations"
            )
        );
        assert_eq!(
            integration["requestParameters"]["integration.request.header.X-Amz-Invocation-Type"],
            "'Event'"
        );
        // The media types alone: AWS selects a template by media type.
        let template = templates::default_request_template();
        let by_media_type: serde_json::Map<_, _> = templates::MEDIA_TYPES
            .iter()
            .map(|m| ((*m).to_owned(), template.clone().into()))
            .collect();
        assert_eq!(integration["requestTemplates"], serde_json::Value::Object(by_media_type));
        assert_eq!(integration["passthroughBehavior"], "never");
        assert_eq!(integration["timeoutInMillis"], 29000);
        assert_eq!(integration["responses"]["default"]["statusCode"], "202");
        assert!(operation["responses"]["202"]["description"].is_string());
        for absent in ["parameters", "requestBody", "security", "x-amazon-apigateway-auth"] {
            assert!(operation.get(absent).is_none(), "{absent}: {operation}");
        }
        assert_eq!(call(ARN, options([])).unwrap(), operation, "{{}} is every default");
    }

    #[test]
    fn options_are_the_resource_arguments_converted_as_terraform_converts() {
        let operation = call(
            ARN,
            options([
                ("qualifier", Value::from("live")),
                ("response_status_code", Value::from(200)),
                ("timeout_milliseconds", Value::from("5000")),
                ("api_key_required", Value::from(true)),
                ("authorization", Value::from("AWS_IAM")),
                (
                    "request_parameters",
                    options([
                        ("method.request.header.X-Signature", Value::from(true)),
                        ("method.request.path.source", Value::from(false)),
                    ]),
                ),
                (
                    "response_parameters",
                    options([(
                        "method.response.header.X-Request-Id",
                        Value::from("context.requestId"),
                    )]),
                ),
            ]),
        )
        .unwrap();
        let integration = &operation["x-amazon-apigateway-integration"];
        assert!(
            integration["uri"].as_str().unwrap().ends_with(":function:worker:live/invocations")
        );
        assert_eq!(integration["timeoutInMillis"], 5000);
        let default = &integration["responses"]["default"];
        assert_eq!(default["statusCode"], "200");
        assert_eq!(
            default["responseParameters"]["method.response.header.X-Request-Id"],
            "context.requestId"
        );
        assert!(operation["responses"]["200"]["headers"]["X-Request-Id"].is_object());
        assert_eq!(operation["x-amazon-apigateway-auth"]["type"], "AWS_IAM");
        assert_eq!(operation["security"], serde_json::json!([{ "api_key": [] }]));
        assert_eq!(
            operation["x-amazon-apigateway-request-validator"],
            "async-endpoints-parameters"
        );
        let parameters = operation["parameters"].as_array().unwrap();
        assert!(parameters.contains(&serde_json::json!({
            "name": "X-Signature", "in": "header", "required": true, "schema": { "type": "string" }
        })));
        // OpenAPI has every path parameter required.
        assert!(parameters.contains(&serde_json::json!({
            "name": "source", "in": "path", "required": true, "schema": { "type": "string" }
        })));
    }

    #[test]
    fn content_types_choose_which_media_types_get_the_built_in_template() {
        let json_only =
            options([("content_types", Value::List(vec![Value::from("application/json")]))]);
        let operation = call(ARN, json_only).unwrap();
        let templates = &operation["x-amazon-apigateway-integration"]["requestTemplates"];
        let template = templates::default_request_template();
        assert_eq!(templates, &serde_json::json!({ "application/json": template }));
        let charset = "application/json; charset=utf-8";
        let localstack = options([(
            "content_types",
            Value::List(vec![Value::from("application/json"), Value::from(charset)]),
        )]);
        let operation = call(ARN, localstack).unwrap();
        let templates = &operation["x-amazon-apigateway-integration"]["requestTemplates"];
        assert_eq!(templates[charset], template, "a spelling LocalStack looks up");
    }

    #[test]
    fn two_hundred_default_operations_fit_in_what_aws_imports() {
        // AWS's quota "API definition file size for import": 6 MB.
        let operation = call(ARN, Value::Null).unwrap().to_string();
        assert!(200 * operation.len() < 6_000_000, "{} bytes an operation", operation.len());
    }

    #[test]
    fn a_model_and_an_authorizer_are_named_where_api_gateway_reads_them() {
        let operation = call(
            ARN,
            options([
                ("request_model", Value::from("Order")),
                ("authorization", Value::from("COGNITO_USER_POOLS")),
                ("authorizer", Value::from("users")),
                ("authorization_scopes", Value::List(vec![Value::from("orders/write")])),
            ]),
        )
        .unwrap();
        let body = &operation["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body, &serde_json::json!({ "$ref": "#/components/schemas/Order" }));
        assert_eq!(operation["x-amazon-apigateway-request-validator"], "async-endpoints");
        assert_eq!(operation["security"], serde_json::json!([{ "users": ["orders/write"] }]));
    }

    #[test]
    fn bad_arguments_are_refused_at_the_argument_with_the_resource_rules() {
        let refused = |function_arn: &str, options: Value| call(function_arn, options).unwrap_err();
        let e = refused("worker", Value::Null);
        assert_eq!(e.argument, Some(0), "{}", e.text);
        assert!(e.text.contains("full ARN"), "{}", e.text);
        let e = refused("arn:aws:s3:::bucket", Value::Null);
        assert_eq!(e.argument, Some(0), "{}", e.text);

        let e = refused(ARN, options([("delivery", Value::from("dispatcher"))]));
        assert_eq!(e.argument, Some(1));
        assert!(e.text.contains("no attribute \"delivery\""), "{}", e.text);
        let e = refused(ARN, options([("response_status_code", Value::from("404"))]));
        assert_eq!(e.argument, Some(1));
        assert!(e.text.starts_with("options.response_status_code: "), "{}", e.text);
        let e = refused(ARN, options([("timeout_milliseconds", Value::from("soon"))]));
        assert_eq!(e.text, "options.timeout_milliseconds: expected a number.");
        let e = refused(ARN, options([("authorization", Value::from("CUSTOM"))]));
        assert!(e.text.starts_with("options.authorizer: "), "{}", e.text);
        let bad_key = options([("method.request.body.x", Value::from(true))]);
        let e = refused(ARN, options([("request_parameters", bad_key)]));
        assert!(
            e.text.starts_with("options.request_parameters[\"method.request.body.x\"]: "),
            "{}",
            e.text
        );
        let e = refused(ARN, options([("request_schema", Value::from("{}"))]));
        assert!(e.text.contains("no attribute \"request_schema\""), "{}", e.text);
        let e = refused(ARN, options([("request_model", Value::from("#/components/schemas/X"))]));
        assert!(e.text.starts_with("options.request_model: "), "{}", e.text);
        let both = options([
            ("content_types", Value::List(vec![Value::from("application/json")])),
            ("request_templates", options([("application/json", Value::from("{}"))])),
        ]);
        assert!(refused(ARN, both).text.starts_with("options.content_types: "));
        let e = refused(ARN, options([("content_types", Value::List(vec![]))]));
        assert!(e.text.starts_with("options.content_types: expected"), "{}", e.text);
        let e = refused(ARN, Value::from("202"));
        assert!(e.text.starts_with("options must be an object"), "{}", e.text);
    }
}
