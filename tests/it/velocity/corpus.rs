//! The cases: requests as clients (and authorizers) send them, hand-picked
//! hostile values in every place a client controls, edge cases of empty
//! payloads, and the integration responses Lambda's answers make.

use serde_json::{Value as Json, json};

/// Name-value pairs in the order they are sent.
pub(super) type Pairs = Vec<(String, String)>;

/// One request through the request template.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub(super) label: String,
    pub(super) headers: Pairs,
    pub(super) query: Pairs,
    pub(super) path: Pairs,
    /// `None`: the stage has no stage variables and `$stageVariables` is undefined.
    pub(super) stage_variables: Option<Pairs>,
    /// `$context`, as nested objects (no `responseOverride`/`requestOverride`:
    /// the renderer adds those).
    pub(super) context: Json,
    pub(super) body: Vec<u8>,
}

/// One integration response through the response template.
#[derive(Debug, Clone)]
pub(super) struct Response {
    pub(super) label: String,
    pub(super) request_id: String,
    /// Lambda's answer: empty when it queued the event, else its error.
    pub(super) body: Vec<u8>,
    /// An empty body reads as "" (not `{}`) in `$input.body`.
    pub(super) empty_as_empty: bool,
    pub(super) refused: bool,
}

/// Pairs with distinct names (`fold`: names that differ only in case are one name).
pub(super) fn distinct(pairs: Pairs, fold: bool) -> Pairs {
    let mut seen = std::collections::HashSet::new();
    pairs
        .into_iter()
        .filter(|(k, _)| seen.insert(if fold { k.to_ascii_lowercase() } else { k.clone() }))
        .collect()
}

pub(super) const IDENTITY_OTHERS: [&str; 12] = [
    "caller",
    "user",
    "userArn",
    "accountId",
    "accessKey",
    "apiKey",
    "apiKeyId",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "principalOrgId",
];

#[derive(Debug, Clone)]
pub(super) struct Authorizer {
    pub(super) principal_id: Option<String>,
    pub(super) context: Pairs,
    pub(super) claims: Pairs,
}

fn pairs_object(pairs: &Pairs) -> Json {
    Json::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn authorizer_json(authorizer: &Authorizer) -> Json {
    let mut object = pairs_object(&authorizer.context);
    if let Some(principal_id) = &authorizer.principal_id {
        object["principalId"] = json!(principal_id);
    }
    object["claims"] = pairs_object(&authorizer.claims);
    object
}

/// The `$context` of a request: `stage` and `path` as given, the rest
/// filled in as API Gateway would (or, for client-controlled values, hostile).
#[allow(clippy::too_many_arguments)]
pub(super) fn context(
    request_id: &str,
    stage: &str,
    path: &str,
    method: &str,
    resource_path: &str,
    epoch: i64,
    source_ip: &str,
    user_agent: &str,
    identity_others: &[Option<String>],
    authorizer: Option<&Authorizer>,
) -> Json {
    let mut identity = json!({"sourceIp": source_ip, "userAgent": user_agent});
    for (name, value) in IDENTITY_OTHERS.iter().zip(identity_others) {
        identity[*name] = json!(value);
    }
    let mut context = json!({
        "requestId": request_id,
        "extendedRequestId": "Xk9yEGw2IAMF3Ng=",
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "stage": stage,
        "resourceId": "r2d2c3",
        "resourcePath": resource_path,
        "path": path,
        "httpMethod": method,
        "protocol": "HTTP/1.1",
        "requestTime": "01/Dec/2025:21:33:00 +0000",
        "requestTimeEpoch": epoch,
        "domainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
        "domainPrefix": "a1b2c3d4e5",
        "deploymentId": "dep123",
        "identity": identity,
    });
    if let Some(authorizer) = authorizer {
        context["authorizer"] = authorizer_json(authorizer);
    }
    context
}

/// The Content-Types the default request template is selected for (none:
/// API Gateway takes the request as application/json).
const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    Some("text/plain; charset=UTF-8"),
    Some("application/x-www-form-urlencoded"),
];

/// Adds Content-Type and Content-Length headers as a client would: the
/// payload's length when there is one; for an empty payload either none or
/// `Content-Length: 0`. `variant` picks the spelling and the position.
pub(super) fn with_entity_headers(mut headers: Pairs, body: &[u8], variant: u8) -> Pairs {
    let content_type = CONTENT_TYPES[usize::from(variant >> 3) % CONTENT_TYPES.len()];
    let lower = variant & 1 == 1;
    let mut add = |name: &str, value: String| {
        let header = (if lower { name.to_ascii_lowercase() } else { name.to_owned() }, value);
        if variant & 4 == 0 { headers.push(header) } else { headers.insert(0, header) }
    };
    if let Some(content_type) = content_type {
        add("Content-Type", content_type.to_owned());
    }
    if !body.is_empty() || variant & 2 == 2 {
        add("Content-Length", body.len().to_string());
    }
    headers
}

pub(super) fn content_length(headers: &Pairs) -> Option<&str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.as_str())
}

pub(super) fn content_type(headers: &Pairs) -> Option<&str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str())
}

