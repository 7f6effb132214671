//! What a test request through API Gateway showed, read from
//! TestInvokeMethod's answer: its status and its execution log, whose lines
//! are those of API Gateway's execution logs
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html>,
//! "Execution failed due to configuration error: ..."). The function is
//! named only in the log, so every failure names it from the endpoint's
//! integration instead.

/// The test request went through: Lambda accepted the event for
/// asynchronous invocation (its Invoke answers 202 to an `Event` call).
#[derive(Debug, PartialEq)]
pub struct Queued {
    pub status: u16,
    /// What API Gateway's integration call took, when its log says.
    pub integration_latency_ms: Option<u64>,
}

/// Why the test request did not reach the function as an event.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Failure {
    #[error(
        "API Gateway may not invoke {function}: its resource-based policy has no statement for \
         this REST API (\"Invalid permissions on Lambda function\"). async_lambda_endpoint adds \
         one unless credentials is set; with an OpenAPI document add an aws_lambda_permission \
         with source_arn = \"${{aws_api_gateway_rest_api.NAME.execution_arn}}/*\"; with \
         credentials, let that role call lambda:InvokeFunction on it."
    )]
    NoPermission { function: String },
    #[error(
        "Lambda has no function {function} (the integration's invocation answered {status}). \
         Create it, or point the endpoint's function_name and qualifier at one that exists; a \
         deleted alias or version counts too."
    )]
    FunctionMissing { function: String, status: u16 },
    #[error(
        "Lambda refused to queue the event for {function}: its Invoke answered {status}{}. \
         Check that the function is Active and that its asynchronous invocation quota is not \
         spent.",
        shown(body)
    )]
    LambdaRefused { function: String, status: u16, body: String },
    #[error(
        "API Gateway could not turn the request into the event for {function}: a request \
         template failed ({line}). Fix request_templates, or remove it to use the built-in \
         ones."
    )]
    TemplateFailed { function: String, line: String },
    #[error(
        "API Gateway has no default integration response for the method invoking {function} \
         (\"No match for output mapping and no default output mapping\"), so clients get 500 \
         instead of the endpoint's answer. An apply of the endpoint puts it back; with an \
         OpenAPI document, give x-amazon-apigateway-integration a \"default\" response."
    )]
    NoIntegrationResponse { function: String },
    #[error(
        "API Gateway failed ({status}) before calling {function}{}. Apply the endpoint again \
         to repair its method; if that does not help, read the execution log (API Gateway's \
         stage logging).",
        shown(line)
    )]
    GatewayFailed { function: String, status: u16, line: String },
    #[error(
        "API Gateway answered {status} before calling {function}{}: the test request was \
         refused (request validation, a required parameter, the content type with \
         passthrough_behavior). Change body, headers or content_type to a request the endpoint \
         accepts.",
        shown(body)
    )]
    RequestRefused { function: String, status: u16, body: String },
    #[error(
        "Lambda queued the event for {function}, but the client is answered {got}, not the \
         endpoint's {expected}{}. Check response_status_code and the integration responses.",
        shown(body)
    )]
    UnexpectedStatus { function: String, got: u16, expected: u16, body: String },
}

fn shown(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() { String::new() } else { format!(" ({body})") }
}

/// Reads TestInvokeMethod's `status`, `body` and `log` for an endpoint
/// invoking `function`, answering `expected` once the event is queued;
/// `lambda_accepts` are the statuses the log gives Lambda's Invoke when it
/// took the event (202 for an `Event` invocation; see `test` for the
/// dispatcher's).
pub fn judge(
    function: &str,
    expected: u16,
    lambda_accepts: &[u16],
    status: u16,
    body: &str,
    log: &str,
) -> Result<Queued, Failure> {
    let function = function.to_owned();
    let configuration_error = log
        .lines()
        .find_map(|line| line.split_once("Execution failed due to configuration error: "))
        .map(|(_, why)| why.trim().to_owned());
    let lambda = lambda_answer(log);
    if let Some(why) = &configuration_error {
        if why.starts_with("Invalid permissions on Lambda function") {
            return Err(Failure::NoPermission { function });
        }
        if why.starts_with("No match for output mapping") {
            return Err(Failure::NoIntegrationResponse { function });
        }
        if lambda.is_none() {
            return Err(Failure::TemplateFailed { function, line: why.clone() });
        }
    }
    let Some((lambda_status, integration_latency_ms)) = lambda else {
        if status >= 500 {
            let line = failed_line(log).unwrap_or_default();
            return Err(Failure::GatewayFailed { function, status, line });
        }
        return Err(Failure::RequestRefused { function, status, body: body.to_owned() });
    };
    match lambda_status {
        accepted if lambda_accepts.contains(&accepted) && status == expected => {
            Ok(Queued { status, integration_latency_ms })
        }
        accepted if lambda_accepts.contains(&accepted) => {
            Err(Failure::UnexpectedStatus { function, got: status, expected, body: body.into() })
        }
        404 => Err(Failure::FunctionMissing { function, status: lambda_status }),
        403 => Err(Failure::NoPermission { function }),
        other => Err(Failure::LambdaRefused {
            function,
            status: other,
            body: endpoint_body(log).unwrap_or_default(),
        }),
    }
}

