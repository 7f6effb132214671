//! Renders the Terraform Registry docs (`docs/index.md`,
//! `docs/resources/<name>.md`, `docs/list-resources/<name>.md`,
//! `docs/functions/<name>.md`, `docs/actions/<name>.md`) from the provider's schemas and the files in
//! `examples/`, so the docs say what the code does.
//!
//! Usage: `gen-docs` writes the files; `gen-docs --check` writes nothing and
//! exits 1, naming each stale file, when the files on disk differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use terraform_provider_async::aws::AwsProvider;
use terraform_provider_async::plugin::{Block, Nesting, Presence, Provider, Type};

const PROVIDER_NAME: &str = "async";
/// The name terraform-plugin-docs puts in page titles.
const REPOSITORY: &str = env!("CARGO_PKG_NAME");

/// Opening of `docs/index.md`; keep in step with README.md.
const PROVIDER_INTRO: &str = "\
The async provider offers `async_lambda_endpoint`: an API Gateway REST API (v1) \
method that invokes a Lambda function **asynchronously** and answers the caller at once \
(202 Accepted by default). Webhook senders that give up after a second or three (Slack, LINE) get \
their answer in milliseconds while the function runs on. `async_lambda_route` does the same for \
HTTP API (v2) routes, which cannot invoke Lambda asynchronously themselves, through a small \
dispatcher function the provider deploys and manages.

The method, the `AWS` integration with `X-Amz-Invocation-Type: 'Event'`, its mapping templates, \
the method and integration responses and the Lambda permission are created in order, updated \
in place (only what changed, never deleting the method) and retried when API Gateway throttles, \
so no `depends_on` or second apply is needed.

The provider speaks Terraform plugin protocol 5 and works with Terraform 1.0 and newer.";

/// README.md's section on what the default request template (`templates.rs`)
/// produces, which the resource page carries too: one text for both.
const EVENT_CONTRACT_HEADING: &str = "## The event contract";

