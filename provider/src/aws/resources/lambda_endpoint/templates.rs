//! The default mapping templates: the event contract of this provider.
//!
//! The request template emits the Lambda proxy (v1) event a proxy
//! integration would send, so existing proxy handlers (Powertools, Mangum...)
//! run unchanged. Every string comes from the client or the context and goes
//! through [`json_string`], so the output is valid JSON whatever the client
//! sends, under AWS's Velocity engine and LocalStack's Python port alike; the
//! body travels base64-encoded, byte-exact for signature checks.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The media types the default request template is installed for.
pub const MEDIA_TYPES: [&str; 3] =
    ["application/json", "application/x-www-form-urlencoded", "text/plain"];

/// AWS selects a request template by the media type alone ("Only the MIME
/// type is used", API Gateway developer guide, "Select a VTL mapping
/// template"), so `application/json; charset=utf-8` finds `application/json`.
/// LocalStack looks the whole header up, so the charset spellings clients
/// send get keys of their own; AWS never selects them.
const CHARSET_PARAMETERS: [&str; 4] =
    ["; charset=utf-8", "; charset=UTF-8", ";charset=utf-8", ";charset=UTF-8"];

/// Every content type the default request template is installed for.
pub fn default_content_types() -> Vec<String> {
    MEDIA_TYPES
        .iter()
        .flat_map(|media| {
            std::iter::once((*media).to_owned())
                .chain(CHARSET_PARAMETERS.iter().map(move |p| format!("{media}{p}")))
        })
        .collect()
}

/// Sets `$escapedQuote` to what `$util.escapeJavaScript` makes of `'`.
/// AWS's engine (Java's `escapeJavaScript`) writes `\'`, which JSON forbids,
/// and AWS documents `.replaceAll("\\'","'")` to undo it; LocalStack's port
/// leaves `'` alone, and there the same `replaceAll` would eat the backslash
/// of an escaped `\` before a quote. So the pattern never matches there.
const ENGINE_PROBE: &str = r#"#set($escapedQuote = "\\'")#if($util.escapeJavaScript("'") == "'")#set($escapedQuote = "(?!)")#end"#;

/// VTL that renders the string reference `reference` (e.g. `$context.stage`)
/// as a JSON string literal, whatever it holds. `$!` makes null an empty
/// string (and `#set` of a null would keep the old value); the leading `x`,
/// dropped after escaping, keeps LocalStack from escaping an empty or blank
/// string as `{}`.
fn json_string(reference: &str) -> String {
    let quiet = reference.replacen('$', "$!", 1);
    format!(
        r#"#set($v = "x{quiet}")"$util.escapeJavaScript($v).substring(1).replaceAll($escapedQuote, "'")""#
    )
}

/// The same, but `null` when the value is empty or missing, as the proxy
/// event has it for context values that do not apply.
fn json_string_or_null(reference: &str) -> String {
    let quiet = reference.replacen('$', "$!", 1);
    format!(
        r##"#set($v = "x{quiet}")#if($v == "x")null#{{else}}"$util.escapeJavaScript($v).substring(1).replaceAll($escapedQuote, "'")"#end"##
    )
}

/// Sets the VTL list `$list` to the keys of `map`: a list, unlike a key
/// set, can be asked `isEmpty()` on both engines.
fn key_list(list: &str, map: &str) -> String {
    format!(
        "#set(${list} = [])#foreach($name in {map}.keySet())#set($added = ${list}.add($name))#end"
    )
}

/// A JSON object of the values of VTL map `map` for the names in list
/// `names`; each value wrapped in a one-element list with `multi`, as the
/// `multiValue*` fields have it. `empty` is what an empty map renders as.
fn json_object(map: &str, names: &str, multi: bool, empty: &str) -> String {
    let value = json_string(&format!("{map}.get($name)"));
    let value = if multi { format!("[{value}]") } else { value };
    format!(
        "#if({names}.isEmpty()){empty}#{{else}}{{#foreach($name in {names}){key}: {value}#if($foreach.hasNext),#end#end}}#end",
        key = json_string("$name"),
    )
}

