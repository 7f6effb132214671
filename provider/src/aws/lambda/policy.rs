//! A function's resource-based policy, as far as API Gateway's invoking it
//! goes: what GetPolicy answers, read into the statements that matter here.

/// A statement that lets API Gateway invoke a function from `source_arn`:
/// what an API's objects invoke through, added and removed as one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub statement_id: String,
    pub source_arn: String,
}

/// A statement of a function's policy that lets API Gateway invoke it, with
/// the source ARN it is conditioned on, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStatement {
    pub statement_id: String,
    pub source_arn: Option<String>,
}

impl PolicyStatement {
    pub fn of(permission: &Permission) -> PolicyStatement {
        PolicyStatement {
            statement_id: permission.statement_id.clone(),
            source_arn: Some(permission.source_arn.clone()),
        }
    }

    /// The statement as a permission an object can invoke through: only one
    /// conditioned on a source ARN is.
    pub fn permission(&self) -> Option<Permission> {
        Some(Permission {
            statement_id: self.statement_id.clone(),
            source_arn: self.source_arn.clone()?,
        })
    }
}

/// The statements of the policy document `policy` that let API Gateway
/// invoke the function; `Err` says why the document cannot be read.
/// Statements without a `Sid` are left out: RemovePermission cannot name them.
pub fn api_gateway_statements(policy: &str) -> Result<Vec<PolicyStatement>, String> {
    let policy: serde_json::Value =
        serde_json::from_str(policy).map_err(|e| format!("it is not JSON ({e})"))?;
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(items) => items.iter().collect(),
        single @ serde_json::Value::Object(_) => vec![single],
        serde_json::Value::Null => Vec::new(),
        other => return Err(format!("its Statement is neither a list nor an object: {other}")),
    };
    Ok(statements
        .into_iter()
        .filter(|s| lets_api_gateway_invoke(s))
        .filter_map(|s| {
            Some(PolicyStatement {
                statement_id: s["Sid"].as_str()?.to_owned(),
                source_arn: source_arn(s).map(str::to_owned),
            })
        })
        .collect())
}

/// Whether a policy statement allows API Gateway to invoke the function.
fn lets_api_gateway_invoke(statement: &serde_json::Value) -> bool {
    let listed = |value: &serde_json::Value, wanted: &[&str]| match value {
        serde_json::Value::String(one) => wanted.contains(&one.as_str()),
        serde_json::Value::Array(many) => {
            many.iter().any(|v| v.as_str().is_some_and(|v| wanted.contains(&v)))
        }
        _ => false,
    };
    statement["Effect"] == "Allow"
        && listed(&statement["Principal"]["Service"], &["apigateway.amazonaws.com"])
        && listed(&statement["Action"], &["lambda:InvokeFunction", "lambda:*", "*"])
}

/// The source ARN a statement is conditioned on: `ArnLike` as AddPermission
/// writes it, or `ArnEquals`; condition keys are case-insensitive.
fn source_arn(statement: &serde_json::Value) -> Option<&str> {
    let conditions = statement["Condition"].as_object().into_iter().flatten();
    conditions
        .filter(|(operator, _)| matches!(operator.as_str(), "ArnLike" | "ArnEquals"))
        .flat_map(|(_, keys)| keys.as_object().into_iter().flatten())
        .find(|(key, _)| key.eq_ignore_ascii_case("aws:SourceArn"))
        .and_then(|(_, arn)| arn.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_letting_api_gateway_invoke_are_read_with_their_source() {
        let policy = serde_json::json!({"Statement": [
            {"Sid": "a", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction",
             "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:1:api/*"}}},
            {"Sid": "b", "Effect": "Allow", "Principal": {"Service": ["apigateway.amazonaws.com"]},
             "Action": ["lambda:*"]},
            {"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
             "Action": "lambda:InvokeFunction"},
            {"Sid": "deny", "Effect": "Deny", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction"},
            {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction"}
        ]});
        let statements = api_gateway_statements(&policy.to_string()).unwrap();
        assert_eq!(
            statements,
            [
                PolicyStatement {
                    statement_id: "a".into(),
                    source_arn: Some("arn:aws:execute-api:us-east-1:1:api/*".into())
                },
                PolicyStatement { statement_id: "b".into(), source_arn: None },
            ]
        );
        assert_eq!(statements[1].permission(), None, "no source ARN: not an object's permission");
        let single = serde_json::json!({"Statement": {"Sid": "one", "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "*"}});
        assert_eq!(api_gateway_statements(&single.to_string()).unwrap().len(), 1);
    }

    #[test]
    fn a_document_that_cannot_be_read_is_an_error() {
        assert!(api_gateway_statements("{not json").unwrap_err().contains("not JSON"));
        assert!(api_gateway_statements(r#"{"Statement": "x"}"#).is_err());
        assert_eq!(api_gateway_statements("{}").unwrap(), []);
    }
}
