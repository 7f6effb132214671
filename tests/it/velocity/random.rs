//! Random requests from a fixed seed: any Unicode text, with VTL and JSON
//! syntax mixed in, in every place a client controls.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;

use super::corpus::{
    Authorizer, IDENTITY_OTHERS, Pairs, Request, context, distinct, with_entity_headers,
};

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
pub(super) fn random_requests(count: usize) -> Vec<Request> {
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
