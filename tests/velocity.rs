//! The default mapping templates rendered by Apache Velocity 1.7, the engine
//! API Gateway runs, rather than LocalStack's Python port of it: over a corpus
//! of hostile headers, query strings, path parameters, stage variables,
//! context values and bodies, every rendering must be valid JSON carrying
//! exactly the values sent.
//!
//! tests/velocity/RenderTemplates.java emulates what API Gateway documents
//! for mapping templates ($input, $util, $context, $stageVariables) and
//! renders every case in one JVM run. Java and the jars come from
//! `scripts/install-tools.sh velocity`, so these are acceptance tests:
//! ignored unless asked for, as `make test` does, and failing without them.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value as Json, json};
use support::terraform::repo_root;
use terraform_provider_async::aws::resources::lambda_endpoint::templates::{
    default_request_template, default_response_template,
};

const RANDOM_CASES: usize = 400;
const JARS: [&str; 3] =
    ["velocity-1.7.jar", "commons-lang-2.6.jar", "commons-collections-3.2.2.jar"];

// --- the corpus ---------------------------------------------------------------

/// Name-value pairs in the order they are sent.
type Pairs = Vec<(String, String)>;

/// One request through the request template.
#[derive(Debug, Clone)]
struct Request {
    label: String,
    headers: Pairs,
    query: Pairs,
    path: Pairs,
    /// `None`: the stage has no stage variables and `$stageVariables` is undefined.
    stage_variables: Option<Pairs>,
    /// `$context`, as nested objects (no `responseOverride`/`requestOverride`:
    /// the renderer adds those).
    context: Json,
    body: Vec<u8>,
}

/// One integration response through the response template.
#[derive(Debug, Clone)]
struct Response {
    label: String,
    request_id: String,
    /// Lambda's answer: empty when it queued the event, else its error.
    body: Vec<u8>,
    /// An empty body reads as "" (not `{}`) in `$input.body`.
    empty_as_empty: bool,
    refused: bool,
}

/// Everything VTL or JSON treats specially, and text that breaks naive escaping.
const SNIPPETS: &[&str] = &[
    "$",
    "$foo",
    "$!foo",
    "${foo}",
    "$!{foo}",
    "$context.requestId",
    "$input.body",
    "#set(",
    "#set($x = 1)",
    "#if",
    "#if(true)",
    "#else",
    "#end",
    "#foreach",
    "#{end}",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "\\",
    "\\\\",
    "\\'",
    "'",
    "\"",
    "\"\"",
    "''",
    "{",
    "}",
    "{}",
    "[",
    "]",
    ":",
    ",",
    "</script>",
    "<!--",
    "\u{2028}",
    "\u{2029}",
    "\u{0}",
    "\u{7f}",
    "\u{1b}",
    "\r\n",
    "%",
    "%25",
    "&",
    "=",
    "+",
    "\\u0041",
    "\\n",
    "null",
    "😀",
    "👍🏽",
    "漢字",
    "\u{feff}",
    "\u{202e}",
];

/// Any Unicode text (control characters included), with VTL and JSON
/// syntax mixed in more often than chance would have it.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>().prop_map(String::from),
            1 => prop::sample::select(SNIPPETS).prop_map(str::to_owned),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

/// Header values: printable ASCII (what HTTP allows), trimmed as HTTP does.
fn header_value() -> impl Strategy<Value = String> {
    let ascii: Vec<&str> = SNIPPETS
        .iter()
        .copied()
        .filter(|s| s.bytes().all(|b| (b' '..=b'~').contains(&b)))
        .collect();
    prop_oneof![
        3 => "[ -~]{0,40}",
        1 => prop::collection::vec(prop::sample::select(ascii), 0..8).prop_map(|p| p.concat()),
    ]
    .prop_map(|v| v.trim().to_owned())
}

/// Header names: HTTP tokens, `$`, `#`, `'` and `` ` `` among them.
fn header_name() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}"
}

