//! What an integration invoking Lambda asynchronously looks like: type
//! `AWS`, Lambda's Invoke path as its URI, and the `X-Amz-Invocation-Type`
//! header set to `'Event'`; or a Lambda proxy integration (`AWS_PROXY`)
//! invoking one of the dispatcher's endpoint aliases, which queues the event.

use aws_sdk_apigateway::types::{Integration, IntegrationResponse, IntegrationType};

use crate::aws::arn::Account;
use crate::aws::dispatcher::endpoint_alias;

/// Selects the asynchronous invocation in the integration request.
pub const INVOCATION_TYPE_PARAMETER: &str = "integration.request.header.X-Amz-Invocation-Type";
pub const INVOCATION_TYPE_EVENT: &str = "'Event'";

/// `arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`.
pub fn invocation_uri(account: &Account, function_arn: &str) -> String {
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

/// The integration response without a selection pattern: what the client
/// is answered once Lambda has queued the event.
pub fn default_response(integration: &Integration) -> Option<&IntegrationResponse> {
    integration
        .integration_responses()?
        .values()
        .find(|response| response.selection_pattern().is_none_or(str::is_empty))
}

/// The invocation URI of an asynchronous Lambda integration; `None` for any
/// other integration.
pub fn async_invocation_uri(integration: &Integration) -> Option<&str> {
    let uri = integration.uri()?;
    let function_arn = function_arn_from_uri(uri)?;
    let asynchronous = match integration.r#type()? {
        IntegrationType::Aws => {
            integration
                .request_parameters()
                .and_then(|p| p.get(INVOCATION_TYPE_PARAMETER))
                .map(String::as_str)
                == Some(INVOCATION_TYPE_EVENT)
        }
        IntegrationType::AwsProxy => endpoint_alias::of_arn(function_arn).is_some(),
        _ => false,
    };
    asynchronous.then_some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_give_back_their_function() {
        let account = Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        };
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:w:7";
        let uri = invocation_uri(&account, arn);
        assert_eq!(
            uri,
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:w:7/invocations"
        );
        assert_eq!(function_arn_from_uri(&uri), Some(arn));
        assert_eq!(function_arn_from_uri("arn:aws:apigateway:us-east-1:s3:path/b/k"), None);
    }
}
