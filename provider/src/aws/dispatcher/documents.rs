//! The IAM documents of the dispatcher's role: who may assume it, where it
//! may write logs, and which functions it may invoke.

use std::collections::BTreeSet;

use serde_json::json;

use super::FUNCTION_NAME;
use crate::aws::arn::Account;

/// Lambda, and only Lambda, may assume the role.
pub fn trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string()
}

/// Writing the dispatcher's own log group, as Lambda's basic execution
/// role allows, scoped to that one group.
pub fn logs_policy(account: &Account) -> String {
    let Account { partition, region, account_id } = account;
    let group =
        format!("arn:{partition}:logs:{region}:{account_id}:log-group:/aws/lambda/{FUNCTION_NAME}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": format!("{group}:*")},
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": format!("{group}:log-stream:*"),
            },
        ],
    })
    .to_string()
}

/// Invoking the functions `targets` (unqualified ARNs), at any qualifier.
pub fn invoke_policy(targets: &BTreeSet<String>) -> String {
    let resources: Vec<String> =
        targets.iter().flat_map(|arn| [arn.clone(), format!("{arn}:*")]).collect();
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "InvokeTargets",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": resources,
        }],
    })
    .to_string()
}

/// The resources an invoke policy (as [`invoke_policy`] writes it) lets the
/// dispatcher invoke; nothing for a document that is not one.
pub fn invoked_resources(document: &str) -> BTreeSet<String> {
    let Ok(policy) = serde_json::from_str::<serde_json::Value>(document) else {
        return BTreeSet::new();
    };
    let listed = |value: &serde_json::Value| -> Vec<String> {
        match value {
            serde_json::Value::String(one) => vec![one.clone()],
            serde_json::Value::Array(many) => {
                many.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
            }
            _ => Vec::new(),
        }
    };
    let statements = listed_statements(&policy["Statement"]);
    statements
        .into_iter()
        .filter(|s| s["Effect"] == "Allow")
        .filter(|s| listed(&s["Action"]).iter().any(|a| a == "lambda:InvokeFunction"))
        .flat_map(|s| listed(&s["Resource"]))
        .collect()
}

fn listed_statements(value: &serde_json::Value) -> Vec<&serde_json::Value> {
    match value {
        serde_json::Value::Array(many) => many.iter().collect(),
        one @ serde_json::Value::Object(_) => vec![one],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invoke_policy_names_each_target_at_any_qualifier_and_nothing_else() {
        let targets = BTreeSet::from(["arn:aws:lambda:us-east-1:1:function:a".to_owned()]);
        let policy: serde_json::Value = serde_json::from_str(&invoke_policy(&targets)).unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Action"], "lambda:InvokeFunction");
        assert_eq!(
            statement["Resource"],
            json!([
                "arn:aws:lambda:us-east-1:1:function:a",
                "arn:aws:lambda:us-east-1:1:function:a:*"
            ])
        );
    }

    #[test]
    fn an_invoke_policy_reads_back_as_its_resources() {
        let targets = BTreeSet::from(["arn:aws:lambda:us-east-1:1:function:a".to_owned()]);
        let resources = invoked_resources(&invoke_policy(&targets));
        assert_eq!(
            resources,
            BTreeSet::from([
                "arn:aws:lambda:us-east-1:1:function:a".to_owned(),
                "arn:aws:lambda:us-east-1:1:function:a:*".to_owned(),
            ])
        );
        let denied = invoke_policy(&targets).replace("Allow", "Deny");
        assert!(invoked_resources(&denied).is_empty());
        assert!(invoked_resources("not json").is_empty());
        let single = r#"{"Statement": {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "x"}}"#;
        assert_eq!(invoked_resources(single), BTreeSet::from(["x".to_owned()]));
    }

    #[test]
    fn logs_go_to_the_dispatchers_group_only() {
        let account = Account {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
        };
        let policy = logs_policy(&account);
        assert!(policy.contains("log-group:/aws/lambda/tf-async-dispatcher:"), "{policy}");
        assert!(!policy.contains("\"*\""), "{policy}");
    }
}
