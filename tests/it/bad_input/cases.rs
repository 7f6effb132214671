//! The catalogue: every bad value of the resource's attributes and of the
//! provider block, and the likely mistakes warned about.

/// One bad input: the lines that make it bad, the summary expected, and the
/// attribute the diagnostic must point at (`None`: one that is not written,
/// such as a missing one, so Terraform points at the block).
pub(super) struct Case {
    pub(super) lines: &'static [&'static str],
    pub(super) summary: &'static str,
    pub(super) at: Option<&'static str>,
}

pub(super) const fn case(lines: &'static [&'static str], summary: &'static str) -> Case {
    let at = Some(attribute_of(lines[lines.len() - 1]));
    Case { lines, summary, at }
}

/// The attribute name a line of HCL sets.
pub(super) const fn attribute_of(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end] != b' ' {
        end += 1;
    }
    let (name, _) = line.split_at(end);
    name
}

pub(super) const RESOURCE_CASES: &[Case] = &[
    case(&[r#"rest_api_id = """#], "Invalid rest_api_id"),
    case(&[r#"rest_api_id = "my api""#], "Invalid rest_api_id"),
    case(&[r#"resource_id = """#], "Invalid resource_id"),
    case(&[r#"resource_id = "/jobs""#], "Invalid resource_id"),
    case(&[r#"http_method = "FETCH""#], "Invalid http_method"),
    case(&[r#"http_method = "post""#], "Invalid http_method"),
    case(&[r#"http_method = """#], "Invalid http_method"),
    case(&[r#"function_name = """#], "Invalid function_name"),
    case(
        &[r#"function_name = "arn:aws:lambda:us-east-1:123:function:worker""#],
        "Invalid function_name",
    ),
    case(&[r#"function_name = "arn:aws:s3:::bucket""#], "Invalid function_name"),
    case(
        &[r#"function_name = "arn:aws:lambda:moon:123456789012:function:worker""#],
        "Invalid function_name",
    ),
    case(&[r#"function_name = "my worker""#], "Invalid function_name"),
    case(&[r#"function_name = "worker:live:extra""#], "Invalid function_name"),
    case(&[r#"function_name = ["worker"]"#], "Incorrect attribute value type"),
    case(&[r#"qualifier = """#], "Invalid qualifier"),
    case(&[r#"qualifier = "live!""#], "Invalid qualifier"),
    case(&[r#"function_name = "worker:live""#, r#"qualifier = "7""#], "Conflicting qualifiers"),
    case(&[r#"authorization = "BASIC""#], "Invalid authorization"),
    case(&[r#"authorization = """#], "Invalid authorization"),
    Case { lines: &[r#"authorization = "CUSTOM""#], summary: "Missing authorizer_id", at: None },
    case(&[r#"authorizer_id = "abc123""#], "Unused authorizer_id"),
    case(&[r#"authorization = "CUSTOM""#, r#"authorizer_id = """#], "Invalid authorizer_id"),
    case(&[r#"authorization_scopes = ["email"]"#], "Unused authorization_scopes"),
    case(
        &[
            r#"authorization = "COGNITO_USER_POOLS""#,
            r#"authorizer_id = "abc123""#,
            r#"authorization_scopes = [""]"#,
        ],
        "Invalid authorization_scopes",
    ),
    case(&[r#"api_key_required = "maybe""#], "Incorrect attribute value type"),
    case(
        &[r#"request_parameters = { "method.request.body.x" = true }"#],
        "Invalid request_parameters key",
    ),
    case(
        &[r#"request_parameters = { "method.request.header.X" = "yes" }"#],
        "Incorrect attribute value type",
    ),
    case(&[r#"request_schema = "{type: object}""#], "Invalid request_schema"),
    case(&[r#"request_schema = jsonencode(["id"])"#], "Invalid request_schema"),
    case(
        &[
            r#"request_schema = jsonencode({ "$schema" = "http://json-schema.org/draft-07/schema#" })"#,
        ],
        "Invalid request_schema",
    ),
    case(&[r#"request_templates = { "json" = "{}" }"#], "Invalid request_templates key"),
    case(
        &[r#"request_templates = { "application/json; charset" = "{}" }"#],
        "Invalid request_templates key",
    ),
    case(
        &[r#"request_templates = { "application /json" = "{}" }"#],
        "Invalid request_templates key",
    ),
    case(
        &[r#"request_templates = { "application/json" = "" }"#],
        "Invalid request_templates value",
    ),
    case(
        &[r##"request_templates = { "application/json" = "#if($x) {}" }"##],
        "Invalid request_templates value",
    ),
    case(
        &[r##"request_templates = { "application/json" = "#end" }"##],
        "Invalid request_templates value",
    ),
    case(&[r#"request_templates = {}"#], "No request template"),
    case(&[r#"passthrough_behavior = "ALWAYS""#], "Invalid passthrough_behavior"),
    case(&[r#"response_status_code = "500""#], "Invalid response_status_code"),
    case(&[r#"response_status_code = "ok""#], "Invalid response_status_code"),
    case(&[r#"response_status_code = "2020""#], "Invalid response_status_code"),
    case(&[r#"response_templates = { "text" = "x" }"#], "Invalid response_templates key"),
    case(
        &[r#"response_templates = { "application/json;" = "x" }"#],
        "Invalid response_templates key",
    ),
    case(
        &[r##"response_templates = { "application/json" = "#foreach($x in $y)" }"##],
        "Invalid response_templates value",
    ),
    case(&[r#"response_parameters = { "header.X" = "'a'" }"#], "Invalid response_parameters key"),
    case(
        &[r#"response_parameters = { "method.response.header.X" = "" }"#],
        "Invalid response_parameters value",
    ),
    case(&[r#"credentials = "arn:aws:iam::123456789012:user/u""#], "Invalid credentials"),
    case(&[r#"credentials = """#], "Invalid credentials"),
    case(&[r#"credentials = "apigw-role""#], "Invalid credentials"),
    case(&[r#"timeout_milliseconds = 30000"#], "Invalid timeout_milliseconds"),
    case(&[r#"timeout_milliseconds = 10"#], "Invalid timeout_milliseconds"),
    case(&[r#"timeout_milliseconds = 100.5"#], "Invalid timeout_milliseconds"),
    case(&[r#"timeout_milliseconds = "soon""#], "Incorrect attribute value type"),
    case(&[r#"method = "POST""#], "Unsupported argument"),
    case(&[r#"delivery = "proxy""#], "Invalid delivery"),
    case(
        &[r#"delivery = "dispatcher""#, r#"request_templates = { "application/json" = "{}" }"#],
        "Not used with delivery = \"dispatcher\"",
    ),
    case(
        &[r#"delivery = "dispatcher""#, r#"passthrough_behavior = "WHEN_NO_MATCH""#],
        "Not used with delivery = \"dispatcher\"",
    ),
    case(
        &[r#"delivery = "dispatcher""#, r#"response_templates = { "application/json" = "ok" }"#],
        "Not used with delivery = \"dispatcher\"",
    ),
    case(
        &[
            r#"delivery = "dispatcher""#,
            r#"response_parameters = { "method.response.header.X" = "'a'" }"#,
        ],
        "Not used with delivery = \"dispatcher\"",
    ),
    case(
        &[r#"delivery = "dispatcher""#, r#"credentials = "arn:aws:iam::123456789012:role/r""#],
        "Not used with delivery = \"dispatcher\"",
    ),
    case(
        &[r#"delivery = "dispatcher""#, r#"qualifier = "$LATEST""#],
        "$LATEST with the dispatcher",
    ),
    case(
        &[
            r#"delivery = "dispatcher""#,
            r#"qualifier = "an-alias-name-that-is-long-enough-to-pass-the-limit-of-lambda""#,
            r#"function_name = "a-function-name-of-exactly-sixty-four-characters-xxxxxxxxxxxxxxx""#,
        ],
        "Name too long for the dispatcher",
    ),
];

/// Configurations that work, but not as meant: each gives exactly one warning.
pub(super) const WARNING_CASES: &[Case] = &[
    case(
        &[r#"request_templates = { "aplication/json" = "{}", "text/plain" = "{}" }"#],
        "Misspelled media type?",
    ),
    case(&[r#"response_templates = { "text/plan" = "ok" }"#], "Misspelled media type?"),
    case(
        &[r#"request_templates = { "application/x-www-form-urlencoded" = "{}" }"#],
        "No template for application/json",
    ),
    case(
        &[
            r#"passthrough_behavior = "WHEN_NO_TEMPLATES""#,
            r#"request_templates = { "text/plain" = "{}" }"#,
        ],
        "No template for application/json",
    ),
];

/// `async_lambda_route`'s bad values, on a valid route
/// (`api_id`, `route_key`, `function_name`).
pub(super) const ROUTE_CASES: &[Case] = &[
    case(&[r#"api_id = "my api""#], "Invalid api_id"),
    case(&[r#"route_key = "POST hooks""#], "Invalid route_key"),
    case(&[r#"route_key = "FETCH /hooks""#], "Invalid route_key"),
    case(&[r#"route_key = "GET /{proxy+}/x""#], "Invalid route_key"),
    case(&[r#"route_key = "GET /a//b""#], "Invalid route_key"),
    case(&[r#"route_key = "$DEFAULT""#], "Invalid route_key"),
    case(&[r#"function_name = "arn:aws:s3:::bucket""#], "Invalid function_name"),
    case(&[r#"function_name = "worker:live""#, r#"qualifier = "7""#], "Conflicting qualifiers"),
    case(&[r#"authorization_type = "COGNITO_USER_POOLS""#], "Invalid authorization_type"),
    Case { lines: &[r#"authorization_type = "JWT""#], summary: "Missing authorizer_id", at: None },
    case(&[r#"authorizer_id = "au1""#], "Unused authorizer_id"),
    case(
        &[
            r#"authorization_type = "CUSTOM""#,
            r#"authorizer_id = "au1""#,
            r#"authorization_scopes = ["read"]"#,
        ],
        "Unused authorization_scopes",
    ),
    case(&[r#"response_status_code = 500"#], "Invalid response_status_code"),
    case(&[r#"response_status_code = 202.5"#], "Invalid response_status_code"),
    case(&[r#"response_headers = { "bad name" = "v" }"#], "Invalid response_headers key"),
    case(&[r#"response_body = format("%01100d", 0)"#], "Invalid response_body"),
    case(&[r#"method = "POST""#], "Unsupported argument"),
];

pub(super) const PROVIDER_CASES: &[Case] = &[
    case(&[r#"region = "moon-1""#], "Invalid region"),
    case(&[r#"region = """#], "Invalid region"),
    case(&[r#"max_retries = -1"#], "Invalid max_retries"),
    case(&[r#"max_retries = 1000"#], "Invalid max_retries"),
    Case {
        lines: &[r#"access_key = "AKIAEXAMPLE""#],
        summary: "Incomplete static credentials",
        at: None,
    },
    case(&[r#"endpoints { lambda = "localhost:4566" }"#], "Invalid endpoint"),
    case(&[r#"endpoints { apigatewayv2 = "moto:5000" }"#], "Invalid endpoint"),
    case(
        &[r#"dispatcher_role_arn = "arn:aws:iam::123456789012:user/u""#],
        "Invalid dispatcher_role_arn",
    ),
];
