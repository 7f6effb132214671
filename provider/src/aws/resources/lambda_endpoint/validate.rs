//! Plan-time checks of an `async_lambda_endpoint` configuration. Nothing here
//! calls AWS: an invalid configuration fails `terraform validate` before any
//! request is made, with the attribute named.

use super::attr::*;
use super::media_type::MediaType;
use super::model::{
    Authorization, Delivery, HTTP_METHODS, Integration, Method, PassthroughBehavior, StatusCode,
};
use super::request_schema;
use crate::aws::dispatcher::endpoint_alias::EndpointAlias;
use crate::aws::lambda::FunctionRef;
use crate::aws::validate::{self, Checker, is_api_id};
use crate::plugin::{AttributePath, Diagnostics, Value};

pub fn validate(config: &Value) -> Diagnostics {
    let mut check = Checker::new(config);
    check.check_string(REST_API_ID, |v| api_id("REST API", "rest_api", v));
    check.check_string(RESOURCE_ID, |v| api_id("resource", "resource", v));
    check.check_one_of(HTTP_METHOD, &HTTP_METHODS);
    validate::check_function_target(&mut check);
    check.check_one_of(DELIVERY, Delivery::NAMES);
    check_dispatcher(&mut check, config);
    check.check_one_of(AUTHORIZATION, Authorization::NAMES);
    check.check_one_of(PASSTHROUGH_BEHAVIOR, PassthroughBehavior::NAMES);
    check.check_string(RESPONSE_STATUS_CODE, success_status);
    check.check_string(CREDENTIALS, validate::role_arn);
    check.check_string(AUTHORIZER_ID, |v| api_id("authorizer", "authorizer", v));
    check.check_range(TIMEOUT_MILLISECONDS, 50, 29_000);
    check_authorization(&mut check, config);
    check_no_template_refuses_everything(&mut check, config);
    check_keys(&mut check, config, REQUEST_PARAMETERS, request_parameter_name);
    check.check_string(REQUEST_SCHEMA, |text| request_schema::written(text).map(drop));
    check_keys(&mut check, config, RESPONSE_PARAMETERS, response_parameter_name);
    for name in [REQUEST_TEMPLATES, RESPONSE_TEMPLATES] {
        check_keys(&mut check, config, name, |key| MediaType::parse(key).map(drop));
        check_values(&mut check, config, name, template);
        warn_near_misses(&mut check, config, name);
    }
    warn_json_unmatched(&mut check, config);
    check_values(&mut check, config, RESPONSE_PARAMETERS, |v| {
        if v.is_empty() {
            Err("A response header needs a value expression, e.g. \"'*'\".".into())
        } else {
            Ok(())
        }
    });
    check.diagnostics
}

/// A `list "async_lambda_endpoint"` block's configuration.
pub fn validate_list(config: &Value) -> Diagnostics {
    let mut check = Checker::new(config);
    check.check_string(REST_API_ID, |v| api_id("REST API", "rest_api", v));
    check.check_string(PATH_PREFIX, |v| {
        if v.starts_with('/') {
            Ok(())
        } else {
            Err(format!("{v:?} is not a resource path: paths start with /, e.g. \"/hooks\"."))
        }
    });
    check.diagnostics
}

