//! Bad input is refused with a clear diagnostic at the attribute to fix, before
//! any AWS call: every attribute of both resources and of the provider block fed
//! wrong values, a function in another region, malformed import ids; likely
//! mistakes (a misspelled media type, templates leaving JSON clients 415) are
//! warned about. On LocalStack, a missing REST API, resource or function fails
//! the apply with nothing created.

mod cases;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value as Json;

use cases::{Case, PROVIDER_CASES, RESOURCE_CASES, ROUTE_CASES, WARNING_CASES, attribute_of, case};

use crate::support::aws as cloud;
use crate::support::hcl::{Endpoint, Resource, configuration, required_providers};
use crate::support::terraform::{Terraform, each_terraform_version};
use crate::support::versions::TERRAFORM_NEWEST;

/// A loopback port that counts connections. Every endpoint of the provider
/// points here, so any AWS call the provider attempts shows up as one.
struct CallCounter {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl CallCounter {
    fn start() -> CallCounter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        CallCounter { url, connections }
    }

    fn calls(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The provider block with every endpoint here and no retries.
    fn provider_block(&self) -> String {
        cloud::provider_block_via(&self.url, &self.url, Some(0))
    }
}

/// What every resource case starts from; a case's own lines replace its arguments.
fn valid_endpoint(name: &str) -> Endpoint {
    Endpoint::new(name, "a1b2c3d4e5", "f6g7h8", "POST", "worker")
}

/// The HCL expression a line of a case sets its attribute to.
fn expression_of(line: &str) -> &str {
    let (_, expression) = line.split_once(" = ").unwrap_or_else(|| panic!("not `a = b`: {line}"));
    expression
}

/// A configuration written line by line, remembering where each case is.
#[derive(Default)]
struct Config {
    lines: Vec<String>,
    /// Per case: the first and last line of its block, and the line to point at.
    spans: Vec<(usize, usize, Option<usize>)>,
}

impl Config {
    /// The providers, with every endpoint of ours at `counter`.
    fn counted_by(counter: &CallCounter) -> Config {
        let mut config = Config::default();
        config.push(&required_providers(&[]));
        config.push(&counter.provider_block());
        config
    }

    /// Resource `name`: the valid endpoint, changed by `case`.
    fn endpoint(&mut self, name: &str, case: &Case) {
        let endpoint = case
            .lines
            .iter()
            .fold(valid_endpoint(name), |e, line| e.set(attribute_of(line), expression_of(line)));
        self.span(&endpoint.lines(), case);
    }

    /// Route `name`: a valid `async_lambda_route`, changed by `case`.
    fn route(&mut self, name: &str, case: &Case) {
        let valid = Resource::new("async_lambda_route", name)
            .string("api_id", "a1b2c3d4e5")
            .string("route_key", "POST /hooks/{source}")
            .string("function_name", "worker");
        let route =
            case.lines.iter().fold(valid, |r, line| r.set(attribute_of(line), expression_of(line)));
        self.span(&route.lines(), case);
    }

    /// Terraform `version` in a directory holding this configuration.
    fn terraform(&self, version: &'static str) -> Terraform {
        let tf = Terraform::new(version);
        tf.write_config(&(self.lines.join("\n") + "\n"));
        tf
    }

    fn push(&mut self, text: &str) {
        self.lines.extend(text.lines().map(str::to_owned));
    }

    /// A block `header { ... }` holding `base` (minus what the case sets) and the case.
    fn block(&mut self, header: &str, base: &[&str], case: &Case) {
        let mut lines = vec![format!("{header} {{")];
        for line in
            base.iter().filter(|b| !case.lines.iter().any(|l| attribute_of(l) == attribute_of(b)))
        {
            lines.push(format!("  {line}"));
        }
        lines.extend(case.lines.iter().map(|line| format!("  {line}")));
        lines.push("}".into());
        self.span(&lines, case);
    }

