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

/// VTL that renders the string expression `expr` as a JSON string literal.
/// `$util.escapeJavaScript` escapes `'` as `\'`, which JSON forbids; AWS's own
/// documentation prescribes undoing that with `replaceAll`.
fn json_string(expr: &str) -> String {
    format!(r#""$util.escapeJavaScript({expr}).replaceAll("\\'","'")""#)
}

/// A JSON object from the VTL map `map`, every key and value escaped.
fn json_object(map: &str, var: &str) -> String {
    format!(
        "{{#foreach(${var} in {map}.keySet()){key}: {value}#if($foreach.hasNext),#end#end}}",
        key = json_string(&format!("${var}")),
        value = json_string(&format!("{map}.get(${var})")),
    )
}

/// The same map with each value wrapped in a one-element list, as the
/// `multiValue*` fields of the proxy event have it.
fn json_multi_object(map: &str, var: &str) -> String {
    format!(
        "{{#foreach(${var} in {map}.keySet()){key}: [{value}]#if($foreach.hasNext),#end#end}}",
        key = json_string(&format!("${var}")),
        value = json_string(&format!("{map}.get(${var})")),
    )
}

pub fn default_request_template() -> String {
    let s = json_string;
    let lines = [
        "## terraform-provider-async: a Lambda proxy (v1) event; the raw body is base64-encoded.".to_owned(),
        "#set($params = $input.params())".to_owned(),
        "{".to_owned(),
        format!("\"resource\": {},", s("$context.resourcePath")),
        format!("\"path\": {},", s("$context.path")),
        format!("\"httpMethod\": {},", s("$context.httpMethod")),
        format!("\"headers\": {},", json_object("$params.header", "name")),
        format!("\"multiValueHeaders\": {},", json_multi_object("$params.header", "name")),
        format!("\"queryStringParameters\": {},", json_object("$params.querystring", "name")),
        format!(
            "\"multiValueQueryStringParameters\": {},",
            json_multi_object("$params.querystring", "name")
        ),
        format!("\"pathParameters\": {},", json_object("$params.path", "name")),
        format!("\"stageVariables\": {},", json_object("$stageVariables", "name")),
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
        "  \"requestTimeEpoch\": #if(\"$context.requestTimeEpoch\" != \"\")$context.requestTimeEpoch#{else}0#end,".to_owned(),
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
pub fn default_response_template() -> String {
    format!("{{\"accepted\": true, \"requestId\": {}}}", json_string("$context.requestId"))
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
    fn every_client_string_is_escaped() {
        let template = default_request_template();
        // Every interpolation of client input sits inside escapeJavaScript.
        for line in template.lines().filter(|l| l.contains(".get(")) {
            assert!(
                line.contains("$util.escapeJavaScript($params")
                    || line.contains("$util.escapeJavaScript($stageVariables"),
                "{line}"
            );
        }
        assert!(template.contains("\"body\": \"$util.base64Encode($input.body)\""));
        assert!(template.contains(r#"replaceAll("\\'","'")"#));
    }
}
