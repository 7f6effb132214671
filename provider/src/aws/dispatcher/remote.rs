//! The dispatcher's own AWS calls, one call each, through the run's retry
//! policy: its function (Lambda) and its role (IAM).

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, LastUpdateStatus, Runtime, State};

use super::deployed::{DeployedFunction, Readiness};
use super::package;
use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

const LAMBDA: &str = "Lambda";
const IAM: &str = "IAM";

/// The dispatcher function, if it exists.
pub async fn function(run: Run<'_>, name: &str) -> Result<Option<DeployedFunction>, AwsError> {
    let call = || run.aws.lambda.get_function_configuration().function_name(name).send();
    let Some(output) = found(run.call(LAMBDA, "GetFunctionConfiguration", call).await)? else {
        return Ok(None);
    };
    let reason = || output.state_reason().or(output.last_update_status_reason());
    let readiness = match (output.state(), output.last_update_status()) {
        (Some(State::Failed), _) | (_, Some(LastUpdateStatus::Failed)) => {
            Readiness::Failed(reason().unwrap_or("no reason given").to_owned())
        }
        (Some(State::Pending), _) | (_, Some(LastUpdateStatus::InProgress)) => Readiness::Busy,
        _ => Readiness::Ready,
    };
    Ok(Some(DeployedFunction {
        arn: output.function_arn().unwrap_or_default().to_owned(),
        code_sha256: output.code_sha256().unwrap_or_default().to_owned(),
        role: output.role().unwrap_or_default().to_owned(),
        readiness,
    }))
}

/// Creates the dispatcher: Python 3.13 (supported by Lambda until 2029),
/// arm64 (the cheaper architecture), 128 MB, a 20-second timeout (an
/// asynchronous invoke answers in milliseconds; the dispatcher's own Lambda
/// client may take 15 s in all when Lambda does not answer). Returns its ARN.
pub async fn create_function(
    run: Run<'_>,
    name: &str,
    role_arn: &str,
    description: &str,
) -> Result<String, AwsError> {
    let zip = package::zip();
    let call = || {
        run.aws
            .lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python313)
            .architectures(Architecture::Arm64)
            .handler(package::HANDLER)
            .role(role_arn)
            .memory_size(128)
            .timeout(20)
            .description(description)
            .code(FunctionCode::builder().zip_file(Blob::new(zip.clone())).build())
            .send()
    };
    let output = run.call(LAMBDA, "CreateFunction", call).await?;
    Ok(output.function_arn().unwrap_or_default().to_owned())
}

/// Replaces the dispatcher's code with this provider's.
pub async fn update_function_code(run: Run<'_>, name: &str) -> Result<(), AwsError> {
    let zip = package::zip();
    let call = || {
        run.aws
            .lambda
            .update_function_code()
            .function_name(name)
            .zip_file(Blob::new(zip.clone()))
            .send()
    };
    run.call(LAMBDA, "UpdateFunctionCode", call).await.map(drop)
}

/// Deletes the dispatcher function; gone already is fine.
pub async fn delete_function(run: Run<'_>, name: &str) -> Result<(), AwsError> {
    let call = || run.aws.lambda.delete_function().function_name(name).send();
    found(run.call(LAMBDA, "DeleteFunction", call).await).map(drop)
}

/// The role's ARN, if the role exists.
pub async fn role_arn(run: Run<'_>, name: &str) -> Result<Option<String>, AwsError> {
    let call = || run.aws.iam.get_role().role_name(name).send();
    let output = found(run.call(IAM, "GetRole", call).await)?;
    Ok(output.and_then(|o| o.role().map(|role| role.arn().to_owned())))
}

/// The inline policy `policy` of the role, its document decoded (IAM
/// answers it URL-encoded, RFC 3986); `None` when it or the role is missing.
pub async fn role_policy(
    run: Run<'_>,
    role: &str,
    policy: &str,
) -> Result<Option<String>, AwsError> {
    let call = || run.aws.iam.get_role_policy().role_name(role).policy_name(policy).send();
    let output = found(run.call(IAM, "GetRolePolicy", call).await)?;
    Ok(output.map(|o| {
        percent_encoding::percent_decode_str(o.policy_document()).decode_utf8_lossy().into_owned()
    }))
}