/// The event contract section of README.md, with the Registry's heading.
fn event_contract(root: &Path) -> Result<String, String> {
    let readme =
        std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let start = readme
        .find(EVENT_CONTRACT_HEADING)
        .ok_or_else(|| format!("README.md has no {EVENT_CONTRACT_HEADING:?} section"))?;
    let section = &readme[start + EVENT_CONTRACT_HEADING.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    Ok(format!("## Event Contract{}", section[..end].trim_end()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.as_slice() {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("usage: gen-docs [--check]");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root");
    let result = generate(root)
        .and_then(|docs| if check { check_docs(root, &docs) } else { write_docs(root, &docs) });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Every generated file, by path relative to the repository root.
fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let provider = AwsProvider::new();
    let example = |path: &str| {
        std::fs::read_to_string(root.join(path))
            .map(|text| text.trim_end().to_owned())
            .map_err(|e| format!("cannot read {path}: {e}"))
    };
    let mut docs = BTreeMap::new();

    let mut index = front_matter(&format!("{PROVIDER_NAME} Provider"), PROVIDER_INTRO);
    let _ = write!(
        index,
        "# {PROVIDER_NAME} Provider\n\n{PROVIDER_INTRO}\n\n## Example Usage\n\n{}\n\n\
         ## Argument Reference\n\n{}\n\n",
        fenced("terraform", &example("examples/provider/provider.tf")?),
        provider.schema().block.description,
    );
    index.push_str(&arguments(&provider.schema().block));
    docs.insert(PathBuf::from("docs/index.md"), finish(index));

    let mut resources = provider.resources();
    resources.sort_by_key(|r| r.type_name());
    for resource in resources {
        let type_name = resource.type_name();
        let block = &resource.schema().block;
        let dir = format!("examples/resources/{type_name}");
        let mut page =
            front_matter(&format!("{type_name} Resource - {REPOSITORY}"), &block.description);
        let _ = write!(
            page,
            "# {type_name} (Resource)\n\n{}\n\n## Example Usage\n\n{}\n\n## Argument Reference\n\n",
            block.description,
            fenced("terraform", &example(&format!("{dir}/resource.tf"))?),
        );
        page.push_str(&arguments(block));
        let attributes = attributes(block);
        if !attributes.is_empty() {
            page.push_str("## Attribute Reference\n\n");
            page.push_str(
                "In addition to all arguments above, the following attributes are exported:\n\n",
            );
            page.push_str(&attributes);
        }
        if type_name == "async_lambda_endpoint" {
            let _ = write!(page, "\n{}\n", event_contract(root)?);
        }
        if root.join(&dir).join("import.sh").exists() {
            let _ = write!(
                page,
                "\n## Import\n\nImport is supported using the following syntax:\n\n{}\n",
                fenced("shell", &example(&format!("{dir}/import.sh"))?),
            );
        }
        if let Some(identity) = resource.identity_schema()
            && root.join(&dir).join("import-by-identity.tf").exists()
        {
            let _ = write!(
                page,
                "\nIn Terraform 1.12 and later, an `import` block can name the object by its \
                 identity:\n\n{}\n\n### Identity Schema\n\n",
                fenced("terraform", &example(&format!("{dir}/import-by-identity.tf"))?),
            );
            for (heading, required) in [("Required", true), ("Optional", false)] {
                let _ = writeln!(page, "{heading}:\n");
                for a in identity.attributes.iter().filter(|a| a.required_for_import == required) {
                    let _ = writeln!(
                        page,
                        "- `{}` ({}) {}",
                        a.name,
                        self::type_name(&a.ty),
                        a.description
                    );
                }
                page.push('\n');
            }
        }
        let file = type_name.strip_prefix(&format!("{PROVIDER_NAME}_")).unwrap_or(type_name);
        docs.insert(PathBuf::from(format!("docs/resources/{file}.md")), finish(page));

        if let Some(list) = resource.list_schema() {
            let query = example(&format!("examples/list-resources/{type_name}/list.tfquery.hcl"))?;
            let mut page = front_matter(
                &format!("{type_name} List Resource - {REPOSITORY}"),
                &list.block.description,
            );
            let _ = write!(
                page,
                "# {type_name} (List Resource)\n\n{}\n\nTerraform 1.14 and later, in a \
                 `.tfquery.hcl` file, with `terraform query`; `terraform query \
                 -generate-config-out=FILE` writes an `import` block and the configuration for \
                 each result (see the [adoption guide](../guides/migrating.md)).\n\n\
                 ## Example Usage\n\n{}\n\n## Argument Reference\n\n\
                 The `config` block takes these arguments.\n\n",
                list.block.description,
                fenced("terraform", &query),
            );
            page.push_str(&arguments(&list.block));
            docs.insert(PathBuf::from(format!("docs/list-resources/{file}.md")), finish(page));
        }
    }

    for function in provider.functions() {
        let name = function.name();
        let signature = function.signature();
        let mut page = front_matter(&format!("{name} function - {REPOSITORY}"), &signature.summary);
        let parameters: Vec<String> = signature
            .parameters
            .iter()
            .map(|p| format!("{} {}", p.name, type_name(&p.ty).to_lowercase()))
            .collect();
        let _ = write!(
            page,
            "# function: {name}\n\n{}\n\nTerraform 1.8 and later, as \
             `provider::{PROVIDER_NAME}::{name}(...)`.\n\n## Example Usage\n\n{}\n\n\
             ## Signature\n\n{}\n\n## Arguments\n\n",
            signature.description,
            fenced("terraform", &example(&format!("examples/functions/{name}/function.tf"))?),
            fenced(
                "text",
                &format!(
                    "{name}({}) {}",
                    parameters.join(", "),
                    type_name(&signature.return_type).to_lowercase()
                )
            ),
        );
        for (i, p) in signature.parameters.iter().enumerate() {
            let nullable = if p.allow_null { ", Nullable" } else { "" };
            let _ = writeln!(
                page,
                "{}. `{}` ({}{nullable}) {}",
                i + 1,
                p.name,
                type_name(&p.ty),
                p.description
            );
        }
        docs.insert(PathBuf::from(format!("docs/functions/{name}.md")), finish(page));
    }

    let mut actions = provider.actions();
    actions.sort_by_key(|a| a.type_name());
    for action in actions {
        let type_name = action.type_name();
        let block = &action.schema().block;
        let mut page =
            front_matter(&format!("{type_name} Action - {REPOSITORY}"), &block.description);
        let _ = write!(
            page,
            "# {type_name} (Action)\n\n{}\n\nTerraform 1.14 and later: invoked after create or \
             update from a resource's `lifecycle {{ action_trigger {{ ... }} }}`, or on request \
             with `terraform apply -invoke=action.{type_name}.NAME`.\n\n## Example Usage\n\n{}\n\n\
             ## Argument Reference\n\nThe `config` block takes these arguments.\n\n",
            block.description,
            fenced("terraform", &example(&format!("examples/actions/{type_name}/action.tf"))?),
        );
        page.push_str(&arguments(block));
        let file = type_name.strip_prefix(&format!("{PROVIDER_NAME}_")).unwrap_or(type_name);
        docs.insert(PathBuf::from(format!("docs/actions/{file}.md")), finish(page));
    }
    Ok(docs)
}

/// The front matter terraform-plugin-docs writes, which the Registry reads.
fn front_matter(title: &str, description: &str) -> String {
    let first = description.split("\n\n").next().unwrap_or_default();
    let mut text = format!(
        "---\n# generated by `make docs` (provider/src/bin/gen-docs.rs); do not edit\n\
         page_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n"
    );
    for line in first.lines() {
        let _ = writeln!(text, "  {line}");
    }
    text.push_str("---\n\n");
    text
}

fn fenced(language: &str, code: &str) -> String {
    format!("```{language}\n{code}\n```")
}

/// The arguments of `block`, required ones first, then its nested blocks,
/// each in a section of its own.
fn arguments(block: &Block) -> String {
    let mut text = String::new();
    nested_arguments(&mut text, block, "");
    text
}

/// Appends the arguments of `block`, found at `path` (`""` at the top).
fn nested_arguments(text: &mut String, block: &Block, path: &str) {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for attribute in &block.attributes {
        let mut line = format!("- `{}` ({}", attribute.name, type_name(&attribute.ty));
        if attribute.sensitive {
            line.push_str(", Sensitive");
        }
        let _ = write!(line, ") {}", attribute.description);
        if attribute.requires_replace {
            line.push_str(" Changing this forces a new resource.");
        }
        match attribute.presence {
            Presence::Required => required.push(line),
            Presence::Optional | Presence::OptionalComputed => optional.push(line),
            Presence::Computed => {}
        }
    }
    for nested in &block.blocks {
        let kind = match nested.nesting {
            Nesting::Single => "Block",
            Nesting::List => "Block List",
            Nesting::Set => "Block Set",
        };
        let max = if nested.max_items > 0 && nested.nesting != Nesting::Single {
            format!(", Max: {}", nested.max_items)
        } else {
            String::new()
        };
        let anchor = anchor(path, &nested.name);
        let line = format!(
            "- `{}` ({kind}{max}) {} See [below](#{anchor}).",
            nested.name, nested.block.description
        );
        if nested.min_items > 0 { required.push(line) } else { optional.push(line) }
    }
    for (heading, lines) in [("required", &required), ("optional", &optional)] {
        if !lines.is_empty() {
            let _ = writeln!(text, "The following arguments are {heading}:\n");
            for line in lines {
                let _ = writeln!(text, "{line}");
            }
            text.push('\n');
        }
    }
    for nested in &block.blocks {
        let name =
            if path.is_empty() { nested.name.clone() } else { format!("{path}.{}", nested.name) };
        let _ =
            writeln!(text, "<a id=\"{}\"></a>\n### `{name}` Block\n", anchor(path, &nested.name));
        nested_arguments(text, &nested.block, &name);
    }
}

/// The Markdown list of `block`'s computed-only attributes.
fn attributes(block: &Block) -> String {
    let mut text = String::new();
    for attribute in block.attributes.iter().filter(|a| a.presence == Presence::Computed) {
        let _ = writeln!(
            text,
            "- `{}` ({}) {}",
            attribute.name,
            type_name(&attribute.ty),
            attribute.description
        );
    }
    text
}

fn anchor(path: &str, name: &str) -> String {
    format!("nestedblock--{}", format!("{path}.{name}").trim_start_matches('.').replace('.', "--"))
}

/// Types the way terraform-plugin-docs names them: `String`, `Set of String`.
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// One trailing newline, no trailing blank lines.
fn finish(text: String) -> String {
    format!("{}\n", text.trim_end())
}

fn write_docs(root: &Path, docs: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    for (path, text) in docs {
        let full = root.join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        if std::fs::read_to_string(&full).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&full, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    for path in orphans(root, docs) {
        std::fs::remove_file(root.join(&path))
            .map_err(|e| format!("cannot delete {}: {e}", path.display()))?;
        println!("deleted {}", path.display());
    }
    Ok(())
}

/// Generated pages on disk that nothing generates now (e.g. after a rename).
fn orphans(root: &Path, docs: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let generated = ["docs/resources", "docs/list-resources", "docs/functions", "docs/actions"];
    let mut orphans: Vec<PathBuf> = generated
        .iter()
        .filter_map(|dir| Some((dir, std::fs::read_dir(root.join(dir)).ok()?)))
        .flat_map(|(dir, entries)| {
            entries.filter_map(|entry| Some(Path::new(dir).join(entry.ok()?.file_name())))
        })
        .filter(|path| path.extension().is_some_and(|e| e == "md") && !docs.contains_key(path))
        .collect();
    orphans.sort();
    orphans
}

fn check_docs(root: &Path, docs: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    let mut stale: Vec<String> = docs
        .iter()
        .filter(|(path, text)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(path, _)| format!("  {}", path.display()))
        .collect();
    for path in orphans(root, docs) {
        stale.push(format!("  {} (nothing generates it; `make docs` deletes it)", path.display()));
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "These docs differ from what the schemas and examples generate; run `make docs`:\n{}",
            stale.join("\n")
        ))
    }
}