/// The keys of `requestContext.identity` (those of AWS's proxy event), null
/// when unset; `clientCert` follows them.
const IDENTITY_KEYS: [&str; 14] = [
    "accessKey",
    "accountId",
    "apiKey",
    "apiKeyId",
    "caller",
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

/// `requestContext` values taken as they are from `$context`.
const CONTEXT_KEYS: [&str; 14] = [
    "accountId",
    "apiId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "extendedRequestId",
    "httpMethod",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "resourceId",
    "resourcePath",
    "stage",
];

/// `"key": value,` for each of `keys` (plain identifiers) from VTL map `map`.
fn fields_of(map: &str, keys: &[&str]) -> String {
    let list = keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
    format!(
        "#foreach($key in [{list}])\"$key\": {},#end",
        json_string_or_null(&format!("{map}.get($key)"))
    )
}

/// `requestContext.identity`, with `clientCert` when mutual TLS gave one.
fn identity() -> String {
    let cert = |field: &str| json_string(&format!("$context.identity.clientCert.{field}"));
    let client_cert = format!(
        "#if(\"$!context.identity.clientCert.clientCertPem\" == \"\")null#{{else}}{{\"clientCertPem\": {}, \
         \"subjectDN\": {}, \"issuerDN\": {}, \"serialNumber\": {}, \"validity\": {{\"notBefore\": {}, \
         \"notAfter\": {}}}}}#end",
        cert("clientCertPem"),
        cert("subjectDN"),
        cert("issuerDN"),
        cert("serialNumber"),
        cert("validity.notBefore"),
        cert("validity.notAfter"),
    );
    format!(
        "  \"identity\": {{{} \"clientCert\": {client_cert}}},",
        fields_of("$context.identity", &IDENTITY_KEYS)
    )
}

/// `requestContext.authorizer` as a proxy integration gives it, only when an
/// authorizer ran: a Lambda authorizer's `principalId` and context keys, a
/// Cognito user pool's token `claims`. (`integrationLatency` is a logging
/// variable only, so it is left out.)
fn authorizer() -> String {
    let claims = "$context.authorizer.claims";
    [
        "#set($authorizerNames = [])#foreach($name in $context.authorizer.keySet())#if($name != \"claims\")#set($added = $authorizerNames.add($name))#end#end".to_owned(),
        key_list("claimNames", claims),
        "#if(!$authorizerNames.isEmpty() || !$claimNames.isEmpty())".to_owned(),
        format!(
            "  \"authorizer\": {{#foreach($name in $authorizerNames){}: {}#if($foreach.hasNext),#end#end\
             #if(!$claimNames.isEmpty())#if(!$authorizerNames.isEmpty()),#end\"claims\": {}#end}},",
            json_string("$name"),
            json_string("$context.authorizer.get($name)"),
            json_object(claims, "$claimNames", false, "{}"),
        ),
        "#end".to_owned(),
    ]
    .join("\n")
}

pub fn default_request_template() -> String {
    let s = json_string;
    let map = |name: &str, reference: &str, list: &str| {
        format!(
            "{}\n\"{name}\": {},",
            key_list(list, reference),
            json_object(reference, &format!("${list}"), false, "null")
        )
    };
    let lines = [
        "## terraform-provider-async: the Lambda proxy (v1) event; the raw body is base64-encoded.".to_owned(),
        ENGINE_PROBE.to_owned(),
        "#set($params = $input.params())".to_owned(),
        "#set($headers = $params.header)".to_owned(),
        key_list("headerNames", "$headers"),
        "## LocalStack's header map has no keySet(); AWS never takes this branch.".to_owned(),
        "#if($headerNames.isEmpty())#foreach($pair in $headers.to_wsgi_list())#if(!$headerNames.contains($pair[0]))#set($added = $headerNames.add($pair[0]))#end#end#end".to_owned(),
        "## The proxy event's path has no stage prefix and no doubled slash after it.".to_owned(),
        "#set($path = \"$!context.path\")#set($stagePrefix = \"/$!context.stage\")".to_owned(),
        "#if($stagePrefix != \"/\" && ($path == $stagePrefix || $path.startsWith(\"$stagePrefix/\")))#set($path = $path.substring($stagePrefix.length()).replaceAll(\"^/*\", \"/\"))#end".to_owned(),
        "## AWS reads an empty payload as {}: it stays {} only in a JSON request other than GET or HEAD.".to_owned(),
        "#set($body = \"$!input.body\")#set($json = [])".to_owned(),
        "#foreach($name in $headerNames)#set($type = \"$!headers.get($name)\")#if($name.matches(\"(?i)content-type\") && $type.matches(\"(?i) *application/json.*\"))#set($added = $json.add($type))#end#end".to_owned(),
        "#if($body == \"{}\" && ($json.isEmpty() || $context.httpMethod == \"GET\" || $context.httpMethod == \"HEAD\"))#set($body = \"\")#end".to_owned(),
        "{".to_owned(),
        format!("\"resource\": {},", s("$context.resourcePath")),
        format!("\"path\": {},", s("$path")),
        format!("\"httpMethod\": {},", s("$context.httpMethod")),
        format!("\"headers\": {},", json_object("$headers", "$headerNames", false, "{}")),
        format!("\"multiValueHeaders\": {},", json_object("$headers", "$headerNames", true, "{}")),
        map("queryStringParameters", "$params.querystring", "queryNames"),
        format!(
            "\"multiValueQueryStringParameters\": {},",
            json_object("$params.querystring", "$queryNames", true, "null")
        ),
        map("pathParameters", "$params.path", "pathNames"),
        map("stageVariables", "$stageVariables", "stageVariableNames"),
        "\"requestContext\": {".to_owned(),
        authorizer(),
        identity(),
        format!("  {}", fields_of("$context", &CONTEXT_KEYS)),
        "#set($epoch = \"$!context.requestTimeEpoch\")".to_owned(),
        "  \"requestTimeEpoch\": #if($epoch.matches(\"[0-9]+\"))$epoch#{else}0#end".to_owned(),
        "},".to_owned(),
        "\"body\": \"$util.base64Encode($body)\",".to_owned(),
        "\"isBase64Encoded\": true".to_owned(),
        "}".to_owned(),
    ];
    lines.join("\n")
}

/// What the client receives: the request id, which the event carries too.
///
/// Lambda answers a queued event with an empty body, so a body is Lambda
/// refusing the invocation (function missing or not active, payload too
/// large, throttled). AWS answers those 500 before any template runs;
/// LocalStack hands them to this template, which then answers 500 as well,
/// so no client is told 202 for an event that was never queued.
pub fn default_response_template() -> String {
    let request_id = json_string("$context.requestId");
    [
        "## terraform-provider-async: 202 once Lambda has queued the event, else 500.",
        ENGINE_PROBE,
        "#set($answer = \"$!input.body\")",
        "#if($answer != \"\" && $answer != \"{}\")",
        "#set($context.responseOverride.status = 500)",
        &format!(
            "{{\"accepted\": false, \"requestId\": {request_id}, \"message\": \"The event was not \
             queued; try again later.\"}}"
        ),
        "#else",
        &format!("{{\"accepted\": true, \"requestId\": {request_id}}}"),
        "#end",
    ]
    .join("\n")
}

/// The request templates installed when `request_templates` is unset, made
/// once: every endpoint's plan, apply and refresh compares against them.
pub fn built_in_request_templates() -> &'static BTreeMap<String, String> {
    static TEMPLATES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let template = default_request_template();
        default_content_types().into_iter().map(|ct| (ct, template.clone())).collect()
    })
}

