//! The names and ARNs an endpoint derives from its inputs and the account,
//! and the way back from an ARN AWS holds to what a user would write.

use super::model::{EndpointId, Inputs, Permission, Wiring};
use crate::aws::clients::Account;
use crate::aws::function_ref::FunctionRef;

impl EndpointId {
    /// The Lambda permission statement that lets this endpoint's REST API
    /// invoke a function: one per function and REST API, shared by all the
    /// API's endpoints that invoke it, since a function's policy holds
    /// 20,480 bytes, about 60 statements. Deterministic, so a retried or
    /// re-run create finds the statement instead of adding a second.
    pub fn statement_id(&self) -> String {
        format!("async-endpoints-{}", self.rest_api_id)
    }
}

impl Inputs {
    /// The qualified function ARN the integration invokes; names and partial
    /// ARNs are completed with the provider's partition, region and account.
    pub fn function_arn(&self, account: &Account) -> String {
        let name = &self.target.function_name;
        let f = FunctionRef::parse(name).unwrap_or(FunctionRef {
            partition: None,
            region: None,
            account: None,
            name: name.clone(),
            qualifier: None,
        });
        let base = format!(
            "arn:{}:lambda:{}:{}:function:{}",
            f.partition.as_deref().unwrap_or(&account.partition),
            f.region.as_deref().unwrap_or(&account.region),
            f.account.as_deref().unwrap_or(&account.account_id),
            f.name
        );
        match f.qualifier.or_else(|| self.target.qualifier.clone()) {
            Some(q) => format!("{base}:{q}"),
            None => base,
        }
    }

    /// The statement id of the permission, or `None` when API Gateway
    /// invokes through `credentials` and needs no permission.
    pub fn statement_id(&self) -> Option<String> {
        self.target.credentials.is_none().then(|| self.id.statement_id())
    }

    /// How the method reaches the function.
    pub fn wiring(&self, account: &Account) -> Wiring {
        let function_arn = self.function_arn(account);
        Wiring {
            integration_uri: invocation_uri(account, &function_arn),
            function_arn,
            permission: self.statement_id().map(|statement_id| Permission {
                statement_id,
                source_arn: self.source_arn(account),
            }),
        }
    }

    /// The source ARN of the shared statement: this REST API, any stage,
    /// method and path; never broader than one REST API.
    fn source_arn(&self, account: &Account) -> String {
        format!(
            "arn:{}:execute-api:{}:{}:{}/*",
            account.partition, account.region, account.account_id, self.id.rest_api_id
        )
    }
}

/// `arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`.
fn invocation_uri(account: &Account, function_arn: &str) -> String {
    format!(
        "arn:{}:apigateway:{}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        account.partition, account.region
    )
}

/// The function ARN inside an invocation URI.
pub fn function_arn_from_uri(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(":lambda:path/2015-03-31/functions/")?;
    rest.strip_suffix("/invocations")
}

/// Splits a qualified function ARN into the unqualified ARN and the qualifier.
pub fn split_qualifier(function_arn: &str) -> (&str, Option<&str>) {
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    match function_arn.match_indices(':').nth(6) {
        Some((i, _)) => (&function_arn[..i], Some(&function_arn[i + 1..])),
        None => (function_arn, None),
    }
}

/// The function_name a user would write for `unqualified_arn`: the bare name
/// when it is in the provider's account and region, else the ARN.
pub fn function_name_for(account: &Account, unqualified_arn: &str) -> String {
    let local_prefix = format!(
        "arn:{}:lambda:{}:{}:function:",
        account.partition, account.region, account.account_id
    );
    unqualified_arn.strip_prefix(&local_prefix).unwrap_or(unqualified_arn).to_owned()
}

impl Permission {
    /// A statement earlier versions of this provider added, one per method
    /// (`async-endpoint-API-RESOURCE-METHOD`): moved to the shared one.
    pub fn is_per_method_of_earlier_versions(&self) -> bool {
        self.statement_id.starts_with("async-endpoint-")
    }

    /// Whether the statement lets API Gateway invoke the function for the
    /// method `id` on `path` from some stage, with a source ARN no broader
    /// than that REST API: its partition, region, account and API id
    /// written out, the rest matched as IAM's `ArnLike` does (`*` any run of
    /// characters, `?` one). An `ANY` method needs every verb.
    ///
    /// API Gateway names the invoking method
    /// `arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/VERB/PATH`, its
    /// path as the resource's template (`hooks/{source}`): see "Control access
    /// for invoking an API" in the API Gateway developer guide.
    pub fn covers(&self, account: &Account, id: &EndpointId, path: &str) -> bool {
        let api_prefix = format!(
            "arn:{}:execute-api:{}:{}:{}/",
            account.partition, account.region, account.account_id, id.rest_api_id
        );
        let Some(pattern) = self.source_arn.strip_prefix(&api_prefix) else { return false };
        // A witness stage the stage part of the pattern matches.
        let stage_pattern = pattern.split('/').next().unwrap_or_default();
        let stage: String = stage_pattern
            .chars()
            .filter(|c| *c != '*')
            .map(|c| if c == '?' { 's' } else { c })
            .collect();
        let path = path.trim_start_matches('/');
        let verbs: &[&str] = match id.http_method.as_str() {
            "ANY" => &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
            verb => &[verb],
        };
        verbs.iter().all(|verb| arn_like(pattern, &format!("{stage}/{verb}/{path}")))
    }

