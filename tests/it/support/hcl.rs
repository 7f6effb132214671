//! The one way tests write HCL: the `terraform` block, `async_lambda_endpoint`
//! blocks, and the hashicorp/aws REST API, resources, deployment and stage
//! that endpoints are composed with.

use super::terraform::PROVIDER_SOURCE;

/// A `resource "TYPE" "NAME"` block: its arguments and nested blocks, in the
/// order they were first set.
///
/// ```ignore
/// let api = rest_api("api", "orders");
/// let jobs = api_resource("jobs", &api, "jobs");
/// stage("api", &api, &deployment("api", &api, &[("jobs", "...")]), "test")
///     .set("variables", r#"{ greeting = "hello" }"#)
///     .hcl()
/// ```
#[derive(Clone, Debug)]
pub struct Resource {
    kind: String,
    name: String,
    items: Vec<Item>,
}

/// An argument (`name = expression`) or a nested block (`name { ... }`).
#[derive(Clone, Debug)]
enum Item {
    Argument(String, String),
    Block(String, Vec<(String, String)>),
}

impl Item {
    fn name(&self) -> &str {
        match self {
            Item::Argument(name, _) | Item::Block(name, _) => name,
        }
    }
}

impl Resource {
    /// Resource `name` of type `kind`, with nothing set yet.
    pub fn new(kind: &str, name: &str) -> Resource {
        Resource { kind: kind.to_owned(), name: name.to_owned(), items: Vec::new() }
    }

    /// Sets `argument` to the HCL expression `expression` (a reference, a
    /// number, a list, a map, a heredoc, or a wrong value for a bad-input
    /// case), in place of any earlier value.
    pub fn set(self, argument: &str, expression: &str) -> Resource {
        self.put(Item::Argument(argument.to_owned(), expression.to_owned()))
    }

    /// Sets `argument` to the string `value`.
    pub fn string(self, argument: &str, value: &str) -> Resource {
        self.set(argument, &string(value))
    }

    /// Sets each `(argument, expression)` in turn, as [`Resource::set`] does.
    pub fn with(self, arguments: &[(&str, &str)]) -> Resource {
        arguments
            .iter()
            .fold(self, |resource, (argument, expression)| resource.set(argument, expression))
    }

    /// Sets the nested block `name` (such as `lifecycle`) to `arguments`, in
    /// place of any earlier one.
    pub fn block(self, name: &str, arguments: &[(&str, &str)]) -> Resource {
        let arguments = arguments.iter().map(|(a, e)| ((*a).to_owned(), (*e).to_owned()));
        self.put(Item::Block(name.to_owned(), arguments.collect()))
    }

    fn put(mut self, item: Item) -> Resource {
        match self.items.iter_mut().find(|old| old.name() == item.name()) {
            Some(old) => *old = item,
            None => self.items.push(item),
        }
        self
    }

    /// The expression for its attribute `attribute`: `TYPE.NAME.ATTRIBUTE`.
    pub fn attribute(&self, attribute: &str) -> String {
        format!("{}.{}.{attribute}", self.kind, self.name)
    }

    /// The block's lines, from `resource "TYPE" "NAME" {` to `}`; one
    /// argument a line (a multi-line expression spans several).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("resource \"{}\" \"{}\" {{", self.kind, self.name)];
        for item in &self.items {
            match item {
                Item::Argument(name, expression) => argument(&mut lines, "  ", name, expression),
                Item::Block(name, arguments) => {
                    lines.push(format!("  {name} {{"));
                    for (name, expression) in arguments {
                        argument(&mut lines, "    ", name, expression);
                    }
                    lines.push("  }".to_owned());
                }
            }
        }
        lines.push("}".to_owned());
        lines
    }

    /// The block, ending in a newline.
    pub fn hcl(&self) -> String {
        self.lines().iter().map(|line| format!("{line}\n")).collect()
    }
}

/// Adds the line `name = expression`, indented, to `lines` (several lines
/// for a multi-line expression).
fn argument(lines: &mut Vec<String>, indent: &str, name: &str, expression: &str) {
    let line = format!("{indent}{name} = {expression}");
    lines.extend(line.split('\n').map(str::to_owned));
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hcl())
    }
}

