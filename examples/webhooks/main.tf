# Several asynchronous webhooks on one API, one module instance each,
# including a path parameter: POST /orders, POST /events, POST /hooks/{source}.

provider "aws" {
  region = var.region
}

provider "async" {
  region = var.region
}

resource "aws_api_gateway_rest_api" "api" {
  name = "async-webhooks"
}

resource "aws_api_gateway_resource" "hooks" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "hooks"
}

locals {
  webhooks = {
    orders = { parent = aws_api_gateway_rest_api.api.root_resource_id, path_part = "orders" }
    events = { parent = aws_api_gateway_rest_api.api.root_resource_id, path_part = "events" }
    source = { parent = aws_api_gateway_resource.hooks.id, path_part = "{source}" }
  }
}

module "webhook" {
  source   = "../modules/async-webhook"
  for_each = local.webhooks

  rest_api_id        = aws_api_gateway_rest_api.api.id
  parent_resource_id = each.value.parent
  path_part          = each.value.path_part
  function_name      = var.function_name
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { for name, hook in module.webhook : name => hook.redeployment_trigger }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "api" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = var.stage_name
}