/// With `delivery = "dispatcher"` API Gateway's proxy integration makes the
/// event and the dispatcher the answer: the settings of the templated
/// integration have nothing to apply to, and the dispatcher's alias names
/// the target (`endpoint_alias`).
fn check_dispatcher(check: &mut Checker<'_>, config: &Value) {
    if config.get(DELIVERY).as_str() != Some(Delivery::Dispatcher.as_str()) {
        return;
    }
    let not_applying = [
        (REQUEST_TEMPLATES, "API Gateway's Lambda proxy integration makes the event"),
        (PASSTHROUGH_BEHAVIOR, "API Gateway's Lambda proxy integration takes every body"),
        (RESPONSE_TEMPLATES, "the dispatcher answers {\"accepted\": true, \"requestId\": ...}"),
        (RESPONSE_PARAMETERS, "the dispatcher's answer is the response"),
        (CREDENTIALS, "API Gateway invokes the dispatcher through a permission it adds"),
    ];
    for (name, why) in not_applying {
        if !config.get(name).is_null() {
            check.error(
                AttributePath::root(name),
                "Not used with delivery = \"dispatcher\"",
                format!(
                    "{name} applies to the direct delivery only: with the dispatcher, {why}. \
                     Remove {name}, or set delivery = \"direct\"."
                ),
            );
        }
    }
    let Some(function) = check.string(FUNCTION_NAME).and_then(|f| FunctionRef::parse(f).ok())
    else {
        return;
    };
    let qualifier =
        function.qualifier.clone().or_else(|| check.string(QUALIFIER).map(str::to_owned));
    if qualifier.as_deref() == Some("$LATEST") {
        check.error(
            AttributePath::root(QUALIFIER),
            "$LATEST with the dispatcher",
            "The dispatcher invokes $LATEST when no qualifier is set; remove the qualifier.",
        );
        return;
    }
    let alias = EndpointAlias { function_name: function.name, qualifier, status: 202 };
    if alias.name().is_none() {
        check.error(
            AttributePath::root(FUNCTION_NAME),
            "Name too long for the dispatcher",
            "With delivery = \"dispatcher\" the function's name and qualifier together must be \
             at most 117 characters: they name the dispatcher's alias for the endpoint, which \
             Lambda limits to 128. Use a shorter alias as qualifier, or delivery = \"direct\".",
        );
    }
}

/// `request_templates = {}` with passthrough `NEVER` answers every request
/// 415: almost certainly not meant, and invisible until the first call.
fn check_no_template_refuses_everything(check: &mut Checker<'_>, config: &Value) {
    let no_templates = config.get(REQUEST_TEMPLATES).as_map().is_some_and(|m| m.is_empty());
    let never = passthrough_behavior(config) == Some(PassthroughBehavior::Never);
    if no_templates && never {
        check.error(
            AttributePath::root(REQUEST_TEMPLATES),
            "No request template",
            "With no request template and passthrough_behavior = \"NEVER\" (the default), API \
             Gateway refuses every request with 415. Remove request_templates to use the built-in \
             template, add one, or set passthrough_behavior to WHEN_NO_TEMPLATES.",
        );
    }
}

/// A template key one edit from a built-in media type is almost certainly a
/// typo: the requests of the type meant never get the template.
fn warn_near_misses(check: &mut Checker<'_>, config: &Value, name: &str) {
    let selected_by = if name == REQUEST_TEMPLATES { "Content-Type" } else { "Accept" };
    for key in config.get(name).as_map().into_iter().flat_map(|m| m.keys()) {
        if let Some(meant) = MediaType::parse(key).ok().and_then(|m| m.near_built_in()) {
            check.warning(
                AttributePath::root(name).key(key),
                "Misspelled media type?",
                format!(
                    "{key:?} is one letter away from {meant:?}. API Gateway selects the template \
                     by the request's {selected_by} media type, so requests sending {meant} \
                     would not get this template. Write \"{meant}\" if that is what you meant."
                ),
            );
        }
    }
}

/// With `NEVER`, and with `WHEN_NO_TEMPLATES` once templates are given, API
/// Gateway answers 415 to a request whose media type has no template; it
/// takes a request without a Content-Type as `application/json` (developer
/// guide, "Method request behavior for payloads without mapping templates").
/// Templates that leave out that type refuse JSON clients and webhook
/// senders that send no Content-Type.
fn warn_json_unmatched(check: &mut Checker<'_>, config: &Value) {
    let Some(templates) = config.get(REQUEST_TEMPLATES).as_map().filter(|m| !m.is_empty()) else {
        return;
    };
    let Some(behavior) = passthrough_behavior(config) else { return };
    let Ok(media_types) =
        templates.keys().map(|key| MediaType::parse(key)).collect::<Result<Vec<_>, _>>()
    else {
        return; // an error names the key already
    };
    // AWS selects by the media type alone, so a key with parameters is never selected.
    let covers_json =
        media_types.iter().any(|m| m.essence == "application/json" && !m.has_parameters);
    // A misspelt application/json is warned about as such.
    let misspelt_json = media_types.iter().any(|m| m.near_built_in() == Some("application/json"));
    let refuses_unmatched =
        matches!(behavior, PassthroughBehavior::Never | PassthroughBehavior::WhenNoTemplates);
    if covers_json || misspelt_json || !refuses_unmatched {
        return;
    }
    check.warning(
        AttributePath::root(REQUEST_TEMPLATES),
        "No template for application/json",
        format!(
            "With passthrough_behavior = \"{behavior}\", API Gateway answers 415 to requests \
             whose media type has no template: here every application/json request, and every \
             request without a Content-Type, which API Gateway treats as application/json. Add \
             an \"application/json\" template, or set passthrough_behavior = \"WHEN_NO_MATCH\" \
             to pass those requests' bodies through unchanged."
        ),
    );
}