/// Hand-picked values, each sent in every place a client (or an authorizer)
/// controls.
fn hostile_values() -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = [
        "'",
        "\"",
        "\\",
        "\\'",
        "\\\\'",
        "\\\"",
        "it's \"quoted\"",
        "$",
        "$foo",
        "$!foo",
        "${foo}",
        "$context.requestId",
        "$util.escapeJavaScript('x')",
        "#set(",
        "#set($v = \"x\")",
        "#if",
        "#if(true)yes#end",
        "#end",
        "#else",
        "##",
        "## not a comment",
        "#*",
        "*#",
        "#[[raw]]#",
        "{",
        "}",
        "{}",
        "[]",
        "null",
        "true",
        "</script>",
        "<!--",
        "\u{2028}",
        "\u{2029}",
        "a\u{2028}b\u{2029}c",
        "😀",
        "👍🏽🏳️‍🌈",
        "漢字かな한글",
        "\u{feff}",
        "\u{fffd}",
        "\u{202e}",
        "",
        " ",
        "  padded  ",
        "\\u0041",
        "%41%",
    ]
    .iter()
    .map(|v| (format!("{v:?}"), (*v).to_owned()))
    .collect();
    let controls: String = (0u8..0x20).chain([0x7f]).map(char::from).collect();
    values.push(("all control characters".to_owned(), controls));
    for c in (0u8..0x20).chain([0x7f]) {
        values.push((format!("U+{c:04X}"), format!("a{}b", char::from(c))));
    }
    values.push(("100000 characters".to_owned(), "x".repeat(100_000)));
    values.push(("long hostile".to_owned(), "\\'\"$#{}\u{2028}😀".repeat(4000)));
    values
}

fn is_header_value(value: &str) -> bool {
    value.bytes().all(|b| (b' '..=b'~').contains(&b)) && value.trim() == value
}

fn is_header_name(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub(super) fn hostile_requests() -> Vec<Request> {
    let mut requests = Vec::new();
    for (i, (label, value)) in hostile_values().into_iter().enumerate() {
        let ascii = if is_header_value(&value) { value.clone() } else { "plain".to_owned() };
        let mut headers = vec![("X-Hostile".to_owned(), ascii.clone())];
        if is_header_name(&value) && !value.eq_ignore_ascii_case("x-hostile") {
            headers.push((value.clone(), "named".to_owned()));
        }
        let mut query = vec![(value.clone(), value.clone())];
        if value != "q" {
            query.push(("q".to_owned(), value.clone()));
        }
        let authorizer = Authorizer {
            principal_id: Some(value.clone()),
            context: vec![("key".to_owned(), value.clone())],
            claims: vec![("email".to_owned(), value.clone())],
        };
        let body = value.clone().into_bytes();
        requests.push(Request {
            label: format!("hostile {label}"),
            headers: with_entity_headers(headers, &body, i as u8),
            query,
            path: vec![("id".to_owned(), value.clone())],
            stage_variables: Some(vec![("v".to_owned(), value.clone())]),
            context: context(
                &value,
                "prod",
                &format!("/prod/items/{value}"),
                "POST",
                "/items/{id}",
                1_764_624_780_000,
                &value,
                &ascii,
                &vec![Some(value.clone()); IDENTITY_OTHERS.len()],
                Some(&authorizer),
            ),
            body,
        });
    }
    requests
}

/// Requests with nothing in them, and empty versus literal `{}` payloads.
pub(super) fn edge_requests() -> Vec<Request> {
    let none = vec![None; IDENTITY_OTHERS.len()];
    let bare = |label: &str, method: &str, headers: &[(&str, &str)], body: &[u8]| Request {
        label: label.to_owned(),
        headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        query: Vec::new(),
        path: Vec::new(),
        stage_variables: None,
        context: context(
            "c0ffee00-0000-4000-8000-000000000000",
            "prod",
            "/prod/jobs",
            method,
            "/jobs",
            1_764_624_780_000,
            "203.0.113.7",
            "",
            &none,
            None,
        ),
        body: body.to_vec(),
    };
    let json = ("Content-Type", "application/json");
    let text = ("Content-Type", "text/plain");
    let mut requests = vec![
        bare("empty: no headers at all", "POST", &[], b""),
        bare("empty GET, no headers", "GET", &[], b""),
        bare("empty JSON POST, no Content-Length", "POST", &[json], b""),
        bare("empty JSON POST, Content-Length: 0", "POST", &[json, ("Content-Length", "0")], b""),
        bare("empty text POST, Content-Length: 0", "POST", &[text, ("Content-Length", "0")], b""),
        bare("literal {}, JSON POST", "POST", &[json, ("Content-Length", "2")], b"{}"),
        bare("literal {}, text POST", "POST", &[text, ("Content-Length", "2")], b"{}"),
        bare("literal {}, no Content-Type", "PUT", &[("Content-Length", "2")], b"{}"),
        bare("payload of one space", "POST", &[text, ("Content-Length", "1")], b" "),
    ];
    let mut empty_stage_variables = bare("empty stage variables", "POST", &[], b"");
    empty_stage_variables.stage_variables = Some(Vec::new());
    requests.push(empty_stage_variables);
    requests
}

pub(super) fn responses() -> Vec<Response> {
    let errors: [&[u8]; 6] = [
        br#"{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:123456789012:function:f"}"#,
        br#"{"Type":"User","message":"The operation cannot be performed at this time. The function is currently in the following state: Failed"}"#,
        br#"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#,
        br#"{"message":"it's \"bad\" $foo #set( \\' \u2028"}"#,
        b"Internal Server Error",
        b"{\"message\":\"\xe2\x80\xa8\"}",
    ];
    let mut responses = Vec::new();
    for (label, request_id) in
        std::iter::once(("uuid".to_owned(), "c0ffee00-1234".to_owned())).chain(hostile_values())
    {
        let mut add = |what: &str, body: &[u8], empty_as_empty: bool, refused: bool| {
            responses.push(Response {
                label: format!("{what}, requestId {label}"),
                request_id: request_id.clone(),
                body: body.to_vec(),
                empty_as_empty,
                refused,
            })
        };
        add("queued, body \"\"", b"", true, false);
        add("queued, empty body read as {}", b"", false, false);
        add("queued, body {}", b"{}", false, false);
        for (i, error) in errors.iter().enumerate() {
            add(&format!("Lambda error {i}"), error, false, true);
        }
    }
    responses
}
