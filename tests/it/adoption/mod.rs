//! Acceptance tests: taking over async endpoints that exist already, made by
//! this provider elsewhere, by hand or by the hashicorp/aws recipe: resource
//! identity, `terraform query`, generated configuration, and a `moved` block
//! from the recipe. Each on the oldest Terraform that has what it uses, and
//! on the newest.

mod recipe;

use recipe::{api_and_stage, recipe, watched};

use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::hcl::{self, Endpoint, configuration};
use crate::support::localstack::localstack;
use crate::support::proxy::FaultProxy;
use crate::support::stack::{STAGE, post};
use crate::support::terraform::{Terraform, each_terraform_version};
use crate::support::versions::{TERRAFORM_ACTIONS, at_least};

const HANDLER: &str = "def handler(event, context):\n    print(event)\n";
/// A template written by hand, as the recipe's users write them.
const HAND_WRITTEN: &str = "{\"body\": $input.json('$')}";

/// A REST API with `/jobs` and `/hooks/{source}` and a function, unique to `test`.
struct Fixture {
    api: String,
    jobs: String,
    source: String,
    function: String,
    function_arn: String,
}

/// `test`'s fixture on Terraform `version`: its own names, so that the
/// versions' runs of one test do not meet.
fn fixture(test: &str, version: &str) -> Fixture {
    let test = &format!("{test}-{}", version.replace('.', "-"));
    let (api, jobs) = cloud::rest_api_with_resource(test, "jobs");
    let hooks = cloud::resources(&api, &["hooks".to_owned()]).remove(0);
    let source = block_on(async {
        let created = cloud::apigateway()
            .create_resource()
            .rest_api_id(&api)
            .parent_id(&hooks)
            .path_part("{source}")
            .send()
            .await
            .unwrap();
        created.id().unwrap().to_owned()
    });
    let function_arn = cloud::function(test, HANDLER);
    Fixture { api, jobs, source, function: test.to_owned(), function_arn }
}

impl Fixture {
    fn jobs(&self) -> Endpoint {
        Endpoint::new("jobs", &self.api, &self.jobs, "POST", &self.function)
    }
}

/// The stored identity of `address` (instances carry it from Terraform 1.12).
fn identity(tf: &Terraform, address: &str) -> serde_json::Value {
    let state: serde_json::Value = serde_json::from_str(&tf.ok(&["state", "pull"])).unwrap();
    let (kind, name) = address.split_once('.').unwrap();
    let resource = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("{address} not in state: {state}"));
    resource["instances"][0]["identity"].clone()
}

each_terraform_version!(acceptance identity_is_stored_and_an_import_by_identity_plans_no_change since identity);
fn identity_is_stored_and_an_import_by_identity_plans_no_change(version: &'static str) {
    let f = fixture("identity", version);
    let made = Terraform::new(version);
    made.write_config(&configuration(&cloud::provider_block(), &[f.jobs()]));
    let expected = serde_json::json!({
        "account_id": ACCOUNT, "region": REGION,
        "rest_api_id": f.api, "resource_id": f.jobs, "http_method": "POST",
    });
    made.ok(&["plan", "-out=create.tfplan", "-no-color", "-input=false"]);
    let plan: serde_json::Value =
        serde_json::from_str(&made.ok(&["show", "-json", "create.tfplan"])).unwrap();
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["after_identity"], expected, "known at plan for a create: {change}");
    made.apply();
    assert_eq!(identity(&made, "async_lambda_endpoint.jobs"), expected);
    made.assert_no_changes();
    assert_eq!(identity(&made, "async_lambda_endpoint.jobs"), expected, "unchanged by a refresh");
    let applied = made.state_attributes("async_lambda_endpoint.jobs");

    // Another configuration takes it over by identity, account and region left out.
    let adopting = Terraform::new(version);
    let import = format!(
        "\nimport {{\n  to = async_lambda_endpoint.jobs\n  identity = {{\n    rest_api_id = \"{}\"\n    resource_id = \"{}\"\n    http_method = \"POST\"\n  }}\n}}\n",
        f.api, f.jobs
    );
    adopting.write_config(&(configuration(&cloud::provider_block(), &[f.jobs()]) + &import));
    let plan = adopting.plan_changes(&[]).expect("an import is planned");
    assert!(plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    adopting.apply();
    adopting.assert_no_changes();
    assert_eq!(adopting.state_attributes("async_lambda_endpoint.jobs"), applied);
    assert_eq!(identity(&adopting, "async_lambda_endpoint.jobs"), expected);

    // An identity in another account names what to do.
    let elsewhere =
        import.replace("identity = {", "identity = {\n    account_id = \"999999999999\"");
    let foreign = Terraform::new(version);
    foreign.write_config(&(configuration(&cloud::provider_block(), &[f.jobs()]) + &elsewhere));
    let refused = foreign.fails(&["plan", "-no-color", "-input=false"]);
    assert!(refused.contains("Invalid import identity"), "{refused}");
    assert!(refused.contains("aliased provider block"), "{refused}");
}