/// An `async_lambda_endpoint` resource block.
///
/// ```ignore
/// Endpoint::new("hook", &api, &resource, "POST", "worker")
///     .string("response_status_code", "200")
///     .set("request_parameters", r#"{ "method.request.header.X-Signature" = true }"#)
///     .hcl()
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint(Resource);

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
        Endpoint(Resource::new("async_lambda_endpoint", name))
    }

    /// As [`Resource::set`].
    pub fn set(self, argument: &str, expression: &str) -> Endpoint {
        Endpoint(self.0.set(argument, expression))
    }

    /// As [`Resource::string`].
    pub fn string(self, argument: &str, value: &str) -> Endpoint {
        Endpoint(self.0.string(argument, value))
    }

    /// As [`Resource::with`].
    pub fn with(self, arguments: &[(&str, &str)]) -> Endpoint {
        Endpoint(self.0.with(arguments))
    }

    /// As [`Resource::attribute`].
    pub fn attribute(&self, attribute: &str) -> String {
        self.0.attribute(attribute)
    }

    /// As [`Resource::lines`].
    pub fn lines(&self) -> Vec<String> {
        self.0.lines()
    }

    /// As [`Resource::hcl`].
    pub fn hcl(&self) -> String {
        self.0.hcl()
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `aws_api_gateway_rest_api.NAME`, called `api_name` in API Gateway.
pub fn rest_api(name: &str, api_name: &str) -> Resource {
    Resource::new("aws_api_gateway_rest_api", name).string("name", api_name)
}

/// `aws_api_gateway_resource.NAME`: `path_part` under the root of `api`
/// (under another resource: set `parent_id`).
pub fn api_resource(name: &str, api: &Resource, path_part: &str) -> Resource {
    Resource::new("aws_api_gateway_resource", name)
        .set("rest_api_id", &api.attribute("id"))
        .set("parent_id", &api.attribute("root_resource_id"))
        .string("path_part", path_part)
}

/// `aws_api_gateway_deployment.NAME` of `api`, made again (before the old one
/// goes) whenever one of its `triggers` (name, expression) changes.
pub fn deployment(name: &str, api: &Resource, triggers: &[(&str, &str)]) -> Resource {
    Resource::new("aws_api_gateway_deployment", name)
        .set("rest_api_id", &api.attribute("id"))
        .set("triggers", &map(triggers))
        .block("lifecycle", &[("create_before_destroy", "true")])
}

/// `aws_api_gateway_stage.NAME` of `api`, `stage_name`, serving `deployment`.
pub fn stage(name: &str, api: &Resource, deployment: &Resource, stage_name: &str) -> Resource {
    Resource::new("aws_api_gateway_stage", name)
        .set("rest_api_id", &api.attribute("id"))
        .set("deployment_id", &deployment.attribute("id"))
        .string("stage_name", stage_name)
}

/// An HCL map of `(key, expression)` entries, one a line, for an argument of
/// a resource block.
pub fn map(entries: &[(&str, &str)]) -> String {
    let entries: String = entries.iter().map(|(k, v)| format!("    {k} = {v}\n")).collect();
    format!("{{\n{entries}  }}")
}

/// `output "NAME" { value = EXPRESSION }`.
pub fn output(name: &str, expression: &str) -> String {
    format!("output \"{name}\" {{\n  value = {expression}\n}}\n")
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

/// The `terraform` block every test configuration starts with: this provider
/// and, by local name, the `hashicorp` providers in `hashicorp` (`["aws"]`).
pub fn required_providers(hashicorp: &[&str]) -> String {
    let mut providers = vec![("async", PROVIDER_SOURCE.to_owned())];
    providers.extend(hashicorp.iter().map(|name| (*name, format!("hashicorp/{name}"))));
    let width = providers.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let lines: String = providers
        .iter()
        .map(|(name, source)| format!("    {name:width$} = {{ source = \"{source}\" }}\n"))
        .collect();
    format!("terraform {{\n  required_providers {{\n{lines}  }}\n}}\n")
}

/// The whole configuration: the `terraform` block, `provider` (a provider
/// block) and the endpoints.
pub fn configuration(provider: &str, endpoints: &[Endpoint]) -> String {
    let endpoints: String = endpoints.iter().map(|e| format!("\n{e}")).collect();
    format!("{}{provider}{endpoints}", required_providers(&[]))
}