/// Pairs with distinct names (`fold`: names that differ only in case are one name).
fn distinct(pairs: Pairs, fold: bool) -> Pairs {
    let mut seen = std::collections::HashSet::new();
    pairs
        .into_iter()
        .filter(|(k, _)| seen.insert(if fold { k.to_ascii_lowercase() } else { k.clone() }))
        .collect()
}

const IDENTITY_OTHERS: [&str; 12] = [
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
struct Authorizer {
    principal_id: Option<String>,
    context: Pairs,
    claims: Pairs,
}

fn authorizer() -> impl Strategy<Value = Option<Authorizer>> {
    prop::option::of(
        (
            prop::option::of(text(20)),
            prop::collection::vec(("[A-Za-z][A-Za-z0-9_]{0,10}", text(20)), 0..4),
            prop::collection::vec(("[a-z][a-z:_]{0,12}", text(20)), 0..4),
        )
            .prop_map(|(principal_id, context, claims)| Authorizer {
                principal_id,
                context: distinct(context, false)
                    .into_iter()
                    .filter(|(k, _)| k != "principalId" && k != "claims")
                    .collect(),
                claims: distinct(claims, false),
            }),
    )
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
fn context(
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
fn with_entity_headers(mut headers: Pairs, body: &[u8], variant: u8) -> Pairs {
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

fn content_length(headers: &Pairs) -> Option<&str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.as_str())
}

fn content_type(headers: &Pairs) -> Option<&str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str())
}

fn random_request() -> impl Strategy<Value = Request> {
    let maps = (
        prop::collection::vec((header_name(), header_value()), 0..8),
        prop::collection::vec((text(12), text(30)), 0..6),
        prop::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,10}", text(20)), 0..3),
        prop::option::of(prop::collection::vec(("[A-Za-z0-9_]{1,16}", text(20)), 0..4)),
    );
    let request = (
        prop_oneof!["[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text(20)],
        "[A-Za-z0-9_-]{1,16}",
        (any::<bool>(), text(30)),
        prop::sample::select(vec!["POST", "PUT", "GET", "PATCH", "DELETE"]),
        prop::sample::select(vec!["/", "/jobs", "/items/{id}", "/{proxy+}", "/a/{b}/c"]),
        0..4_102_444_800_000i64,
    );
    let client = (
        prop_oneof![
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "[0-9a-f:]{2,39}",
            text(20)
        ],
        header_value(),
        prop::collection::vec(prop::option::of(text(16)), IDENTITY_OTHERS.len()),
        authorizer(),
    );
    let body = (
        prop_oneof![
            1 => Just(Vec::new()),
            1 => Just(b"{}".to_vec()),
            8 => text(200).prop_map(String::into_bytes),
            2 => (text(20), text(20))
                .prop_map(|(k, v)| json!({k: v, "n": [1, null]}).to_string().into_bytes()),
        ],
        any::<u8>(),
    );
    (maps, request, client, body).prop_map(
        |(
            (headers, query, path, stage_variables),
            (request_id, stage, (prefixed, rest), method, resource_path, epoch),
            (source_ip, user_agent, identity_others, authorizer),
            (body, variant),
        )| {
            let headers: Pairs = distinct(headers, true)
                .into_iter()
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("content-length")
                        && !k.eq_ignore_ascii_case("content-type")
                })
                .collect();
            let path_value = if prefixed { format!("/{stage}/{rest}") } else { format!("/{rest}") };
            Request {
                label: String::new(),
                headers: with_entity_headers(headers, &body, variant),
                query: distinct(query, false),
                path: distinct(path, false),
                stage_variables: stage_variables.map(|s| distinct(s, false)),
                context: context(
                    &request_id,
                    &stage,
                    &path_value,
                    method,
                    resource_path,
                    epoch,
                    &source_ip,
                    &user_agent,
                    &identity_others,
                    authorizer.as_ref(),
                ),
                body,
            }
        },
    )
}