/// An API Gateway id; `kind` names the hashicorp/aws resource that has it.
fn api_id(what: &str, kind: &str, value: &str) -> Result<(), String> {
    if is_api_id(value) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not an API Gateway {what} id: expected letters and digits, such as \
             \"a1b2c3d4e5\" (use the .id of an aws_api_gateway_{kind})."
        ))
    }
}

/// The configured passthrough behaviour, the default when unset; `None`
/// while unknown or invalid (an error says so).
fn passthrough_behavior(config: &Value) -> Option<PassthroughBehavior> {
    match config.get(PASSTHROUGH_BEHAVIOR) {
        Value::Null => Some(Integration::default().passthrough_behavior),
        other => other.as_str().and_then(PassthroughBehavior::parse),
    }
}

fn success_status(value: &str) -> Result<(), String> {
    match StatusCode::parse(value) {
        Some(code) if code.is_success() => Ok(()),
        _ => Err(format!(
            "{value:?} is not a success status code: the client is told its event was queued, \
             so use 200 to 299 (202 Accepted is the default)."
        )),
    }
}

fn check_authorization(check: &mut Checker<'_>, config: &Value) {
    let authorization = match config.get(AUTHORIZATION) {
        Value::Null => Method::default().authorization,
        // Unknown means "check later"; invalid has its own error.
        other => match other.as_str().and_then(Authorization::parse) {
            Some(authorization) => authorization,
            None => return,
        },
    };
    let needs_authorizer = authorization.needs_authorizer();
    let authorizer = config.get(AUTHORIZER_ID);
    if needs_authorizer && authorizer.is_null() {
        check.error(
            AttributePath::root(AUTHORIZER_ID),
            "Missing authorizer_id",
            format!("authorization = \"{authorization}\" needs the id of the authorizer to use."),
        );
    }
    if !needs_authorizer && !authorizer.is_null() {
        check.error(
            AttributePath::root(AUTHORIZER_ID),
            "Unused authorizer_id",
            format!(
                "authorization = \"{authorization}\" uses no authorizer; set authorization to \
                 CUSTOM or COGNITO_USER_POOLS, or remove authorizer_id."
            ),
        );
    }
    let scopes = config.get(AUTHORIZATION_SCOPES);
    if authorization != Authorization::CognitoUserPools && !scopes.is_null() {
        check.error(
            AttributePath::root(AUTHORIZATION_SCOPES),
            "Unused authorization_scopes",
            "Scopes apply only with authorization = \"COGNITO_USER_POOLS\".",
        );
    } else if scopes
        .as_list()
        .into_iter()
        .flatten()
        .any(|s| s.as_str().is_some_and(|s| s.trim().is_empty()))
    {
        check.error(
            AttributePath::root(AUTHORIZATION_SCOPES),
            "Invalid authorization_scopes",
            "A scope must not be empty, e.g. \"email\" or \"https://api.example.com/write\".",
        );
    }
}

/// Checks every key of the map attribute `name`.
fn check_keys(
    check: &mut Checker<'_>,
    config: &Value,
    name: &str,
    rule: impl Fn(&str) -> Result<(), String>,
) {
    for key in config.get(name).as_map().into_iter().flat_map(|m| m.keys()) {
        if let Err(detail) = rule(key) {
            check.error(AttributePath::root(name).key(key), &format!("Invalid {name} key"), detail);
        }
    }
}

/// Checks every known string value of the map attribute `name`.
fn check_values(
    check: &mut Checker<'_>,
    config: &Value,
    name: &str,
    rule: impl Fn(&str) -> Result<(), String>,
) {
    for (key, value) in config.get(name).as_map().into_iter().flatten() {
        if let Some(Err(detail)) = value.as_str().map(&rule) {
            check.error(
                AttributePath::root(name).key(key),
                &format!("Invalid {name} value"),
                detail,
            );
        }
    }
}