    /// The partition, region and account the source ARN names, when it
    /// names them (as every statement an endpoint holds does).
    pub fn source_account(&self) -> Option<Account> {
        match self.source_arn.split(':').collect::<Vec<_>>().as_slice() {
            ["arn", partition, "execute-api", region, account_id, _]
                if [partition, region, account_id]
                    .iter()
                    .all(|p| !p.is_empty() && !p.contains(['*', '?'])) =>
            {
                Some(Account {
                    partition: (*partition).to_owned(),
                    region: (*region).to_owned(),
                    account_id: (*account_id).to_owned(),
                })
            }
            _ => None,
        }
    }
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
    use crate::aws::resources::lambda_endpoint::model::Target;

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn inputs(function_name: &str, method: &str) -> Inputs {
        Inputs {
            id: EndpointId::parse(&format!("api1/res1/{method}")).unwrap(),
            target: Target { function_name: function_name.into(), ..Target::default() },
            ..Inputs::default()
        }
    }

    #[test]
    fn names_resolve_to_full_arns_in_the_provider_account() {
        let account = account();
        let wiring = inputs("worker", "POST").wiring(&account);
        assert_eq!(wiring.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:worker");
        assert_eq!(
            wiring.integration_uri,
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
        );
        let q = inputs("arn:aws:lambda:eu-west-1:210987654321:function:w:live", "POST");
        assert_eq!(
            q.function_arn(&account),
            "arn:aws:lambda:eu-west-1:210987654321:function:w:live"
        );
    }

    #[test]
    fn one_statement_serves_every_method_of_the_rest_api() {
        let account = account();
        let permission =
            |method: &str| inputs("worker", method).wiring(&account).permission.unwrap();
        let post = permission("POST");
        assert_eq!(post.source_arn, "arn:aws:execute-api:us-east-1:123456789012:api1/*");
        assert_eq!(post.statement_id, "async-endpoints-api1");
        assert_eq!(permission("ANY"), post);
    }

    #[test]
    fn statements_cover_a_method_when_their_source_arn_names_it_within_the_api() {
        let account = account();
        let statement = |source_arn: &str| Permission {
            statement_id: "any".into(),
            source_arn: source_arn.into(),
        };
        let id = |method: &str| EndpointId::parse(&format!("api1/res1/{method}")).unwrap();
        let api = "arn:aws:execute-api:us-east-1:123456789012:api1";
        for covering in
            ["/*", "/*/POST/hooks/{source}", "/prod/POST/hooks/*", "/*/*", "/p?od/*/hooks/{source}"]
        {
            let s = statement(&format!("{api}{covering}"));
            assert!(s.covers(&account, &id("POST"), "/hooks/{source}"), "{covering}");
        }
        for not_covering in [
            "/*/GET/hooks/{source}",
            "/*/POST/jobs",
            "/*/POST/hooks",
            "",
            "/*/POST/hooks/{source}/x",
        ] {
            let s = statement(&format!("{api}{not_covering}"));
            assert!(!s.covers(&account, &id("POST"), "/hooks/{source}"), "{not_covering}");
        }
        // Broader than the REST API, or another one.
        for other in [
            "arn:aws:execute-api:us-east-1:123456789012:*/*",
            "arn:aws:execute-api:*:123456789012:api1/*",
            "arn:aws:execute-api:us-east-1:*:api1/*",
            "arn:aws:execute-api:us-east-1:123456789012:api2/*",
            "",
        ] {
            assert!(!statement(other).covers(&account, &id("POST"), "/jobs"), "{other}");
        }
        // ANY needs every verb; the root path ends in a slash.
        assert!(!statement(&format!("{api}/*/POST/")).covers(&account, &id("ANY"), "/"));
        assert!(statement(&format!("{api}/*/*/")).covers(&account, &id("ANY"), "/"));
        assert!(statement(&format!("{api}/*/GET/")).covers(&account, &id("GET"), "/"));
    }

    #[test]
    fn credentials_replace_the_permission() {
        let mut with_role = inputs("worker", "POST");
        with_role.target.credentials = Some("arn:aws:iam::123456789012:role/r".into());
        assert_eq!(with_role.wiring(&account()).permission, None);
    }

    #[test]
    fn uris_give_back_their_function() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:w:7";
        let uri = invocation_uri(&account(), arn);
        assert_eq!(function_arn_from_uri(&uri), Some(arn));
        assert_eq!(
            split_qualifier(arn),
            ("arn:aws:lambda:us-east-1:123456789012:function:w", Some("7"))
        );
        assert_eq!(split_qualifier("arn:aws:lambda:r:a:function:w").1, None);
    }

    #[test]
    fn imported_functions_are_named_like_users_write_them() {
        let account = account();
        assert_eq!(
            function_name_for(&account, "arn:aws:lambda:us-east-1:123456789012:function:worker"),
            "worker"
        );
        let foreign = "arn:aws:lambda:eu-west-1:123456789012:function:worker";
        assert_eq!(function_name_for(&account, foreign), foreign);
    }
}
