//! The execute-api ARNs API Gateway invokes a function from, which the
//! permission statements letting it do so are conditioned on.
//!
//! API Gateway names the invoking method
//! `arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/VERB/PATH`, its
//! path as the resource's template (`hooks/{source}`): see "Control access
//! for invoking an API" in the API Gateway developer guide.

use super::MethodId;
use crate::aws::arn::Account;
use crate::aws::arn::Arn;

/// Every stage, method and path of one API: the broadest source ARN an
/// API's statement gets, and never broader than that API.
pub fn whole_api(account: &Account, api_id: &str) -> String {
    format!(
        "arn:{}:execute-api:{}:{}:{api_id}/*",
        account.partition, account.region, account.account_id
    )
}

/// The partition, region and account an execute-api source ARN names, when
/// it names each outright.
pub fn account_of(source_arn: &str) -> Option<Account> {
    Arn::parse(source_arn).filter(|arn| arn.service == "execute-api")?.account()
}

/// Whether a statement conditioned on `source_arn` lets API Gateway invoke
/// the function for `method` on `path` from some stage, with a source ARN
/// no broader than that REST API: its partition, region, account and API id
/// written out, the rest matched as IAM's `ArnLike` does (`*` any run of
/// characters, `?` one). An `ANY` method needs every verb.
pub fn grants(source_arn: &str, account: &Account, method: &MethodId, path: &str) -> bool {
    let api_prefix = format!(
        "arn:{}:execute-api:{}:{}:{}/",
        account.partition, account.region, account.account_id, method.rest_api_id
    );
    let Some(pattern) = source_arn.strip_prefix(&api_prefix) else { return false };
    // A witness stage the stage part of the pattern matches.
    let stage_pattern = pattern.split('/').next().unwrap_or_default();
    let stage: String = stage_pattern
        .chars()
        .filter(|c| *c != '*')
        .map(|c| if c == '?' { 's' } else { c })
        .collect();
    let path = path.trim_start_matches('/');
    let verbs: &[&str] = match method.http_method.as_str() {
        "ANY" => &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        verb => &[verb],
    };
    verbs.iter().all(|verb| arn_like(pattern, &format!("{stage}/{verb}/{path}")))
}

/// IAM's `ArnLike` on the part after the fixed prefix: `*` matches any run of
/// characters, `?` any one, the rest itself.
fn arn_like(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    // matches[j]: whether the pattern so far matches text[..j].
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for p in pattern {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match p {
                '*' => matches[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matches[j - 1],
                c => j > 0 && matches[j - 1] && text[j - 1] == c,
            };
        }
        matches = next;
    }
    matches[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn method(http_method: &str) -> MethodId {
        MethodId {
            rest_api_id: "api1".into(),
            resource_id: "res1".into(),
            http_method: http_method.into(),
        }
    }

    #[test]
    fn statements_grant_a_method_when_their_source_arn_names_it_within_the_api() {
        let account = account();
        let api = "arn:aws:execute-api:us-east-1:123456789012:api1";
        assert_eq!(whole_api(&account, "api1"), format!("{api}/*"));
        for granting in
            ["/*", "/*/POST/hooks/{source}", "/prod/POST/hooks/*", "/*/*", "/p?od/*/hooks/{source}"]
        {
            let source = format!("{api}{granting}");
            assert!(grants(&source, &account, &method("POST"), "/hooks/{source}"), "{granting}");
        }
        for not_granting in [
            "/*/GET/hooks/{source}",
            "/*/POST/jobs",
            "/*/POST/hooks",
            "",
            "/*/POST/hooks/{source}/x",
        ] {
            let source = format!("{api}{not_granting}");
            assert!(
                !grants(&source, &account, &method("POST"), "/hooks/{source}"),
                "{not_granting}"
            );
        }
        // Broader than the REST API, or another one.
        for other in [
            "arn:aws:execute-api:us-east-1:123456789012:*/*",
            "arn:aws:execute-api:*:123456789012:api1/*",
            "arn:aws:execute-api:us-east-1:*:api1/*",
            "arn:aws:execute-api:us-east-1:123456789012:api2/*",
            "",
        ] {
            assert!(!grants(other, &account, &method("POST"), "/jobs"), "{other}");
        }
        // ANY needs every verb; the root path ends in a slash.
        assert!(!grants(&format!("{api}/*/POST/"), &account, &method("ANY"), "/"));
        assert!(grants(&format!("{api}/*/*/"), &account, &method("ANY"), "/"));
        assert!(grants(&format!("{api}/*/GET/"), &account, &method("GET"), "/"));
    }

    #[test]
    fn a_source_arn_names_its_account_only_outright() {
        let named = account_of("arn:aws:execute-api:us-east-1:123456789012:api1/*").unwrap();
        assert_eq!(named, account());
        assert_eq!(account_of("arn:aws:execute-api:*:123456789012:api1/*"), None);
        assert_eq!(account_of("arn:aws:lambda:us-east-1:123456789012:function:f"), None);
    }
}
