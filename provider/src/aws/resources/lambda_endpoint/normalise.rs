//! What AWS holds, spelled the way the prior state has it wherever it means
//! the same, so a refresh shows no change that is not one.

use std::collections::{BTreeMap, HashMap};

use crate::aws::apigateway::templates::same_templates;

/// Templates as state: the prior's text when equal but for whitespace, unset
/// when they are the built-in ones, else what AWS holds.
pub fn templates(
    prior: Option<&BTreeMap<String, String>>,
    built_in: &BTreeMap<String, String>,
    observed: Option<&HashMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    let empty = HashMap::new();
    let observed = observed.unwrap_or(&empty);
    match prior {
        Some(prior) if same_templates(prior, observed) => Some(prior.clone()),
        _ if same_templates(built_in, observed) => None,
        _ => Some(observed.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    }
}

/// HTTP header names are case-insensitive and AWS may change their case:
/// keep the prior spelling of keys that match but for case.
pub fn key_spelling<P, V>(
    prior: Option<&BTreeMap<String, P>>,
    observed: BTreeMap<String, V>,
) -> BTreeMap<String, V> {
    let prior_keys: Vec<&String> = prior.into_iter().flat_map(|m| m.keys()).collect();
    observed
        .into_iter()
        .map(|(k, v)| {
            let spelled =
                prior_keys.iter().find(|p| p.eq_ignore_ascii_case(&k)).map_or(k, |p| (*p).clone());
            (spelled, v)
        })
        .collect()
}

/// A set as a list: unset when empty, the prior order when the members are
/// the same.
pub fn set_order(prior: Option<&[String]>, observed: &[String]) -> Option<Vec<String>> {
    if observed.is_empty() {
        return None;
    }
    let sorted = |items: &[String]| {
        let mut items = items.to_vec();
        items.sort_unstable();
        items
    };
    match prior {
        Some(prior) if sorted(prior) == sorted(observed) => Some(prior.to_vec()),
        _ => Some(observed.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::templates::built_in_request_templates;

    fn templates_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn sorted(map: HashMap<String, String>) -> BTreeMap<String, String> {
        map.into_iter().collect()
    }

    #[test]
    fn built_in_templates_read_back_as_unset() {
        let observed: HashMap<String, String> =
            built_in_request_templates().clone().into_iter().collect();
        assert_eq!(templates(None, built_in_request_templates(), Some(&observed)), None);
    }

    #[test]
    fn whitespace_differences_keep_the_configured_text() {
        let prior = sorted(templates_of(&[("application/json", "{\"a\": 1}  \r\n")]));
        let observed = templates_of(&[("application/json", "{\"a\": 1}")]);
        let state = templates(Some(&prior), built_in_request_templates(), Some(&observed));
        assert_eq!(state, Some(prior));
    }

    #[test]
    fn real_template_changes_show_as_drift() {
        let prior = sorted(templates_of(&[("application/json", "{}")]));
        let observed = templates_of(&[("application/json", "{\"x\": 1}")]);
        let state = templates(Some(&prior), built_in_request_templates(), Some(&observed));
        assert_eq!(state, Some(sorted(observed)));
    }

    #[test]
    fn header_names_keep_their_configured_case() {
        let prior = BTreeMap::from([("method.request.header.X-Signature".to_owned(), true)]);
        let observed = BTreeMap::from([("method.request.header.x-signature".to_owned(), true)]);
        let kept = key_spelling(Some(&prior), observed);
        assert!(kept.contains_key("method.request.header.X-Signature"));
    }

    #[test]
    fn sets_keep_their_configured_order() {
        let prior = vec!["b".to_owned(), "a".to_owned()];
        let observed = ["a".to_owned(), "b".to_owned()];
        assert_eq!(set_order(Some(&prior), &observed), Some(prior.clone()));
        assert_eq!(set_order(Some(&prior), &observed[..1]), Some(vec!["a".to_owned()]));
        assert_eq!(set_order(Some(&prior), &[]), None);
    }
}
