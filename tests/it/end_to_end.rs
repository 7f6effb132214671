//! End to end on LocalStack: endpoints composed with hashicorp/aws, deployed
//! to a stage, called over HTTP; the Lambda function really runs and records
//! each event (support/stack.rs).

use serde_json::Value as Json;

use crate::support::binaries;
use crate::support::stack::{STAGE, Stack, decoded_body, header, post};
use crate::support::terraform::{ensure_installed, repo_root};
use crate::support::versions::TERRAFORM_OLDEST;

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_webhook_gets_202_before_the_slow_handler_finishes() {
    let stack = Stack::new("slow", 3);
    stack.apply(&[]);
    let body = br#"{"job": "resize", "quote": "it's \"fine\""}"#;
    let answer = post(&stack.url("/jobs"), "application/json", &[], body);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let response: Json = serde_json::from_str(&answer.body).expect("the response is JSON");
    assert_eq!(response["accepted"], true);
    assert!(
        std::fs::read_dir(stack.events.path()).unwrap().next().is_none(),
        "handler finished first"
    );

    let record = &stack.events(1)[0];
    assert!(record["finished"].as_f64().unwrap() > answer.at, "the client was answered first");
    let event = &record["event"];
    assert_eq!(decoded_body(event), body);
    assert_eq!(event["requestContext"]["requestId"], response["requestId"], "client can correlate");
    assert_eq!(event["httpMethod"], "POST");
    assert_eq!(event["resource"], "/jobs");
}

/// Form bodies with every character that broke the seed templates.
fn tricky_form_bodies() -> Vec<Vec<u8>> {
    let big = "x".repeat(100 * 1024);
    vec![
        b"text=it's+%22quoted%22&path=C%3A%5Cdir%5Cfile".to_vec(),
        "raw='single' \"double\" back\\slash & = % +".as_bytes().to_vec(),
        "name=J%C3%BCrgen&emoji=%F0%9F%9A%80&raw=\u{1F680}\u{fc}".as_bytes().to_vec(),
        b"lines=a\r\nb\nc\ttab&empty=&repeated=1&repeated=2".to_vec(),
        format!("big={big}").into_bytes(),
        b"json=%7B%22looks%22%3A+%22like+json%22%7D&controls=%01%1F%7F".to_vec(),
    ]
}

/// Sends each body and returns the decoded bodies of the events, in any order.
fn round_trip(stack: &Stack, content_type: &str, bodies: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let url = stack.url("/jobs");
    for body in bodies {
        let answer = post(&url, content_type, &[], body);
        assert_eq!(answer.status, 202, "{}", answer.body);
    }
    let events = stack.events(bodies.len());
    events.iter().map(|r| decoded_body(&r["event"])).collect()
}