/// The response templates installed when `response_templates` is unset.
pub fn built_in_response_templates() -> &'static BTreeMap<String, String> {
    static TEMPLATES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        BTreeMap::from([("application/json".to_owned(), default_response_template())])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_is_escaped_the_same_way_on_both_engines() {
        for template in [default_request_template(), default_response_template()] {
            assert!(template.contains(ENGINE_PROBE), "the quote pattern is set first");
            let escapes = template.matches("$util.escapeJavaScript(").count();
            let guarded = template
                .matches(
                    r#"$util.escapeJavaScript($v).substring(1).replaceAll($escapedQuote, "'")"#,
                )
                .count();
            // The probe itself is the one unguarded call.
            assert_eq!(escapes, guarded + 1, "{template}");
        }
        let template = default_request_template();
        // Null-safe: every value looked up is a quiet reference (`$!`).
        for (i, _) in template.match_indices(".get($name)") {
            let reference = template[..i].rfind('$').map(|start| &template[start..i]);
            assert!(reference.is_some_and(|r| r.starts_with("$!")), "null-safe: {reference:?}");
        }
        assert!(template.contains("\"body\": \"$util.base64Encode($body)\""));
    }

    #[test]
    fn the_template_serves_media_types_with_and_without_charset() {
        let types = default_content_types();
        assert_eq!(types.len(), MEDIA_TYPES.len() * (1 + CHARSET_PARAMETERS.len()));
        for expected in
            ["application/json", "application/json; charset=utf-8", "text/plain;charset=UTF-8"]
        {
            assert!(types.iter().any(|t| t == expected), "{expected}");
        }
    }
}