each_terraform_version!(acceptance a_query_finds_every_async_endpoint_and_its_generated_config_plans_only_imports since actions);
fn a_query_finds_every_async_endpoint_and_its_generated_config_plans_only_imports(
    version: &'static str,
) {
    let f = fixture("query", version);
    // One made by this provider (then forgotten), one by the recipe, one not async.
    let made = Terraform::new(version);
    made.write_config(&configuration(&cloud::provider_block(), &[f.jobs()]));
    made.apply();
    made.ok(&["state", "rm", "async_lambda_endpoint.jobs"]);
    f.recipe_method();
    cloud::mock_method(&f.api, &f.jobs, "GET");

    let tf = Terraform::new(version);
    tf.write_config(&configuration(&cloud::provider_block(), &[]));
    let query = format!(
        "list \"async_lambda_endpoint\" \"all\" {{\n  provider = async\n  config {{\n    rest_api_id = \"{}\"\n  }}\n}}\n",
        f.api
    );
    std::fs::write(tf.dir().join("adopt.tfquery.hcl"), &query).unwrap();
    let listed = tf.ok(&["query", "-no-color", "-generate-config-out=adopt.tf"]);
    assert!(listed.contains(&format!("POST /hooks/{{source}} -> {}", f.function)), "{listed}");
    assert!(listed.contains(&format!("POST /jobs -> {}", f.function)), "{listed}");
    assert!(!listed.contains("GET /jobs"), "not an async endpoint: {listed}");
    let generated = std::fs::read_to_string(tf.dir().join("adopt.tf")).unwrap();
    assert!(!generated.contains("= null"), "unset arguments are left out:\n{generated}");
    assert!(!generated.contains("\"NONE\""), "defaults are left out:\n{generated}");
    assert!(generated.contains(r#""{\"body\": $input.json('$')}""#), "kept:\n{generated}");

    let plan = tf.plan_changes(&[]).expect("imports are planned");
    assert!(plan.contains("2 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let statements = cloud::permission_statements(&f.function);
    let shared = format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{}/*", f.api);
    assert_eq!(
        statements,
        [
            (format!("async-endpoints-{}", f.api), shared),
            ("recipe-hook".to_owned(), f.recipe_source_arn())
        ],
        "each statement adopted as it is, none added"
    );

    // A prefix narrows the list.
    std::fs::write(
        tf.dir().join("adopt.tfquery.hcl"),
        query.replace("config {", "config {\n    path_prefix = \"/hooks\""),
    )
    .unwrap();
    let hooks = tf.ok(&["query", "-no-color"]);
    assert!(hooks.contains("/hooks/{source}") && !hooks.contains("/jobs"), "{hooks}");
}

each_terraform_version!(acceptance config_generated_for_an_import_block_plans_no_change since functions);
fn config_generated_for_an_import_block_plans_no_change(version: &'static str) {
    let f = fixture("generate", version);
    f.recipe_method();
    let tf = Terraform::new(version);
    let import = format!(
        "\nimport {{\n  to = async_lambda_endpoint.hook\n  id = \"{}/{}/POST\"\n}}\n",
        f.api, f.source
    );
    tf.write_config(&(configuration(&cloud::provider_block(), &[]) + &import));
    tf.plan_changes(&["-generate-config-out=generated.tf"]).expect("an import is planned");
    let generated = std::fs::read_to_string(tf.dir().join("generated.tf")).unwrap();
    // From 1.14 Terraform asks the provider (GenerateResourceConfig); before,
    // it writes out the imported state itself, nulls and defaults included,
    // and a JSON-looking string as jsonencode(...): the plan converges alike.
    if at_least(version, TERRAFORM_ACTIONS) {
        assert!(!generated.contains("= null"), "{generated}");
        assert!(!generated.contains("jsonencode"), "templates stay strings: {generated}");
    }
    let plan = tf.plan_changes(&[]).expect("the import is planned");
    assert!(plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let state = tf.state_attributes("async_lambda_endpoint.hook");
    assert_eq!(state["permission_statement_id"], "recipe-hook", "adopted as it is");
    assert_eq!(state["request_templates"]["application/json"], HAND_WRITTEN);
    assert_eq!(cloud::permission_statements(&f.function).len(), 1);
    tf.destroy();
    assert!(cloud::permission_statements(&f.function).is_empty(), "released with the endpoint");
    assert!(cloud::get_method(&f.api, &f.source, "POST").is_none());
}

each_terraform_version!(acceptance a_move_from_the_recipe_converges_in_one_apply_without_downtime since functions);
fn a_move_from_the_recipe_converges_in_one_apply_without_downtime(version: &'static str) {
    let function = &format!("moved-recipe-{}", version.replace('.', "-"));
    cloud::function(function, HANDLER);
    let tf = Terraform::with_aws_provider(version);
    let providers = hcl::required_providers(&["aws"]) + &cloud::aws_provider_block();
    // Deployed once the method is whole, as recipe users must write it.
    let recipe_trigger = "sha1(jsonencode([aws_api_gateway_integration.hook.request_templates, \
        aws_api_gateway_integration_response.hook.id, aws_lambda_permission.hook.id]))";
    tf.write_config(&format!(
        "{providers}{}{}",
        api_and_stage(function, recipe_trigger, false),
        recipe(function)
    ));
    tf.ok(&["init", "-no-color", "-input=false"]);
    tf.apply();
    let api = tf.ok(&["output", "-raw", "api_id"]);
    let url = format!("{}/_aws/execute-api/{api}/{}/jobs", localstack().endpoint, STAGE);
    assert_eq!(post(&url, "application/json", &[], b"{}").status, 202);

    // The migration: the method moves, the other four are forgotten, not destroyed.
    let proxy = FaultProxy::start(&[]);
    let endpoint = Endpoint::named("hook")
        .set("rest_api_id", "aws_api_gateway_rest_api.api.id")
        .set("resource_id", "aws_api_gateway_resource.jobs.id")
        .string("http_method", "POST")
        .string("function_name", function);
    let forgotten: String = ["integration", "method_response", "integration_response"]
        .iter()
        .map(|kind| format!("aws_api_gateway_{kind}.hook"))
        .chain(["aws_lambda_permission.hook".to_owned()])
        .map(|from| {
            format!(
                "\nremoved {{\n  from = {from}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
            )
        })
        .collect();
    let local = localstack().endpoint.clone();
    // Terraform 1.15.5 finds a cycle when a create_before_destroy deployment
    // that depended on removed resources is replaced in the same plan
    // (hashicorp/terraform#39088, fixed by #39169): the stage keeps its
    // deployment through the migration and is redeployed by the next apply.
    let migration = |hold: bool| {
        format!(
            "{providers}{ours}{}\nmoved {{\n  from = aws_api_gateway_method.hook\n  to   = async_lambda_endpoint.hook\n}}\n{forgotten}\n{endpoint}",
            api_and_stage(function, "async_lambda_endpoint.hook.redeployment_trigger", hold),
            ours = cloud::provider_block_via(&proxy.url, &local, None),
        )
    };
    tf.write_config(&migration(true));
    let plan = tf.plan_changes(&[]).expect("the migration is planned");
    assert!(plan.contains("(moved from aws_api_gateway_method.hook)"), "{plan}");
    assert!(plan.contains("async_lambda_endpoint.hook will be updated in-place"), "{plan}");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    let watched = watched(&url, function, || {
        tf.apply();
        tf.write_config(&migration(false));
        tf.apply();
    });

    let refused: Vec<&u16> = watched.answers.iter().filter(|status| **status != 202).collect();
    eprintln!(
        "zero downtime: {} requests during the migration apply, {} answered other than 202; {} policy samples",
        watched.answers.len(),
        refused.len(),
        watched.policies.len()
    );
    assert!(watched.answers.len() >= 10, "the client kept posting: {}", watched.answers.len());
    assert!(refused.is_empty(), "answers other than 202: {refused:?}");
    assert!(
        watched.policies.iter().all(|ids| ids == &["recipe-hook"]),
        "the recipe's statement, alone, all along: {:?}",
        watched.policies
    );
    let calls = &proxy.stats()["calls"];
    for never in [
        "apigateway:DeleteMethod",
        "apigateway:PutMethod",
        "lambda:AddPermission",
        "lambda:RemovePermission",
    ] {
        assert!(calls.get(never).is_none(), "{never} during the migration: {calls}");
    }
    tf.assert_no_changes();
    let state = tf.state_attributes("async_lambda_endpoint.hook");
    assert_eq!(state["permission_statement_id"], "recipe-hook");
    assert_eq!(state["request_templates"], serde_json::Value::Null, "the built-in template now");
    assert_eq!(post(&url, "application/json", &[], b"{}").status, 202);
    tf.destroy();
    assert!(cloud::permission_statements(function).is_empty());
}
