//! Plan-time checks of an `async_lambda_route` configuration, each naming
//! its attribute; nothing here calls AWS.

use super::attr::*;
use super::model::Authorization;
use crate::aws::validate::{self, Checker, is_api_id};
use crate::plugin::{AttributePath, Diagnostics, Value};

/// The methods a route key may name (HTTP APIs' "Working with routes").
const METHODS: [&str; 8] = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// The answer travels in a request header, within HTTP APIs' 10 KB limit
/// on a request's headers; these keep it a small part of that.
const MAX_BODY_BYTES: usize = 1024;
const MAX_HEADERS_BYTES: usize = 1024;

pub fn validate(config: &Value) -> Diagnostics {
    let mut check = Checker::new(config);
    check.check_string(API_ID, api_id);
    check.check_string(ROUTE_KEY, route_key);
    validate::check_function_target(&mut check);
    check.check_one_of(AUTHORIZATION_TYPE, Authorization::NAMES);
    check.check_string(AUTHORIZER_ID, |v| id("authorizer", "aws_apigatewayv2_authorizer", v));
    check.check_range(RESPONSE_STATUS_CODE, 200, 299);
    check_authorization(&mut check, config);
    check_headers(&mut check, config);
    if let Some(body) = check.string(RESPONSE_BODY)
        && body.len() > MAX_BODY_BYTES
    {
        check.error(
            AttributePath::root(RESPONSE_BODY),
            "Invalid response_body",
            format!(
                "The body is {} bytes; at most {MAX_BODY_BYTES} are allowed, since the route's \
                 answer travels with every request. Answer with a short acknowledgement.",
                body.len()
            ),
        );
    }
    check.diagnostics
}

/// An HTTP API's id.
pub fn api_id(value: &str) -> Result<(), String> {
    id("API", "aws_apigatewayv2_api", value)
}

fn id(what: &str, resource: &str, value: &str) -> Result<(), String> {
    if is_api_id(value) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not an API Gateway {what} id: expected letters and digits, such as \
             \"a1b2c3d4e5\" (use the .id of an {resource})."
        ))
    }
}

/// `$default`, or `METHOD /path` with `{param}` segments and a greedy
/// `{param+}` only last.
pub fn route_key(key: &str) -> Result<(), String> {
    if key == "$default" {
        return Ok(());
    }
    let example = "Expected \"METHOD /path\", e.g. \"POST /hooks/{source}\", or \"$default\".";
    let Some((method, path)) = key.split_once(' ') else {
        return Err(format!("{key:?} is not a route key. {example}"));
    };
    if !METHODS.contains(&method) {
        return Err(format!(
            "{key:?}: {method:?} is not a method a route can have ({}). {example}",
            METHODS.join(", ")
        ));
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("{key:?}: the path must start with /. {example}"));
    };
    if rest.is_empty() {
        return Ok(());
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let problem = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let (name, greedy) = name.strip_suffix('+').map_or((name, false), |n| (n, true));
                if greedy && i + 1 != segments.len() {
                    Some(format!("the greedy parameter {segment} must be the last segment"))
                } else if name.is_empty()
                    || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    Some(format!("{segment} is not a path parameter such as {{source}}"))
                } else {
                    None
                }
            }
            None if segment.is_empty() => Some("the path has an empty segment (//)".into()),
            None if segment.contains(['{', '}', ' ', '?', '#']) => {
                Some(format!("the segment {segment:?} has a character a path cannot have"))
            }
            None => None,
        };
        if let Some(problem) = problem {
            return Err(format!("{key:?}: {problem}. {example}"));
        }
    }
    Ok(())
}

fn check_authorization(check: &mut Checker<'_>, config: &Value) {
    let authorization = match config.get(AUTHORIZATION_TYPE) {
        Value::Null => Some(Authorization::None),
        other => other.as_str().and_then(Authorization::parse),
    };
    let Some(authorization) = authorization else { return };
    let authorizer = config.get(AUTHORIZER_ID);
    if authorization.needs_authorizer() && authorizer.is_null() {
        check.error(
            AttributePath::root(AUTHORIZER_ID),
            "Missing authorizer_id",
            format!("authorization_type = \"{authorization}\" needs authorizer_id: the id of the API's authorizer."),
        );
    }
    if !authorization.needs_authorizer() && authorizer.is_present() {
        check.error(
            AttributePath::root(AUTHORIZER_ID),
            "Unused authorizer_id",
            format!(
                "authorization_type = \"{authorization}\" runs no authorizer; remove \
                 authorizer_id, or set authorization_type to JWT or CUSTOM."
            ),
        );
    }
    if authorization != Authorization::Jwt && config.get(AUTHORIZATION_SCOPES).is_present() {
        check.error(
            AttributePath::root(AUTHORIZATION_SCOPES),
            "Unused authorization_scopes",
            "HTTP APIs check authorization_scopes only against a JWT; set authorization_type = \
             \"JWT\" or remove the scopes.",
        );
    }
}