/// `count` requests from a fixed seed: the same on every run, so a failure
/// is reproducible.
fn random_requests(count: usize) -> Vec<Request> {
    let config = Config { failure_persistence: None, ..Config::default() };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = random_request();
    (0..count)
        .map(|i| {
            let mut request = strategy.new_tree(&mut runner).unwrap().current();
            request.label = format!("random {i}");
            request
        })
        .collect()
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

fn hostile_requests() -> Vec<Request> {
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
fn edge_requests() -> Vec<Request> {
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

fn responses() -> Vec<Response> {
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

// --- rendering --------------------------------------------------------------

struct Rendered {
    output: Option<String>,
    status: Json,
    error: Option<String>,
}

struct Corpus {
    requests: Vec<Request>,
    responses: Vec<Response>,
    rendered: HashMap<String, Rendered>,
}

fn pairs_json(pairs: &Pairs) -> Json {
    pairs.iter().map(|(k, v)| json!([k, v])).collect()
}

/// The classpath of the jars in .tools/velocity, installing them (and
/// checking Java) once per process.
fn velocity_classpath() -> String {
    support::terraform::ensure_installed("velocity");
    let root = repo_root();
    let jars: Vec<PathBuf> = JARS.iter().map(|j| root.join(".tools/velocity").join(j)).collect();
    if let Some(missing) = jars.iter().find(|j| !j.is_file()) {
        panic!("{} is missing after scripts/install-tools.sh velocity", missing.display());
    }
    match Command::new("java").arg("-version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            panic!("java -version failed ({}): {}", out.status, stderr.trim());
        }
        Err(e) => panic!("no java on PATH ({e}): scripts/install-tools.sh velocity installs one"),
    }
    jars.iter().map(|j| j.display().to_string()).collect::<Vec<_>>().join(":")
}

/// Renders the whole corpus in one JVM run, once per process.
fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| render(&velocity_classpath()))
}

fn render(classpath: &str) -> Corpus {
    let mut requests = random_requests(RANDOM_CASES);
    requests.extend(hostile_requests());
    requests.extend(edge_requests());
    let responses = responses();

    let mut input = tempfile::NamedTempFile::new().unwrap();
    let mut line = |value: Json| writeln!(input, "{value}").unwrap();
    line(json!({"template": "request", "text": default_request_template()}));
    line(json!({"template": "response", "text": default_response_template()}));
    line(json!({"template": "probe", "text": PROBE_TEMPLATE}));
    line(json!({
        "id": "probe",
        "template": "probe",
        "headers": [["X-H", "hv"], ["B", "2"]],
        "query": [["q", "x y"], ["id", "from the query"]],
        "path": [["id", "7"]],
        "stageVariables": [["v", "sv"]],
        "context": {"identity": {"sourceIp": "203.0.113.7"}, "authorizer": {"claims": {"e": "m"}}},
        "body": BASE64.encode(br#"{"a": [1, {"b": "c"}]}"#),
    }));
    for (i, r) in requests.iter().enumerate() {
        line(json!({
            "id": format!("request {i}"),
            "template": "request",
            "headers": pairs_json(&r.headers),
            "query": pairs_json(&r.query),
            "path": pairs_json(&r.path),
            "stageVariables": r.stage_variables.as_ref().map(pairs_json),
            "context": r.context,
            "body": BASE64.encode(&r.body),
        }));
    }
    for (i, r) in responses.iter().enumerate() {
        let (ip, agent) = ("203.0.113.7", "curl/8.5.0");
        let context =
            context(&r.request_id, "prod", "/prod/jobs", "POST", "/jobs", 0, ip, agent, &[], None);
        line(json!({
            "id": format!("response {i}"),
            "template": "response",
            "headers": [["Content-Type", "application/json"]],
            "query": [],
            "path": [],
            "stageVariables": null,
            "context": context,
            "body": BASE64.encode(&r.body),
            "emptyBodyAsEmpty": r.empty_as_empty,
        }));
    }
    input.flush().unwrap();

    let started = Instant::now();
    let output = Command::new("java")
        .current_dir(repo_root())
        .args(["-cp", classpath, "tests/velocity/RenderTemplates.java"])
        .arg(input.path())
        .output()
        .expect("run java");
    assert!(
        output.status.success(),
        "tests/velocity/RenderTemplates.java failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the renderer writes ASCII");
    let mut rendered = HashMap::new();
    for line in stdout.lines() {
        let result: Json = serde_json::from_str(line).expect("the renderer writes JSON lines");
        let output = result["output"].as_str().map(|b64| {
            String::from_utf8(BASE64.decode(b64).unwrap()).expect("the rendering is UTF-8")
        });
        let id = result["id"].as_str().unwrap().to_owned();
        let error = result["error"].as_str().map(str::to_owned);
        rendered.insert(id, Rendered { output, status: result["status"].clone(), error });
    }
    assert_eq!(rendered.len(), requests.len() + responses.len() + 1, "one rendering per case");
    eprintln!(
        "rendered {} request and {} response cases with Velocity 1.7 in {:.1?} (one JVM run)",
        requests.len(),
        responses.len(),
        started.elapsed()
    );
    Corpus { requests, responses, rendered }
}

/// Exercises the emulated variables themselves (see `the_emulation_renders_as_documented`).
/// (Velocity 1.7 drops the line break after the `#end` that ends the `#foreach` line.)
const PROBE_TEMPLATE: &str = r#"$util.escapeJavaScript("it's ""q"" \ / é 😀")
$util.escapeJavaScript("it's").replaceAll("\\'","'")
$util.base64Encode("é") $util.base64Decode("w6k=")
$util.urlEncode("a b&é") $util.urlDecode("a+b%26%C3%A9")
$input.params('id')|$input.params('q')|$input.params('X-H')|$input.params('x-h')|$input.params('nope')|
#foreach($k in $input.params().header.keySet())$k=$input.params().header.get($k)#if($foreach.hasNext),#end#end
$input.json('$') $input.json('$.a[1]') $input.json('$.a[1].b') $input.path('$').a.size() $input.path('$.a[1].b')
$util.parseJson('{"k": [1, "v"]}').k.get(1)
$stageVariables.v $context.identity.sourceIp $context.authorizer.claims.e
#set($context.responseOverride.header.X = "y")$context.responseOverride.header.X#set($context.responseOverride.status = 418)"#;

const PROBE_EXPECTED: &str = r#"it\'s \"q\" \\ \/ \u00E9 \uD83D\uDE00
it's
w6k= é
a+b%26%C3%A9 a b&é
7|x y|hv|hv||
X-H=hv,B=2{"a":[1,{"b":"c"}]} {"b":"c"} "c" 2 c
v
sv 203.0.113.7 m
y"#;

// --- checks -----------------------------------------------------------------

/// Collects what is wrong, so one run reports every broken case.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    /// Fails with the first few, if any, for `cases` (e.g. "488 request cases").
    fn assert_none(self, cases: &str) {
        let shown: Vec<&str> = self.0.iter().take(12).map(String::as_str).collect();
        assert!(
            self.0.is_empty(),
            "{} failed checks in {cases}; the first ones:\n\n{}",
            self.0.len(),
            shown.join("\n\n")
        );
    }
}

/// A value for a message: long ones shortened.
fn show(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    if text.chars().count() <= 300 {
        return text;
    }
    let head: String = text.chars().take(300).collect();
    format!("{head}... ({} characters)", text.chars().count())
}

/// The rendering of case `id` as JSON, or why there is none.
fn event(corpus: &Corpus, id: &str) -> Result<Json, String> {
    let rendered = &corpus.rendered[id];
    if let Some(error) = &rendered.error {
        return Err(format!("Velocity failed: {error}"));
    }
    let text = rendered.output.as_deref().unwrap();
    match serde_json::from_str::<Json>(text) {
        Ok(json) if json.is_object() => Ok(json),
        Ok(json) => Err(format!("not a JSON object: {}", show(&json))),
        Err(e) => Err(format!("not valid JSON ({e}):\n{}", show(&text))),
    }
}

/// The object a map should arrive as. An empty map may render as `{}` or
/// `null` (API Gateway's own proxy events have `null`); both are accepted.
fn map_matches(got: &Json, sent: &Pairs, multi: bool) -> bool {
    let expected: BTreeMap<&str, Json> =
        sent.iter().map(|(k, v)| (k.as_str(), if multi { json!([v]) } else { json!(v) })).collect();
    if expected.is_empty() {
        return got.is_null() || got.as_object().is_some_and(|o| o.is_empty());
    }
    got.as_object().is_some_and(|o| {
        o.len() == expected.len() && o.iter().all(|(k, v)| expected.get(k.as_str()) == Some(v))
    })
}

/// Null, `""`, or a map of nothing but those: what VTL cannot tell apart
/// (`$!x` renders null as `""`), and what a proxy event may give as null.
fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

/// Whether a `$context` value arrived. Null and `""` may arrive as either,
/// an empty map as `{}` or null; maps are compared on the keys that arrived
/// (keys the template adds, or leaves out, are not this function's business).
fn context_matches(sent: &Json, got: &Json) -> bool {
    match (sent, got) {
        (Json::Object(s), Json::Object(g)) => {
            g.iter().all(|(k, v)| s.get(k).is_none_or(|sv| context_matches(sv, v)))
        }
        (_, Json::Null) => is_empty(sent),
        (Json::Null, Json::String(g)) => g.is_empty(),
        _ => sent == got,
    }
}

fn lookup<'a>(value: &'a Json, dotted: &str) -> Option<&'a Json> {
    dotted.split('.').try_fold(value, |v, key| v.as_object()?.get(key))
}