    /// Adds the block `lines` of `case`, remembering its span and the line of
    /// the attribute the case's diagnostic must point at.
    fn span(&mut self, lines: &[String], case: &Case) {
        let first = self.lines.len() + 1;
        let at = case.at.map(|attribute| {
            let position = lines.iter().position(|l| attribute_of(l.trim_start()) == attribute);
            first + position.unwrap_or_else(|| panic!("case {:?} names no line", case.lines))
        });
        self.lines.extend(lines.iter().cloned());
        self.spans.push((first, self.lines.len(), at));
    }
}

/// The error diagnostics of a failed `terraform plan -json`: (summary, detail, line).
fn plan_errors(tf: &Terraform) -> Vec<(String, String, Option<usize>)> {
    let out = tf.fails(&["plan", "-json", "-no-color", "-input=false"]);
    out.lines()
        .filter_map(|line| serde_json::from_str::<Json>(line).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["severity"] == "error")
        .map(|m| {
            let d = &m["diagnostic"];
            (
                d["summary"].as_str().unwrap_or_default().to_owned(),
                d["detail"].as_str().unwrap_or_default().to_owned(),
                d["range"]["start"]["line"].as_u64().map(|l| l as usize),
            )
        })
        .collect()
}

/// Each case gives exactly one diagnostic, with its summary, a detail, and a range
/// on the case's attribute (or its block); and nothing else is reported.
fn assert_each_case_reported(
    version: &str,
    config: &Config,
    cases: &[&Case],
    diagnostics: &[(String, String, Option<usize>)],
) {
    for (case, &(first, last, at)) in cases.iter().zip(&config.spans) {
        let found: Vec<_> = diagnostics
            .iter()
            .filter(|(_, _, line)| line.is_some_and(|l| (first..=last).contains(&l)))
            .collect();
        assert_eq!(found.len(), 1, "{version} {:?}: expected one, got {found:?}", case.lines);
        let (summary, detail, line) = found[0];
        assert_eq!(summary, case.summary, "{version} {:?}: {detail}", case.lines);
        assert!(
            detail.len() > 20,
            "{version} {:?}: the detail says what to do: {detail:?}",
            case.lines
        );
        if let Some(at) = at {
            assert_eq!(*line, Some(at), "{version} {:?}: points at the attribute", case.lines);
        }
    }
    assert_eq!(
        diagnostics.len(),
        cases.len(),
        "{version}: diagnostics beyond the cases: {diagnostics:#?}"
    );
}

each_terraform_version!(every_bad_value_is_refused_at_its_attribute_before_any_aws_call);
fn every_bad_value_is_refused_at_its_attribute_before_any_aws_call(version: &'static str) {
    let counter = CallCounter::start();
    let mut config = Config::counted_by(&counter);
    let mut cases = Vec::new();
    for (i, case) in RESOURCE_CASES.iter().enumerate() {
        config.endpoint(&format!("case_{i}"), case);
        cases.push(case);
    }
    for (i, case) in ROUTE_CASES.iter().enumerate() {
        config.route(&format!("route_case_{i}"), case);
        cases.push(case);
    }
    for (i, case) in PROVIDER_CASES.iter().enumerate() {
        let base = [&format!("alias = \"case_{i}\"") as &str, r#"region = "us-east-1""#];
        config.block("provider \"async\"", &base, case);
        cases.push(case);
        // Terraform validates only provider configurations in use.
        let uses =
            valid_endpoint(&format!("uses_case_{i}")).set("provider", &format!("async.case_{i}"));
        config.push(&uses.hcl());
    }
    let errors = plan_errors(&config.terraform(version));
    assert_each_case_reported(version, &config, &cases, &errors);
    assert_eq!(counter.calls(), 0, "{version}: an AWS call was attempted");
}

each_terraform_version!(likely_mistakes_are_warned_about_at_their_attribute_before_any_aws_call);
fn likely_mistakes_are_warned_about_at_their_attribute_before_any_aws_call(version: &'static str) {
    let counter = CallCounter::start();
    let mut config = Config::counted_by(&counter);
    for (i, case) in WARNING_CASES.iter().enumerate() {
        config.endpoint(&format!("case_{i}"), case);
    }
    // What the warnings are not about stays quiet: the typo's block also has
    // text/plain, and the catalogue's other blocks leave JSON covered.
    let tf = config.terraform(version);
    let out = tf.ok(&["validate", "-json", "-no-color"]);
    let report: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(report["valid"], true, "{version}: {report:#}");
    let warnings: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        // Terraform's own, for the dev_overrides these tests install the provider with.
        .filter(|d| d["summary"] != "Provider development overrides are in effect")
        .map(|d| {
            assert_eq!(d["severity"], "warning", "{version}: {d:#}");
            (
                d["summary"].as_str().unwrap_or_default().to_owned(),
                d["detail"].as_str().unwrap_or_default().to_owned(),
                d["range"]["start"]["line"].as_u64().map(|l| l as usize),
            )
        })
        .collect();
    let cases: Vec<&Case> = WARNING_CASES.iter().collect();
    assert_each_case_reported(version, &config, &cases, &warnings);
    assert_eq!(counter.calls(), 0, "{version}: an AWS call was attempted");
}

each_terraform_version!(a_function_in_another_region_is_refused_at_plan_before_any_aws_call);
fn a_function_in_another_region_is_refused_at_plan_before_any_aws_call(version: &'static str) {
    let case = case(
        &[r#"function_name = "arn:aws:lambda:eu-west-1:123456789012:function:worker""#],
        "Function in another region",
    );
    let counter = CallCounter::start();
    let mut config = Config::counted_by(&counter);
    config.endpoint("elsewhere", &case);
    let errors = plan_errors(&config.terraform(version));
    assert_each_case_reported(version, &config, &[&case], &errors);
    assert!(errors[0].1.contains("eu-west-1") && errors[0].1.contains("us-east-1"), "{errors:?}");
    assert_eq!(counter.calls(), 0, "{version}: an AWS call was attempted");
}

each_terraform_version!(malformed_import_ids_are_refused_before_any_aws_call);
fn malformed_import_ids_are_refused_before_any_aws_call(version: &'static str) {
    let ids = [
        "a1b2c3",
        "a1b2c3/d4e5f6",
        "a1b2c3/d4e5f6/FETCH",
        "a1b2c3/d4e5f6/post",
        "a b/d4e5f6/POST",
        "/d4e5f6/POST",
        "a1b2c3/d4e5f6/POST/extra",
    ];
    let counter = CallCounter::start();
    let mut config = Config::counted_by(&counter);
    config.endpoint("imported", &Case { lines: &[], summary: "", at: None });
    let tf = config.terraform(version);
    for id in ids {
        let out = tf.fails(&[
            "import",
            "-no-color",
            "-input=false",
            "async_lambda_endpoint.imported",
            id,
        ]);
        assert!(out.contains("Invalid import id"), "{version} {id:?}: {out}");
        assert!(out.contains("REST_API_ID/RESOURCE_ID/HTTP_METHOD"), "{version} {id:?}: {out}");
    }
    assert!(
        !tf.dir().join("terraform.tfstate").exists()
            || tf.state_attributes("async_lambda_endpoint.imported").is_null()
    );
    assert_eq!(counter.calls(), 0, "{version}: an AWS call was attempted");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_missing_rest_api_resource_or_function_fails_with_nothing_created() {
    let (api, resource) = cloud::rest_api_with_resource("missing-parts", "jobs");
    let function = "missing-parts";
    cloud::function(function, "def handler(event, context):\n    return event\n");
    // (what is missing, the endpoint's ids, the summary, the attribute named,
    // what the detail says was undone)
    let cases = [
        (
            "REST API",
            ["nosuchapi1", &resource, function],
            "REST API not found",
            "rest_api_id",
            "Nothing was created",
        ),
        (
            "resource",
            [&api, "nosuch1", function],
            "REST API resource not found",
            "resource_id",
            "Nothing was created",
        ),
        (
            "function",
            [&api, &resource, "no-such-function"],
            "Lambda function not found",
            "function_name",
            "Nothing was created",
        ),
    ];
    for (missing, [api_id, resource_id, function_name], summary, attribute, undone) in cases {
        let tf = Terraform::new(TERRAFORM_NEWEST);
        let hook = Endpoint::new("hook", api_id, resource_id, "POST", function_name);
        tf.write_config(&configuration(&cloud::provider_block(), &[hook]));
        let out = tf.fails(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        // Terraform wraps long details; compare words.
        let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(out.contains(summary) && out.contains(undone), "missing {missing}: {out}");
        assert!(
            out.contains(&format!(" {attribute} = ")),
            "missing {missing}: names {attribute}: {out}"
        );
        assert!(
            tf.state_attributes("async_lambda_endpoint.hook").is_null(),
            "missing {missing}: state"
        );
        assert_eq!(cloud::methods_on(&api), 0, "missing {missing}: a method was left");
        assert!(
            cloud::permission_statements(function).is_empty(),
            "missing {missing}: a permission was left"
        );
    }
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn an_update_to_a_missing_function_changes_nothing() {
    let (api, resource) = cloud::rest_api_with_resource("missing-on-update", "jobs");
    let function = "missing-on-update";
    cloud::function(function, "def handler(event, context):\n    return event\n");
    let tf = Terraform::new(TERRAFORM_NEWEST);
    let write = |function_name: &str| {
        let hook = Endpoint::new("hook", &api, &resource, "POST", function_name);
        tf.write_config(&configuration(&cloud::provider_block(), &[hook]));
    };
    write(function);
    tf.apply();
    let before = tf.state_attributes("async_lambda_endpoint.hook");
    let uri = |method: &aws_sdk_apigateway::operation::get_method::GetMethodOutput| {
        method.method_integration().and_then(|i| i.uri()).map(str::to_owned)
    };
    let method_before = uri(&cloud::get_method(&api, &resource, "POST").unwrap());

    write("no-such-function");
    let out = tf.fails(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("Lambda function not found"), "{out}");
    assert!(out.contains("Nothing was changed") && out.contains(" function_name = "), "{out}");
    assert_eq!(tf.state_attributes("async_lambda_endpoint.hook"), before, "state unchanged");
    let method_after = uri(&cloud::get_method(&api, &resource, "POST").unwrap());
    assert_eq!(method_after, method_before, "the integration still invokes the function");
    assert_eq!(cloud::permission_statements(function).len(), 1, "the permission stays");
}

each_terraform_version!(malformed_route_import_ids_are_refused_before_any_aws_call);
fn malformed_route_import_ids_are_refused_before_any_aws_call(version: &'static str) {
    let counter = CallCounter::start();
    let mut config = Config::counted_by(&counter);
    config.route("imported", &Case { lines: &[], summary: "", at: None });
    let tf = config.terraform(version);
    for id in ["a1b2c3", "a1b2c3/", "/r1", "a b/r1", "a1b2c3/r1/extra"] {
        let out =
            tf.fails(&["import", "-no-color", "-input=false", "async_lambda_route.imported", id]);
        assert!(out.contains("Invalid import id"), "{version} {id:?}: {out}");
        assert!(out.contains("API_ID/ROUTE_ID"), "{version} {id:?}: {out}");
    }
    assert_eq!(counter.calls(), 0, "{version}: an AWS call was attempted");
}