fn preview(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(100)]).into_owned()
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn any_body_arrives_byte_exact_in_valid_json() {
    let stack = Stack::new("bodies", 0);
    stack.apply(&[]);
    let bodies = tricky_form_bodies();
    // text/plain reaches the template untouched on LocalStack too: byte-exact.
    let received = round_trip(&stack, "text/plain", &bodies);
    for body in &bodies {
        assert!(received.contains(body), "{:?} did not arrive byte-exact", preview(body));
    }
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn form_posts_arrive_in_valid_json_with_every_field() {
    let stack = Stack::new("forms", 0);
    stack.apply(&[]);
    let bodies = tricky_form_bodies();
    // LocalStack 4.13.1 parses form bodies and re-encodes them before the
    // template sees $input.body (rolo.request.restore_payload), so only the
    // fields can be compared here; on AWS, $input.body is the raw body and
    // the test above shows the template passes raw bytes through exactly.
    let received = round_trip(&stack, "application/x-www-form-urlencoded", &bodies);
    let fields = |b: &[u8]| form_urlencoded::parse(b).into_owned().collect::<Vec<_>>();
    let received: Vec<_> = received.iter().map(|b| fields(b)).collect();
    for body in &bodies {
        assert!(received.contains(&fields(body)), "{:?}: fields differ", preview(body));
    }
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn headers_query_path_and_stage_variables_arrive_where_the_contract_says() {
    let stack = Stack::new("contract", 0);
    stack.apply(&[]);
    let tricky = r#"{"injected": true}", "evil": "yes"#;
    let url = format!("{}?page=2&q=a%20b", stack.url("/hooks/slack"));
    let answer = post(
        &url,
        "application/json",
        &[("X-Quoted", "say \"hi\" it's"), ("X-Json", tricky)],
        b"{}",
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let event = &stack.events(1)[0]["event"];
    assert_eq!(event["pathParameters"]["source"], "slack", "{event}");
    assert_eq!(event["queryStringParameters"]["page"], "2", "{event}");
    assert_eq!(event["queryStringParameters"]["q"], "a b", "{event}");
    assert_eq!(event["stageVariables"]["greeting"], "hello", "{event}");
    assert_eq!(event["resource"], "/hooks/{source}");
    assert_eq!(event["path"], "/hooks/slack", "the proxy event's path has no stage");
    assert_eq!(event["requestContext"]["path"], "/test/hooks/slack");
    assert_eq!(event["requestContext"]["stage"], STAGE);
    let headers = &event["headers"];
    assert_eq!(header(headers, "X-Quoted"), Some(&Json::from("say \"hi\" it's")), "{event}");
    assert_eq!(header(headers, "X-Json"), Some(&Json::from(tricky)), "{event}");
    let multi = &event["multiValueHeaders"];
    assert_eq!(header(multi, "X-Json"), Some(&serde_json::json!([tricky])), "{event}");
    assert_eq!(event["multiValueQueryStringParameters"]["page"], serde_json::json!(["2"]));
    let context = &event["requestContext"];
    assert!(context.get("authorizer").is_none(), "no authorizer ran, so none is given: {event}");
    let keys: Vec<&str> = context.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, REQUEST_CONTEXT_KEYS, "{event}");
    let identity: Vec<&str> =
        context["identity"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(identity, IDENTITY_KEYS, "{event}");
    assert_eq!(context["identity"]["caller"], Json::Null, "unset identity values are null");
    assert!(context["requestTimeEpoch"].as_u64().is_some_and(|ms| ms > 1_600_000_000_000));
    assert!(context["requestTime"].as_str().is_some_and(|t| t.len() >= 20), "{event}");
    assert!(event.get("evil").is_none() && event.get("injected").is_none(), "no injected keys");
}

/// `requestContext` as AWS's proxy event has it without an authorizer, sorted.
const REQUEST_CONTEXT_KEYS: [&str; 16] = [
    "accountId",
    "apiId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "extendedRequestId",
    "httpMethod",
    "identity",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
];

const IDENTITY_KEYS: [&str; 15] = [
    "accessKey",
    "accountId",
    "apiKey",
    "apiKeyId",
    "caller",
    "clientCert",
    "cognitoAuthenticationProvider",
    "cognitoAuthenticationType",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "principalOrgId",
    "sourceIp",
    "user",
    "userAgent",
    "userArn",
];

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_custom_response_is_what_the_client_receives() {
    let stack = Stack::new("response", 0);
    stack.apply(&[
        ("response_status_code", r#""200""#),
        ("response_templates", r#"{ "application/json" = "{\"text\": \"Working on it\"}" }"#),
    ]);
    let answer = post(&stack.url("/jobs"), "application/json", &[], b"{}");
    assert_eq!(answer.status, 200);
    assert_eq!(
        serde_json::from_str::<Json>(&answer.body).unwrap(),
        serde_json::json!({"text": "Working on it"})
    );
    stack.events(1);
}

/// Seed 002's template, verbatim, as a user would paste it from the CDK recipe.
const SEED_002_TEMPLATE: &str = include_str!("seeds/seed_002_template.vtl");

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn seed_002_template_yields_seed_002_event_and_seed_000_form_works_by_default() {
    let stack = Stack::new("seeds", 0);
    let template =
        format!("{{\n    \"application/json\" = <<-EOT\n{SEED_002_TEMPLATE}\n    EOT\n  }}");
    stack.apply(&[("request_templates", &template)]);
    let answer = post(&stack.url("/jobs"), "application/json", &[], br#"{"key":"value"}"#);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let event = &stack.events(1)[0]["event"];
    assert_eq!(event["bodyJson"], serde_json::json!({"key": "value"}), "{event}");
    for key in ["params", "stage-variables", "context"] {
        assert!(event.get(key).is_some(), "seed 002 shape has {key}: {event}");
    }
    assert_eq!(event["context"]["http-method"], "POST");
    assert_eq!(event["context"]["resource-path"], "/jobs");

    // Seed 000: a form post (a Slack-style slash command) through the default template.
    let form = b"token=abc&team_domain=example&text=hello+%22world%22&response_url=https%3A%2F%2Fhooks.example%2Fx";
    let answer = post(&stack.url("/hooks/slack"), "application/x-www-form-urlencoded", &[], form);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let event = &stack.events(2)[1]["event"];
    assert_eq!(decoded_body(event), form);
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn one_apply_makes_the_stage_serve_a_changed_endpoint() {
    let stack = Stack::new("redeploy", 0);
    stack.apply(&[]);
    let before = post(&stack.url("/jobs"), "application/json", &[], b"{}");
    assert_eq!(before.status, 202);
    stack.apply(&[("response_templates", r#"{ "application/json" = "{\"version\": 2}" }"#)]);
    let after = post(&stack.url("/jobs"), "application/json", &[], b"{}");
    assert_eq!(after.status, 202);
    assert_eq!(
        serde_json::from_str::<Json>(&after.body).unwrap(),
        serde_json::json!({"version": 2})
    );
}

/// `scripts/example.sh` (`make example EXAMPLE=...`) in its own work directory,
/// with the provider this test build made and `terraform` chosen by the test.
struct Runner {
    work: tempfile::TempDir,
    terraform: std::path::PathBuf,
}

impl Runner {
    fn new(terraform_version: &str) -> Runner {
        assert!(
            std::env::var_os("TF_ACC").is_some_and(|v| !v.is_empty()),
            "TF_ACC is not set: this acceptance test starts LocalStack; run it with \
             `TF_ACC=1 cargo test -- --include-ignored`, as `make test` does"
        );
        ensure_installed("terraform");
        let terraform =
            repo_root().join(".tools/terraform").join(terraform_version).join("terraform");
        let work = tempfile::Builder::new().prefix("example-").tempdir().unwrap();
        Runner { work, terraform }
    }

    /// Runs `scripts/example.sh ARGS`; its stdout and stderr, or a panic with both.
    fn ok(&self, args: &[&str]) -> (String, String) {
        let started = std::time::Instant::now();
        let out = std::process::Command::new("bash")
            .arg(repo_root().join("scripts/example.sh"))
            .args(args)
            .env("TFASYNC_EXAMPLE_DIR", self.work.path())
            .env("TFASYNC_PROVIDER", binaries::provider())
            .env("TERRAFORM", &self.terraform)
            .output()
            .expect("run scripts/example.sh");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "scripts/example.sh {args:?} failed ({}) after {:?}:\n{stdout}\n{stderr}",
            out.status,
            started.elapsed(),
        );
        (stdout, stderr)
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.work.path().join(relative)
    }

    /// LocalStack's pid, while the runner's LocalStack runs.
    fn localstack_pid(&self) -> u32 {
        std::fs::read_to_string(self.path("localstack/pid")).unwrap().trim().parse().unwrap()
    }
}

impl Drop for Runner {
    /// A failed test leaves no LocalStack behind.
    fn drop(&mut self) {
        if self.path("localstack/pid").exists() {
            let _ = std::process::Command::new("bash")
                .arg(repo_root().join("scripts/localstack.sh"))
                .arg("stop")
                .arg(self.path("localstack"))
                .output();
        }
    }
}

/// Whether process `pid` runs (a zombie does not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !matches!(stat.rsplit(") ").next().and_then(|s| s.chars().next()), Some('Z' | 'X'))
    })
}

/// The `POST URL` and `status: CODE` pairs the runner printed, by URL.
fn answers(stdout: &str) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    let mut url = None;
    for line in stdout.lines().map(str::trim) {
        if let Some(u) = line.strip_prefix("POST ") {
            url = Some(u.to_owned());
        } else if let Some(status) = line.strip_prefix("status: ") {
            let status = status.split_whitespace().next().unwrap().to_owned();
            answers.push((url.take().expect("a status after its URL"), status));
        }
    }
    answers.sort();
    answers
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn make_example_webhooks_serves_every_path_and_cleans_up() {
    // The oldest Terraform supported: the module with for_each, as users run
    // it (`make example` takes their own terraform, else the newest supported).
    let runner = Runner::new(TERRAFORM_OLDEST);
    let (out, _) = runner.ok(&["up", "webhooks"]);
    assert!(out.contains("Apply complete! Resources: 10 added, 0 changed, 0 destroyed."), "{out}");

    // Every URL the example outputs answered 202, {source} called as github.
    let outputs: Json =
        serde_json::from_slice(&std::fs::read(runner.path("webhooks/outputs.json")).unwrap())
            .unwrap();
    let api = outputs["rest_api_id"]["value"].as_str().unwrap();
    let endpoint = format!(
        "http://127.0.0.1:{}",
        std::fs::read_to_string(runner.path("localstack/port")).unwrap().trim()
    );
    let base = format!("{endpoint}/_aws/execute-api/{api}/hooks");
    let expected: Vec<(String, String)> = ["/events", "/hooks/github", "/orders"]
        .iter()
        .map(|path| (format!("{base}{path}"), "202".to_owned()))
        .collect();
    assert_eq!(answers(&out), expected, "{out}");
    assert_eq!(
        outputs["invoke_urls"]["value"]["source"],
        format!("https://{api}.execute-api.us-east-1.amazonaws.com/hooks/hooks/{{source}}"),
        "the AWS form of the URLs"
    );
    assert_eq!(
        outputs["localstack_invoke_urls"]["value"]["source"],
        format!("{base}/hooks/{{source}}"),
        "the LocalStack form"
    );

    // The worker got one event per path, and the runner showed each.
    let events = runner.path("webhooks/events");
    let mut received: Vec<(String, String, String)> = std::fs::read_dir(&events)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let record: Json = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            let event = &record["event"];
            let body: Json = serde_json::from_slice(&decoded_body(event)).unwrap();
            assert!(out.contains(event["requestContext"]["requestId"].as_str().unwrap()), "{out}");
            (
                event["resource"].as_str().unwrap().to_owned(),
                event["path"].as_str().unwrap().to_owned(),
                body["webhook"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    received.sort();
    let expected = [
        ("/events", "/events", "events"),
        ("/hooks/{source}", "/hooks/github", "source"),
        ("/orders", "/orders", "orders"),
    ]
    .map(|(r, p, w)| (r.to_owned(), p.to_owned(), w.to_owned()));
    assert_eq!(received, expected, "{out}");

    // `make localstack-up` finds it running and prints its URL.
    let pid = runner.localstack_pid();
    let (url, reuse) = runner.ok(&["localstack-up"]);
    assert_eq!(url.trim(), endpoint);
    assert!(reuse.contains(&format!("reusing LocalStack at {endpoint} (pid {pid})")), "{reuse}");

    // Down of one example: destroyed, the worker deleted, LocalStack still up.
    let (down, _) = runner.ok(&["down", "webhooks"]);
    assert!(down.contains("destroyed"), "{down}");
    assert!(!runner.path("webhooks").exists(), "the example's copy stays");
    assert!(running(pid), "LocalStack stopped with one example's down");

    // Down: LocalStack stopped, nothing left in the work directory.
    let (down, _) = runner.ok(&["down"]);
    assert!(down.contains("Stopping LocalStack"), "{down}");
    assert!(!running(pid), "LocalStack (pid {pid}) still runs after down");
    assert!(
        !runner.work.path().exists()
            || std::fs::read_dir(runner.work.path()).unwrap().next().is_none(),
        "down left files in the work directory"
    );
}
