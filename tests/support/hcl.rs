//! The one way tests write an `async_lambda_endpoint` in HCL.

/// An `async_lambda_endpoint` resource block: its name and its arguments, in
/// the order they were first set.
///
/// ```ignore
/// Endpoint::new("hook", &api, &resource, "POST", "worker")
///     .string("response_status_code", "200")
///     .set("request_parameters", r#"{ "method.request.header.X-Signature" = true }"#)
///     .hcl()
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint {
    name: String,
    arguments: Vec<(String, String)>,
}

impl Endpoint {
    /// Endpoint `name` with the four required arguments, as strings.
    pub fn new(
        name: &str,
        rest_api_id: &str,
        resource_id: &str,
        http_method: &str,
        function_name: &str,
    ) -> Endpoint {
        Endpoint::named(name)
            .string("rest_api_id", rest_api_id)
            .string("resource_id", resource_id)
            .string("http_method", http_method)
            .string("function_name", function_name)
    }

    /// Endpoint `name` with no arguments yet (to set them as references).
    pub fn named(name: &str) -> Endpoint {
        Endpoint { name: name.to_owned(), arguments: Vec::new() }
    }

    /// Sets `argument` to the HCL expression `expression` (a reference, a
    /// number, a list, a map, a heredoc, or a wrong value for a bad-input
    /// case), in place of any earlier value.
    pub fn set(mut self, argument: &str, expression: &str) -> Endpoint {
        match self.arguments.iter_mut().find(|(name, _)| name == argument) {
            Some((_, value)) => *value = expression.to_owned(),
            None => self.arguments.push((argument.to_owned(), expression.to_owned())),
        }
        self
    }

    /// Sets `argument` to the string `value`.
    pub fn string(self, argument: &str, value: &str) -> Endpoint {
        self.set(argument, &string(value))
    }

    /// Sets each `(argument, expression)` in turn, as [`Endpoint::set`] does.
    pub fn with(self, arguments: &[(&str, &str)]) -> Endpoint {
        arguments
            .iter()
            .fold(self, |endpoint, (argument, expression)| endpoint.set(argument, expression))
    }

    /// Its address in state, `async_lambda_endpoint.NAME`.
    pub fn address(&self) -> String {
        format!("async_lambda_endpoint.{}", self.name)
    }

    /// The block's lines, from `resource "async_lambda_endpoint" "NAME" {`
    /// to `}`; one argument a line (a multi-line expression spans several).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("resource \"async_lambda_endpoint\" \"{}\" {{", self.name)];
        for (argument, expression) in &self.arguments {
            let line = format!("  {argument} = {expression}");
            lines.extend(line.split('\n').map(str::to_owned));
        }
        lines.push("}".to_owned());
        lines
    }

    /// The block, ending in a newline.
    pub fn hcl(&self) -> String {
        self.lines().iter().map(|line| format!("{line}\n")).collect()
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hcl())
    }
}

/// `value` as an HCL string literal: quotes, backslashes, control characters
/// and template sequences (`${`, `%{`) escaped.
pub fn string(value: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The whole configuration: the `terraform` block, `provider` (a provider
/// block) and the endpoints.
pub fn configuration(provider: &str, endpoints: &[Endpoint]) -> String {
    let endpoints: String = endpoints.iter().map(|e| format!("\n{e}")).collect();
    format!("{}{provider}{endpoints}", super::terraform::required_providers())
}