/// Creates a role Lambda may assume; returns its ARN.
pub async fn create_role(
    run: Run<'_>,
    name: &str,
    trust_policy: &str,
    description: &str,
) -> Result<String, AwsError> {
    let call = || {
        run.aws
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust_policy)
            .description(description)
            .send()
    };
    let output = run.call(IAM, "CreateRole", call).await?;
    Ok(output.role().map(|role| role.arn().to_owned()).unwrap_or_default())
}

/// The names of the role's inline policies.
pub async fn role_policy_names(run: Run<'_>, role: &str) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let call =
            || run.aws.iam.list_role_policies().role_name(role).set_marker(marker.clone()).send();
        let output = run.call(IAM, "ListRolePolicies", call).await?;
        names.extend(output.policy_names().iter().cloned());
        marker = output.marker().map(str::to_owned).filter(|_| output.is_truncated());
        if marker.is_none() {
            return Ok(names);
        }
    }
}

/// Writes the inline policy `policy` of the role.
pub async fn put_role_policy(
    run: Run<'_>,
    role: &str,
    policy: &str,
    document: &str,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .iam
            .put_role_policy()
            .role_name(role)
            .policy_name(policy)
            .policy_document(document)
            .send()
    };
    run.call(IAM, "PutRolePolicy", call).await.map(drop)
}

/// Deletes an inline policy; gone already is fine.
pub async fn delete_role_policy(run: Run<'_>, role: &str, policy: &str) -> Result<(), AwsError> {
    let call = || run.aws.iam.delete_role_policy().role_name(role).policy_name(policy).send();
    found(run.call(IAM, "DeleteRolePolicy", call).await).map(drop)
}

/// Deletes the role (its inline policies first); gone already is fine.
pub async fn delete_role(run: Run<'_>, role: &str) -> Result<(), AwsError> {
    let call = || run.aws.iam.delete_role().role_name(role).send();
    found(run.call(IAM, "DeleteRole", call).await).map(drop)
}

/// Whether the dispatcher has the alias `alias`.
pub async fn alias_exists(run: Run<'_>, alias: &str) -> Result<bool, AwsError> {
    let call = || run.aws.lambda.get_alias().function_name(super::FUNCTION_NAME).name(alias).send();
    Ok(found(run.call(LAMBDA, "GetAlias", call).await)?.is_some())
}

/// Creates the alias `alias` of the dispatcher's `$LATEST`: the alias only
/// names a dispatch (`endpoint_alias`), the code is the function's.
pub async fn create_alias(run: Run<'_>, alias: &str) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .lambda
            .create_alias()
            .function_name(super::FUNCTION_NAME)
            .name(alias)
            .function_version("$LATEST")
            .description("A REST endpoint's dispatch. Managed by terraform-provider-async.")
            .send()
    };
    run.call(LAMBDA, "CreateAlias", call).await.map(drop)
}

/// Deletes the alias `alias` of the dispatcher; gone already is fine.
pub async fn delete_alias(run: Run<'_>, alias: &str) -> Result<(), AwsError> {
    let call =
        || run.aws.lambda.delete_alias().function_name(super::FUNCTION_NAME).name(alias).send();
    found(run.call(LAMBDA, "DeleteAlias", call).await).map(drop)
}

/// The names of the dispatcher's aliases.
pub async fn alias_names(run: Run<'_>) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let call = || {
            let list = run.aws.lambda.list_aliases().function_name(super::FUNCTION_NAME);
            list.set_marker(marker.clone()).send()
        };
        let Some(output) = found(run.call(LAMBDA, "ListAliases", call).await)? else {
            return Ok(names);
        };
        names.extend(output.aliases().iter().filter_map(|a| a.name().map(str::to_owned)));
        marker = output.next_marker().map(str::to_owned);
        if marker.is_none() {
            return Ok(names);
        }
    }
}

/// Whether the dispatcher has any alias: a REST endpoint still uses it.
pub async fn has_aliases(run: Run<'_>) -> Result<bool, AwsError> {
    let call =
        || run.aws.lambda.list_aliases().function_name(super::FUNCTION_NAME).max_items(1).send();
    let output = found(run.call(LAMBDA, "ListAliases", call).await)?;
    Ok(output.is_some_and(|o| !o.aliases().is_empty()))
}
