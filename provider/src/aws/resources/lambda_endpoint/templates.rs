//! The default mapping templates: the event contract of this provider.
//!
//! The request template emits a Lambda proxy (v1) event so existing proxy
//! handlers run unchanged. Every string comes from client input and goes
//! through [`json_string`], so the output is valid JSON whatever the client
//! sends; the body travels base64-encoded, byte-exact for signature checks.

use std::borrow::Cow;

use crate::plugin::Value;

/// Content types the default request template is installed for.
pub const DEFAULT_CONTENT_TYPES: [&str; 3] =
    ["application/json", "application/x-www-form-urlencoded", "text/plain"];

/// VTL that renders the string reference `reference` (e.g. `$context.stage`)
/// as a JSON string literal, whatever it holds. Three traps are avoided:
/// `#set` keeps the old value when given null, so the value is taken through a
/// quiet string (`"$!…"`); `$util.escapeJavaScript` turns `'` into `\'`, which
/// JSON forbids, so AWS's documented `replaceAll` undoes it; and LocalStack
/// renders an escaped empty string as `{}`, so empty values skip escaping.
fn json_string(reference: &str) -> String {
    let quiet = reference.replacen('$', "$!", 1);
    format!(
        r##"#set($v = "{quiet}")"#if($v != "")$util.escapeJavaScript($v).replaceAll("\\'","'")#end""##
    )
}

/// A JSON object from the VTL map `map` iterated over the names in `names`;
/// with `multi`, each value is wrapped in a one-element list, as the
/// `multiValue*` fields of the proxy event have it.
fn json_object(map: &str, names: &str, multi: bool) -> String {
    let value = json_string(&format!("{map}.get($name)"));
    let value = if multi { format!("[{value}]") } else { value };
    format!(
        "{{#foreach($name in {names}){key}: {value}#if($foreach.hasNext),#end#end}}",
        key = json_string("$name"),
    )
}

pub fn default_request_template() -> String {
    let s = json_string;
    let map = |name: &str, reference: &str, multi: bool| {
        format!("\"{name}\": {},", json_object(reference, &format!("{reference}.keySet()"), multi))
    };
    let lines = [
        "## terraform-provider-async: a Lambda proxy (v1) event; the raw body is base64-encoded.".to_owned(),
        "#set($params = $input.params())".to_owned(),
        "#set($headers = $params.header)".to_owned(),
        "#set($headerNames = $headers.keySet())".to_owned(),
        "## LocalStack's header map has no keySet(); AWS never takes this branch.".to_owned(),
        "#if(!$headerNames)#set($headerNames = [])#foreach($pair in $headers.to_wsgi_list())#set($added = $headerNames.add($pair[0]))#end#end".to_owned(),
        "## The proxy event's path has no stage prefix; $context.path has one on the default endpoint.".to_owned(),
        "#set($path = \"$!context.path\")#set($stagePrefix = \"/$!context.stage\")".to_owned(),
        "#if($stagePrefix != \"/\" && $path.startsWith(\"$stagePrefix/\"))#set($path = $path.substring($stagePrefix.length()))#end".to_owned(),
        "{".to_owned(),
        format!("\"resource\": {},", s("$context.resourcePath")),
        format!("\"path\": {},", s("$path")),
        format!("\"httpMethod\": {},", s("$context.httpMethod")),
        format!("\"headers\": {},", json_object("$headers", "$headerNames", false)),
        format!("\"multiValueHeaders\": {},", json_object("$headers", "$headerNames", true)),
        map("queryStringParameters", "$params.querystring", false),
        map("multiValueQueryStringParameters", "$params.querystring", true),
        map("pathParameters", "$params.path", false),
        map("stageVariables", "$stageVariables", false),
        "\"requestContext\": {".to_owned(),
        format!("  \"requestId\": {},", s("$context.requestId")),
        format!("  \"extendedRequestId\": {},", s("$context.extendedRequestId")),
        format!("  \"accountId\": {},", s("$context.accountId")),
        format!("  \"apiId\": {},", s("$context.apiId")),
        format!("  \"stage\": {},", s("$context.stage")),
        format!("  \"resourceId\": {},", s("$context.resourceId")),
        format!("  \"resourcePath\": {},", s("$context.resourcePath")),
        format!("  \"path\": {},", s("$context.path")),
        format!("  \"httpMethod\": {},", s("$context.httpMethod")),
        format!("  \"protocol\": {},", s("$context.protocol")),
        "  \"requestTimeEpoch\": #if(\"$!context.requestTimeEpoch\" != \"\")$context.requestTimeEpoch#{else}0#end,".to_owned(),
        format!(
            "  \"identity\": {{\"sourceIp\": {}, \"userAgent\": {}}},",
            s("$context.identity.sourceIp"),
            s("$context.identity.userAgent")
        ),
        format!("  \"authorizer\": {{\"principalId\": {}}}", s("$context.authorizer.principalId")),
        "},".to_owned(),
        "\"body\": \"$util.base64Encode($input.body)\",".to_owned(),
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

/// The templates an attribute stands for: its own, or the built-in ones when
/// it is null. Other attributes are returned as they are.
pub fn effective<'a>(attribute: &str, value: &'a Value) -> Cow<'a, Value> {
    if !value.is_null() {
        return Cow::Borrowed(value);
    }
    let map = |content_types: &[&str], template: String| {
        Value::Map(
            content_types
                .iter()
                .map(|ct| ((*ct).to_owned(), Value::from(template.clone())))
                .collect(),
        )
    };
    match attribute {
        "request_templates" => Cow::Owned(map(&DEFAULT_CONTENT_TYPES, default_request_template())),
        "response_templates" => Cow::Owned(map(&["application/json"], default_response_template())),
        _ => Cow::Borrowed(value),
    }
}

/// Templates compared the way API Gateway treats them: line endings and
/// trailing whitespace do not matter.
pub fn normalise_whitespace(template: &str) -> String {
    template.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_string_is_escaped_and_null_safe() {
        let template = default_request_template();
        // Every value read from a map goes through a quiet reference, then escaping.
        assert!(!template.contains("escapeJavaScript($params"));
        for line in template.lines().filter(|l| l.contains(".get($name)")) {
            assert!(line.contains("#set($v = \"$!"), "{line}");
        }
        assert!(template.contains("\"body\": \"$util.base64Encode($input.body)\""));
        assert!(template.contains(r#"replaceAll("\\'","'")"#));
    }
}
