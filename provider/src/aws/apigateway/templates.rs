//! Mapping templates compared the way API Gateway treats them.

use std::collections::{BTreeMap, HashMap};

/// A template as API Gateway treats it: line endings and trailing
/// whitespace do not matter.
pub fn normalise_whitespace(template: &str) -> String {
    template.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// Whether `observed` holds `templates`, but for whitespace.
pub fn same_templates(
    templates: &BTreeMap<String, String>,
    observed: &HashMap<String, String>,
) -> bool {
    templates.len() == observed.len()
        && templates.iter().all(|(k, v)| {
            observed
                .get(k)
                .is_some_and(|o| o == v || normalise_whitespace(o) == normalise_whitespace(v))
        })
}
