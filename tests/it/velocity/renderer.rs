//! The JVM driver: every case of the corpus, and a probe of the emulation,
//! rendered by tests/it/velocity/RenderTemplates.java with Apache Velocity 1.7
//! in one JVM run per process.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};
use terraform_provider_async::aws::resources::lambda_endpoint::templates::{
    default_request_template, default_response_template,
};

use super::corpus::{
    Pairs, Request, Response, context, edge_requests, hostile_requests, responses,
};
use super::random::random_requests;
use crate::support::terraform::{ensure_installed, repo_root};

/// Random requests in the corpus, besides the hand-picked ones.
const RANDOM_CASES: usize = 400;

const JARS: [&str; 3] =
    ["velocity-1.7.jar", "commons-lang-2.6.jar", "commons-collections-3.2.2.jar"];

/// One case's rendering: the output, `$context.responseOverride.status`, or
/// Velocity's error.
pub(super) struct Rendered {
    pub(super) output: Option<String>,
    pub(super) status: Json,
    pub(super) error: Option<String>,
}

/// The cases and their renderings, by id (`request N`, `response N`, `probe`).
pub(super) struct Corpus {
    pub(super) requests: Vec<Request>,
    pub(super) responses: Vec<Response>,
    pub(super) rendered: HashMap<String, Rendered>,
}

fn pairs_json(pairs: &Pairs) -> Json {
    pairs.iter().map(|(k, v)| json!([k, v])).collect()
}

/// The classpath of the jars in .tools/velocity, installing them (and
/// checking Java) once per process.
fn velocity_classpath() -> String {
    ensure_installed("velocity");
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
pub(super) fn corpus() -> &'static Corpus {
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
        .args(["-cp", classpath, "tests/it/velocity/RenderTemplates.java"])
        .arg(input.path())
        .output()
        .expect("run java");
    assert!(
        output.status.success(),
        "tests/it/velocity/RenderTemplates.java failed:\n{}",
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