fn check_headers(check: &mut Checker<'_>, config: &Value) {
    let Some(headers) = config.get(RESPONSE_HEADERS).as_map() else { return };
    let mut total = 0;
    for (name, value) in headers {
        let at = AttributePath::root(RESPONSE_HEADERS).key(name);
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            check.error(
                at.clone(),
                "Invalid response_headers key",
                format!(
                    "{name:?} is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)."
                ),
            );
        }
        if let Some(value) = value.as_str() {
            total += name.len() + value.len();
            if value.contains(['\r', '\n', '\0']) {
                check.error(
                    at,
                    "Invalid response_headers value",
                    "A header value cannot hold line breaks or NUL.",
                );
            }
        }
    }
    if total > MAX_HEADERS_BYTES {
        check.error(
            AttributePath::root(RESPONSE_HEADERS),
            "Invalid response_headers",
            format!("The headers take {total} bytes; at most {MAX_HEADERS_BYTES} are allowed."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_for(extra: Vec<(&str, Value)>) -> Vec<String> {
        let mut attrs = vec![
            (API_ID, Value::from("a1b2c3")),
            (ROUTE_KEY, Value::from("POST /hooks/{source}")),
            (FUNCTION_NAME, Value::from("worker")),
        ];
        for (name, value) in extra {
            attrs.retain(|(n, _)| *n != name);
            attrs.push((name, value));
        }
        validate(&Value::object(attrs))
            .into_iter()
            .map(|d| d.attribute.map(|a| a.to_string()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_minimal_configuration_is_valid() {
        assert_eq!(errors_for(vec![]), Vec::<String>::new());
    }

    #[test]
    fn route_keys() {
        for ok in ["$default", "GET /", "ANY /{proxy+}", "POST /hooks/{source}", "DELETE /a/b-c.d"]
        {
            assert_eq!(route_key(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "POST",
            "post /x",
            "FETCH /x",
            "GET x",
            "GET /a//b",
            "GET /{a+}/b",
            "GET /{}",
            "GET /a b",
            "$DEFAULT",
        ] {
            assert!(route_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_bad_value_names_its_attribute() {
        let cases: Vec<(&str, Value)> = vec![
            (API_ID, Value::from("not an id")),
            (ROUTE_KEY, Value::from("POST hooks")),
            (FUNCTION_NAME, Value::from("arn:aws:s3:::bucket")),
            (QUALIFIER, Value::from("a b")),
            (AUTHORIZATION_TYPE, Value::from("COGNITO_USER_POOLS")),
            (RESPONSE_STATUS_CODE, Value::from(500)),
            (RESPONSE_BODY, Value::from("x".repeat(MAX_BODY_BYTES + 1))),
        ];
        for (name, value) in cases {
            assert_eq!(errors_for(vec![(name, value)]), vec![name.to_string()], "{name}");
        }
        let header = Value::object([("bad name", Value::from("v"))]);
        assert_eq!(
            errors_for(vec![(RESPONSE_HEADERS, header)]),
            vec!["response_headers[\"bad name\"]"]
        );
    }

    #[test]
    fn authorizer_rules() {
        let jwt = (AUTHORIZATION_TYPE, Value::from("JWT"));
        assert_eq!(errors_for(vec![jwt.clone()]), vec![AUTHORIZER_ID]);
        let authorizer = (AUTHORIZER_ID, Value::from("au1"));
        assert!(errors_for(vec![jwt.clone(), authorizer.clone()]).is_empty());
        assert_eq!(
            errors_for(vec![authorizer.clone()]),
            vec![AUTHORIZER_ID],
            "NONE has no authorizer"
        );
        let scopes = (AUTHORIZATION_SCOPES, Value::List(vec![Value::from("read")]));
        assert!(errors_for(vec![jwt, authorizer.clone(), scopes.clone()]).is_empty());
        let custom = (AUTHORIZATION_TYPE, Value::from("CUSTOM"));
        assert_eq!(errors_for(vec![custom, authorizer, scopes]), vec![AUTHORIZATION_SCOPES]);
    }

    #[test]
    fn unknown_values_are_accepted_until_known() {
        for name in [
            API_ID,
            ROUTE_KEY,
            FUNCTION_NAME,
            AUTHORIZATION_TYPE,
            RESPONSE_STATUS_CODE,
            RESPONSE_BODY,
            RESPONSE_HEADERS,
        ] {
            assert!(errors_for(vec![(name, Value::Unknown)]).is_empty(), "{name}");
        }
    }
}