/// "Received response. Status: 202, Integration latency: 150 ms": what
/// Lambda answered the integration, and how long it took.
fn lambda_answer(log: &str) -> Option<(u16, Option<u64>)> {
    let (_, rest) = log.lines().find_map(|line| line.split_once("Received response. Status: "))?;
    let status = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    let latency = rest
        .split_once("Integration latency: ")
        .and_then(|(_, ms)| ms.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    Some((status, latency))
}

/// "Execution failed due to ...": why API Gateway gave up, as the log says.
fn failed_line(log: &str) -> Option<String> {
    let (_, why) = log.lines().find_map(|line| line.split_once("Execution failed due to "))?;
    Some(why.trim().trim_start_matches(':').trim().to_owned())
}

/// Lambda's answer to the integration, as the log shows it.
fn endpoint_body(log: &str) -> Option<String> {
    let (_, body) = log
        .lines()
        .find_map(|line| line.split_once("Endpoint response body before transformations: "))?;
    Some(body.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:worker";

    /// An execution log as API Gateway writes it, with `lines` in the middle.
    fn log(lines: &[&str]) -> String {
        let mut log = vec![
            "Execution log for request 9a1c",
            "Fri Dec 04 14:50:14 UTC 2026 : Starting execution for request: 9a1c",
            "Fri Dec 04 14:50:14 UTC 2026 : HTTP Method: POST, Resource Path: /jobs",
        ];
        log.extend(lines);
        log.join("\n")
    }

    #[test]
    fn a_queued_event_answered_as_configured_passes() {
        let log = log(&[
            "Fri Dec 04 14:50:14 UTC 2026 : Received response. Status: 202, Integration latency: 150 ms",
            "Fri Dec 04 14:50:14 UTC 2026 : Endpoint response body before transformations: ",
            "Fri Dec 04 14:50:14 UTC 2026 : Method completed with status: 202",
        ]);
        let queued = judge(FUNCTION, 202, &[202], 202, "{\"accepted\": true}", &log).unwrap();
        assert_eq!(queued, Queued { status: 202, integration_latency_ms: Some(150) });
        let refused = judge(FUNCTION, 200, &[202], 202, "", &log).unwrap_err();
        assert!(matches!(refused, Failure::UnexpectedStatus { got: 202, expected: 200, .. }));
    }

    #[test]
    fn the_dispatchers_answer_passes_as_either_log_shows_it() {
        let status_line = |status: u16| {
            format!("Fri Dec 04 : Received response. Status: {status}, Integration latency: 9 ms")
        };
        // AWS logs Lambda's 200 to the synchronous Invoke; LocalStack the
        // proxy response's status.
        for lambda in [200, 202] {
            let log =
                log(&[&status_line(lambda), "Fri Dec 04 : Method completed with status: 202"]);
            assert!(judge(FUNCTION, 202, &[200, 202], 202, "{}", &log).is_ok(), "{lambda}");
        }
        let failed = log(&[&status_line(500)]);
        let failure = judge(FUNCTION, 202, &[200, 202], 500, "{}", &failed).unwrap_err();
        assert!(matches!(failure, Failure::LambdaRefused { status: 500, .. }), "{failure}");
    }

    #[test]
    fn each_failure_is_told_apart_and_names_the_function() {
        let permission = log(&[
            "Fri Dec 04 : Execution failed due to configuration error: Invalid permissions on Lambda function",
            "Fri Dec 04 : Method completed with status: 500",
        ]);
        let missing = log(&[
            "Fri Dec 04 : Received response. Status: 404, Integration latency: 8 ms",
            "Fri Dec 04 : Endpoint response body before transformations: {\"Message\":\"Function not found\"}",
        ]);
        let throttled = log(&[
            "Fri Dec 04 : Received response. Status: 429, Integration latency: 8 ms",
            "Fri Dec 04 : Endpoint response body before transformations: {\"Message\":\"Rate exceeded\"}",
        ]);
        let template = log(&[
            "Fri Dec 04 : Execution failed due to configuration error: Unable to transform request",
        ]);
        let no_response = log(&[
            "Fri Dec 04 : Received response. Status: 202, Integration latency: 20 ms",
            "Fri Dec 04 : Execution failed due to configuration error: No match for output mapping and no default output mapping",
        ]);
        let validated = log(&["Fri Dec 04 : Request body does not match model schema"]);
        // LocalStack's log, where AWS's says more.
        let failed = log(&[
            "Fri Dec 04 : Execution failed due to : ",
            "Fri Dec 04 : Method completed with status: 500",
        ]);
        let cases = [
            (permission, 500, "Invalid permissions"),
            (missing, 500, "has no function"),
            (throttled, 500, "Rate exceeded"),
            (template, 500, "Unable to transform request"),
            (no_response, 500, "no default integration response"),
            (validated, 400, "answered 400 before calling"),
            (failed, 500, "failed (500) before calling"),
        ];
        for (log, status, says) in cases {
            let failure =
                judge(FUNCTION, 202, &[202], status, "{\"message\": \"x\"}", &log).unwrap_err();
            let text = failure.to_string();
            assert!(text.contains(says), "{says}: {text}");
            assert!(text.contains(FUNCTION), "names the function: {text}");
        }
    }
}
