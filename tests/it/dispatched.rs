//! Acceptance tests of `async_lambda_endpoint` with `delivery = "dispatcher"`
//! on LocalStack: a Lambda proxy integration invoking the dispatcher's alias
//! for the endpoint, which queues API Gateway's own proxy event for the
//! function (the events themselves: `consumers`). Created, updated in place
//! (status, delivery both ways), repaired, imported and destroyed leaving
//! nothing, with the dispatcher's turn held ([`dispatcher::turn`]).

use serde_json::json;

use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::dispatcher::{
    self, DISPATCHER, dispatcher_exists, function_arn, role_policies,
};
use crate::support::hcl::{Endpoint, configuration};
use crate::support::terraform::Terraform;
use crate::support::versions::TERRAFORM_NEWEST;

const HANDLER: &str = "def handler(event, context):\n    print(event)\n";
const DISPATCHED: (&str, &str) = ("delivery", "\"dispatcher\"");

/// The dispatcher's aliases, by name.
fn aliases() -> Vec<String> {
    block_on(async {
        let listed = cloud::lambda().list_aliases().function_name(DISPATCHER).send().await;
        let listed = listed.unwrap_or_else(|e| panic!("ListAliases: {e:?}"));
        let mut names: Vec<String> =
            listed.aliases().iter().filter_map(|a| a.name().map(str::to_owned)).collect();
        names.sort();
        names
    })
}

fn delete_alias(alias: &str) {
    block_on(async {
        let deleted =
            cloud::lambda().delete_alias().function_name(DISPATCHER).name(alias).send().await;
        deleted.unwrap_or_else(|e| panic!("DeleteAlias {alias}: {e:?}"));
    });
}

/// The integration's type and URI.
fn integration(api: &str, resource: &str) -> (String, String) {
    let method = cloud::get_method(api, resource, "POST").expect("the method");
    let integration = method.method_integration().expect("an integration");
    let kind = integration.r#type().map(|t| t.as_str().to_owned()).unwrap_or_default();
    (kind, integration.uri().unwrap_or_default().to_owned())
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_dispatched_endpoint_updates_in_place_is_repaired_imported_and_leaves_nothing() {
    let _turn = dispatcher::turn();
    let name = "dispatched-life";
    let (api, resource) = cloud::rest_api_with_resource(name, "jobs");
    cloud::function(name, HANDLER);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    let hook = |arguments: &[(&str, &str)]| {
        let endpoint = Endpoint::new("hook", &api, &resource, "POST", name).with(arguments);
        configuration(&cloud::provider_block(), &[endpoint])
    };
    let statement = (
        format!("async-endpoints-{api}"),
        format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*"),
    );
    let alias = |status: u16| format!("to-{status}-{}-{name}", name.len());

    // A function in another account: the dispatcher, which names it by
    // name in its own, cannot invoke it. Refused at plan, nothing made.
    let elsewhere = format!("\"arn:aws:lambda:{REGION}:999999999999:function:{name}\"");
    tf.write_config(&hook(&[DISPATCHED, ("function_name", &elsewhere)]));
    let refused = tf.fails(&["plan", "-no-color", "-input=false"]);
    assert!(refused.contains("Function in another account"), "{refused}");
    assert!(cloud::get_method(&api, &resource, "POST").is_none());
    assert!(!dispatcher_exists());

    tf.write_config(&hook(&[DISPATCHED]));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(aliases(), [alias(202)]);
    let (kind, uri) = integration(&api, &resource);
    assert_eq!(kind, "AWS_PROXY");
    assert!(uri.ends_with(&format!("function:{DISPATCHER}:{}/invocations", alias(202))), "{uri}");
    let on_alias =
        |status| cloud::permission_statements(&format!("{DISPATCHER}:{}", alias(status)));
    assert_eq!(on_alias(202), std::slice::from_ref(&statement));
    assert_eq!(cloud::permission_statements(name), [], "API Gateway invokes the dispatcher only");
    let policies = role_policies().expect("the dispatcher's role");
    let target = function_arn(name);
    let invoke = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "InvokeTargets", "Effect": "Allow", "Action": "lambda:InvokeFunction",
        "Resource": [target.clone(), format!("{target}:*")],
    }]});
    let names: Vec<&str> = policies.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, [format!("endpoints-{api}").as_str(), "logs"]);
    assert_eq!(policies[0].1, invoke);

    // A new status is a new alias, in place.
    tf.write_config(&hook(&[DISPATCHED, ("response_status_code", "\"200\"")]));
    let plan = tf.plan_changes(&[]).expect("a change");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(aliases(), [alias(200)]);
    assert_eq!(on_alias(200), std::slice::from_ref(&statement));

    // Direct, in place: the dispatcher goes with its last user.
    tf.write_config(&hook(&[]));
    let plan = tf.plan_changes(&[]).expect("a change");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(integration(&api, &resource).0, "AWS");
    assert_eq!(cloud::permission_statements(name), std::slice::from_ref(&statement));
    assert!(!dispatcher_exists(), "the dispatcher outlived its last user");
    assert_eq!(role_policies(), None);

    // And back.
    tf.write_config(&hook(&[DISPATCHED]));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(integration(&api, &resource).0, "AWS_PROXY");
    assert_eq!(cloud::permission_statements(name), []);
    assert_eq!(on_alias(202), std::slice::from_ref(&statement));

    // The alias deleted out of band: the plan repairs it.
    delete_alias(&alias(202));
    let plan = tf.plan_changes(&[]).expect("a repair");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(on_alias(202), std::slice::from_ref(&statement));

    // The role's permission to invoke the function removed: put back.
    let targets_policy = format!("endpoints-{api}");
    dispatcher::delete_role_policy(&targets_policy);
    let plan = tf.plan_changes(&[]).expect("a repair");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert!(dispatcher::has_role_policy(&targets_policy));

    // Imported by id, it reads back as configured.
    tf.ok(&["state", "rm", "-no-color", "async_lambda_endpoint.hook"]);
    tf.ok(&[
        "import",
        "-no-color",
        "async_lambda_endpoint.hook",
        &format!("{api}/{resource}/POST"),
    ]);
    tf.assert_no_changes();

    tf.destroy();
    assert!(cloud::get_method(&api, &resource, "POST").is_none());
    assert!(!dispatcher_exists(), "the dispatcher outlived its last endpoint");
    assert_eq!(role_policies(), None);
}