/// The `$context` values the event must carry (whatever else it adds).
const REQUIRED_CONTEXT: [&str; 14] = [
    "requestId",
    "extendedRequestId",
    "accountId",
    "apiId",
    "stage",
    "resourceId",
    "resourcePath",
    "path",
    "httpMethod",
    "protocol",
    "requestTimeEpoch",
    "identity.sourceIp",
    "identity.userAgent",
    "authorizer.principalId",
];

/// What the event's path may be: `$context.path` without the stage prefix it
/// has on the default endpoint, the slashes after the prefix kept or folded
/// into one (the template is free to do either).
fn proxy_paths(context: &Json) -> [String; 2] {
    let path = context["path"].as_str().unwrap();
    let prefix = format!("/{}", context["stage"].as_str().unwrap());
    match path.strip_prefix(&prefix) {
        Some(rest) if rest.starts_with('/') => {
            [rest.to_owned(), format!("/{}", rest.trim_start_matches('/'))]
        }
        Some("") => [path.to_owned(), "/".to_owned()],
        _ => [path.to_owned(), path.to_owned()],
    }
}

/// The body an event carries, as bytes.
fn body_bytes(event: &Json) -> Result<Vec<u8>, String> {
    let body = event["body"].as_str().ok_or_else(|| format!("body is {}", event["body"]))?;
    if event["isBase64Encoded"] == true {
        BASE64.decode(body).map_err(|e| format!("body is not base64 ({e}): {body:?}"))
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// Request headers API Gateway never hands templates (RenderTemplates.java's
/// DROPPED_HEADERS): a client sends them, the event cannot carry them.
const DROPPED_HEADERS: [&str; 12] = [
    "connection",
    "content-length",
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "transfer-encoding",
    "trailer",
    "upgrade",
    "www-authenticate",
];

/// The body the event carries by the README's rule ("No body, or `{}`?"):
/// API Gateway shows templates an empty payload as `{}`, so a payload read as
/// `{}` stays `{}` only in a JSON request other than GET or HEAD.
fn delivered_body(r: &Request) -> &[u8] {
    if !r.body.is_empty() && r.body != b"{}" {
        return &r.body;
    }
    let json = content_type(&r.headers)
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let method = r.context["httpMethod"].as_str().unwrap_or_default();
    if json && method != "GET" && method != "HEAD" { b"{}" } else { b"" }
}

fn check_request(failures: &mut Failures, r: &Request, event: &Json) {
    let case = || format!("{} (headers {}, query {})", r.label, show(&r.headers), show(&r.query));
    let no_stage_variables = Vec::new();
    let headers: Pairs = r
        .headers
        .iter()
        .filter(|(name, _)| !DROPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    let maps = [
        ("headers", &headers, false),
        ("multiValueHeaders", &headers, true),
        ("queryStringParameters", &r.query, false),
        ("multiValueQueryStringParameters", &r.query, true),
        ("pathParameters", &r.path, false),
        ("stageVariables", r.stage_variables.as_ref().unwrap_or(&no_stage_variables), false),
    ];
    for (field, sent, multi) in maps {
        failures.check(map_matches(&event[field], sent, multi), || {
            format!("{}: {field} is {}, sent {}", case(), show(&event[field]), show(sent))
        });
    }
    let context = &event["requestContext"];
    for path in REQUIRED_CONTEXT {
        let sent = lookup(&r.context, path).unwrap_or(&Json::Null);
        // Left out (e.g. no authorizer ran) only when there was nothing to carry.
        let arrived =
            lookup(context, path).map_or(is_empty(sent), |got| context_matches(sent, got));
        failures.check(arrived, || {
            format!(
                "{}: requestContext.{path} is {}, sent {}",
                case(),
                show(&lookup(context, path)),
                show(sent)
            )
        });
    }
    // An authorizer's context keys and a token's claims arrive exactly, as a
    // proxy integration gives them: strings, `claims` only for a token.
    if let Some(sent) = r.context.get("authorizer") {
        let mut want = sent.clone();
        let map = want.as_object_mut().unwrap();
        if map["claims"].as_object().is_some_and(|c| c.is_empty()) {
            map.remove("claims");
        }
        let want = if map.is_empty() { Json::Null } else { want };
        let got = context.get("authorizer").cloned().unwrap_or(Json::Null);
        failures.check(got == want, || {
            format!("{}: requestContext.authorizer is {}, want {}", case(), show(&got), show(&want))
        });
    }
    failures.check(context_matches(&r.context, context), || {
        format!(
            "{}: requestContext {} differs from $context {}",
            case(),
            show(context),
            show(&r.context)
        )
    });
    let paths = proxy_paths(&r.context);
    for (field, expected) in [
        ("resource", vec![r.context["resourcePath"].clone()]),
        ("httpMethod", vec![r.context["httpMethod"].clone()]),
        ("path", paths.iter().map(|p| json!(p)).collect()),
    ] {
        failures.check(expected.contains(&event[field]), || {
            format!("{}: {field} is {}, expected {}", case(), show(&event[field]), show(&expected))
        });
    }
    // Empty and literal {} payloads: see empty_and_literal_empty_payloads_follow_the_rule.
    if !r.body.is_empty() && r.body != b"{}" {
        let body = body_bytes(event);
        failures.check(body.as_ref() == Ok(&r.body), || {
            format!(
                "{}: body arrives as {}, sent {}",
                case(),
                show(&body.as_ref().map(|b| String::from_utf8_lossy(b))),
                show(&String::from_utf8_lossy(&r.body))
            )
        });
    }
}

/// The renderer's `$input`, `$util`, `$context` and `$stageVariables` do what
/// the AWS reference says (`$input.params(x)`: path, then query string, then
/// header; `escapeJavaScript` escapes `'`).
#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn the_emulation_renders_as_documented() {
    let corpus = corpus();
    let probe = &corpus.rendered["probe"];
    assert_eq!(probe.error, None);
    assert_eq!(probe.output.as_deref(), Some(PROBE_EXPECTED));
    assert_eq!(probe.status, json!(418), "$context.responseOverride.status");
}

#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn request_template_renders_valid_json_carrying_exactly_what_was_sent() {
    let corpus = corpus();
    let mut failures = Failures::default();
    for (i, r) in corpus.requests.iter().enumerate() {
        match event(corpus, &format!("request {i}")) {
            Ok(event) => check_request(&mut failures, r, &event),
            Err(why) => failures.0.push(format!("{}: {why}", r.label)),
        }
    }
    failures.assert_none(&format!("{} request cases", corpus.requests.len()));
}

/// Empty and literal `{}` payloads, sent as clients send them (a right
/// Content-Length on every non-empty payload, none or `Content-Length: 0` on
/// an empty one, which API Gateway drops), arrive as [`delivered_body`] says.
/// Failures are summed up by kind of request.
#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn empty_and_literal_empty_payloads_follow_the_rule() {
    let corpus = corpus();
    // kind of request -> (cases, failed cases, what the first failure got)
    let mut kinds: BTreeMap<String, (usize, usize, String)> = BTreeMap::new();
    for (i, r) in corpus.requests.iter().enumerate() {
        if !r.body.is_empty() && r.body != b"{}" {
            continue;
        }
        let kind = format!(
            "payload {:?}, {} with Content-Type {:?}, Content-Length {:?}",
            String::from_utf8_lossy(&r.body),
            r.context["httpMethod"].as_str().unwrap(),
            content_type(&r.headers),
            content_length(&r.headers),
        );
        let want = delivered_body(r);
        let got = match event(corpus, &format!("request {i}")) {
            Ok(event) => match body_bytes(&event) {
                Ok(body) if body == want => None,
                Ok(body) => Some(format!(
                    "body {:?}, want {:?}",
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(want)
                )),
                Err(why) => Some(why),
            },
            Err(why) => Some(why),
        };
        let entry = kinds.entry(kind).or_default();
        entry.0 += 1;
        if let Some(got) = got {
            entry.1 += 1;
            if entry.2.is_empty() {
                entry.2 = format!("{}: {got}", r.label);
            }
        }
    }
    let empty = corpus.requests.iter().filter(|r| r.body.is_empty()).count();
    let literal = corpus.requests.iter().filter(|r| r.body == b"{}").count();
    assert!(empty > 5 && literal > 5, "the corpus has both kinds: {empty} and {literal}");
    let wrong: Vec<String> = kinds
        .iter()
        .filter(|(_, (_, failed, _))| *failed > 0)
        .map(|(kind, (cases, failed, first))| format!("{kind}: {failed} of {cases} wrong, {first}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "of {empty} empty and {literal} literal {{}} payloads, these kinds arrive wrong:\n{}",
        wrong.join("\n")
    );
}

#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn response_template_answers_accepted_only_for_a_queued_event() {
    let corpus = corpus();
    let mut failures = Failures::default();
    for (i, r) in corpus.responses.iter().enumerate() {
        let id = format!("response {i}");
        let answer = match event(corpus, &id) {
            Ok(answer) => answer,
            Err(why) => {
                failures.0.push(format!("{}: {why}", r.label));
                continue;
            }
        };
        let status = &corpus.rendered[&id].status;
        failures.check(answer["accepted"] == !r.refused, || {
            format!("{}: accepted is {}", r.label, answer["accepted"])
        });
        let request_id = json!(r.request_id);
        failures.check(context_matches(&request_id, &answer["requestId"]), || {
            format!(
                "{}: requestId is {}, sent {}",
                r.label,
                show(&answer["requestId"]),
                show(&r.request_id)
            )
        });
        let is_500 = *status == json!(500) || *status == json!("500");
        failures.check(is_500 == r.refused && (r.refused || status.is_null()), || {
            format!("{}: $context.responseOverride.status is {status}", r.label)
        });
        if r.refused {
            let text = answer.to_string();
            failures.check(!text.contains("arn:"), || {
                format!("{}: Lambda's error shows: {text}", r.label)
            });
        }
    }
    failures.assert_none(&format!("{} response cases", corpus.responses.len()));
}