fn request_parameter_name(key: &str) -> Result<(), String> {
    let ok = ["header", "querystring", "path"].iter().any(|location| {
        key.strip_prefix("method.request.")
            .and_then(|rest| rest.strip_prefix(location))
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(is_parameter_name)
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{key:?} is not a method request parameter: expected \
             method.request.header.NAME, method.request.querystring.NAME or method.request.path.NAME."
        ))
    }
}

fn response_parameter_name(key: &str) -> Result<(), String> {
    match key.strip_prefix("method.response.header.") {
        Some(name) if is_parameter_name(name) => Ok(()),
        _ => Err(format!(
            "{key:?} is not a response header: expected method.response.header.NAME, e.g. \
             method.response.header.Access-Control-Allow-Origin."
        )),
    }
}

fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'.' | b'"' | b'\'' | b'\\'))
}

/// A light structural check of VTL: API Gateway accepts broken templates and
/// fails at request time, which is far harder to debug than a plan error.
fn template(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("A template must not be empty; remove the entry to use no template.".into());
    }
    let mut depth: i64 = 0;
    for (line_no, line) in text.lines().enumerate() {
        let code = line.split("##").next().unwrap_or("");
        for (i, _) in code.match_indices('#') {
            let word: String = code[i + 1..]
                .trim_start_matches('{')
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            match word.as_str() {
                "if" | "foreach" | "macro" | "define" => depth += 1,
                "end" => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return Err(format!(
                    "Line {}: #end without a matching #if or #foreach.",
                    line_no + 1
                ));
            }
        }
    }
    if depth > 0 {
        return Err(format!(
            "{depth} #if/#foreach block(s) are never closed with #end; API Gateway would fail \
             every request with this template."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Severity;

    fn valid() -> Vec<(&'static str, Value)> {
        vec![
            ("rest_api_id", Value::from("abc123")),
            ("resource_id", Value::from("def456")),
            ("http_method", Value::from("POST")),
            ("function_name", Value::from("worker")),
        ]
    }

    /// The attributes the diagnostics of `severity` name.
    fn diagnosed(severity: Severity, extra: Vec<(&'static str, Value)>) -> Vec<String> {
        let mut attrs = valid();
        attrs.extend(extra);
        validate(&Value::object(attrs))
            .into_iter()
            .filter(|d| d.severity == severity)
            .map(|d| d.attribute.map(|p| p.to_string()).unwrap_or_default())
            .collect()
    }

    fn errors_for(extra: Vec<(&'static str, Value)>) -> Vec<String> {
        diagnosed(Severity::Error, extra)
    }

    fn warnings_for(extra: Vec<(&'static str, Value)>) -> Vec<String> {
        diagnosed(Severity::Warning, extra)
    }

    fn templates(keys: &[&str]) -> Value {
        Value::object(keys.iter().map(|key| (*key, Value::from("{}"))))
    }

    #[test]
    fn a_key_one_edit_from_a_built_in_media_type_is_warned_about() {
        let typo = vec![("request_templates", templates(&["aplication/json", "application/json"]))];
        assert_eq!(warnings_for(typo.clone()), ["request_templates[\"aplication/json\"]"]);
        assert!(errors_for(typo).is_empty(), "a warning, not an error");
        let response = vec![("response_templates", templates(&["text/plan"]))];
        assert_eq!(warnings_for(response), ["response_templates[\"text/plan\"]"]);
        let fine = vec![("request_templates", templates(&["application/json", "application/xml"]))];
        assert!(warnings_for(fine).is_empty());
        let only_typo = vec![("request_templates", templates(&["aplication/json"]))];
        assert_eq!(warnings_for(only_typo), ["request_templates[\"aplication/json\"]"], "once");
    }

    #[test]
    fn templates_leaving_out_json_are_warned_about_where_json_would_get_415() {
        let form_only = || ("request_templates", templates(&["application/x-www-form-urlencoded"]));
        assert_eq!(warnings_for(vec![form_only()]), ["request_templates"], "NEVER by default");
        let behavior = |b: &str| ("passthrough_behavior", Value::from(b));
        let no_templates = vec![form_only(), behavior("WHEN_NO_TEMPLATES")];
        assert_eq!(warnings_for(no_templates), ["request_templates"]);
        assert!(warnings_for(vec![form_only(), behavior("WHEN_NO_MATCH")]).is_empty());
        assert!(
            warnings_for(vec![form_only(), ("passthrough_behavior", Value::Unknown)]).is_empty()
        );
        let charset_only =
            vec![("request_templates", templates(&["application/json; charset=utf-8"]))];
        assert_eq!(warnings_for(charset_only), ["request_templates"], "AWS never selects it");
        let json = vec![("request_templates", templates(&["Application/JSON", "text/plain"]))];
        assert!(warnings_for(json).is_empty());
        assert!(warnings_for(vec![]).is_empty(), "the built-in templates cover it");
        let invalid = vec![("request_templates", templates(&["json"]))];
        assert!(warnings_for(invalid).is_empty(), "the error says it");
    }

    #[test]
    fn a_minimal_configuration_is_valid() {
        assert!(errors_for(vec![]).is_empty());
    }

    #[test]
    fn each_bad_value_names_its_attribute() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("http_method", "FETCH".into(), "http_method"),
            ("function_name", "arn:aws:lambda:us-east-1:1:function:f".into(), "function_name"),
            ("rest_api_id", "has space".into(), "rest_api_id"),
            ("authorization", "BASIC".into(), "authorization"),
            ("passthrough_behavior", "ALWAYS".into(), "passthrough_behavior"),
            ("response_status_code", "500".into(), "response_status_code"),
            ("timeout_milliseconds", Value::from(30_000), "timeout_milliseconds"),
            ("credentials", "arn:aws:iam::123456789012:user/u".into(), "credentials"),
            (
                "request_templates",
                Value::object([("json", Value::from("{}"))]),
                "request_templates[\"json\"]",
            ),
            (
                "request_templates",
                Value::object([("application/json", Value::from("#if($x) {}"))]),
                "request_templates[\"application/json\"]",
            ),
            (
                "request_parameters",
                Value::object([("method.request.body.x", Value::from(true))]),
                "request_parameters[\"method.request.body.x\"]",
            ),
            (
                "response_parameters",
                Value::object([("header.X", Value::from("'a'"))]),
                "response_parameters[\"header.X\"]",
            ),
        ];
        for (name, value, expected) in cases {
            assert_eq!(errors_for(vec![(name, value)]), vec![expected.to_owned()], "{name}");
        }
    }

    #[test]
    fn authorizer_rules() {
        let custom = vec![("authorization", Value::from("CUSTOM"))];
        assert_eq!(errors_for(custom), vec!["authorizer_id"]);
        let stray = vec![("authorizer_id", Value::from("a1"))];
        assert_eq!(errors_for(stray), vec!["authorizer_id"]);
        let scopes = vec![("authorization_scopes", Value::List(vec!["s".into()]))];
        assert_eq!(errors_for(scopes), vec!["authorization_scopes"]);
        let cognito = |id: &str, scope: &str| {
            vec![
                ("authorization", Value::from("COGNITO_USER_POOLS")),
                ("authorizer_id", Value::from(id)),
                ("authorization_scopes", Value::List(vec![scope.into()])),
            ]
        };
        assert!(errors_for(cognito("abc123", "email")).is_empty());
        assert_eq!(errors_for(cognito("", "email")), vec!["authorizer_id"]);
        assert_eq!(errors_for(cognito("abc123", " ")), vec!["authorization_scopes"]);
    }

    #[test]
    fn unknown_values_are_accepted_until_known() {
        let unknown = vec![
            ("function_name", Value::Unknown),
            ("authorization", Value::Unknown),
            ("timeout_milliseconds", Value::Unknown),
        ];
        assert!(errors_for(unknown).is_empty());
    }

    #[test]
    fn no_template_with_passthrough_never_refuses_everything() {
        let empty = || ("request_templates", Value::Map(Default::default()));
        assert_eq!(errors_for(vec![empty()]), vec!["request_templates"]);
        let forwarded = vec![empty(), ("passthrough_behavior", Value::from("WHEN_NO_TEMPLATES"))];
        assert!(errors_for(forwarded).is_empty());
    }

    #[test]
    fn qualifier_twice_is_a_conflict() {
        let both = vec![("function_name", Value::from("f:live")), ("qualifier", Value::from("7"))];
        assert_eq!(errors_for(both), vec!["qualifier"]);
    }

    #[test]
    fn templates_with_balanced_directives_pass() {
        assert_eq!(template("#foreach($k in $m.keySet())\n#if($k)x#end\n#end"), Ok(()));
        assert_eq!(template("## a comment with #if\n{}"), Ok(()));
        assert!(template("#end").is_err());
    }
}
