# make bench and make bench-quota, the recipe: five hashicorp/aws resources per
# endpoint. bench/benchlib/stack.py copies this into each work directory beside
# bench.json and provider.tf (scripts/lib/localstack-aws-provider.tf.in, filled
# in), with hashicorp/aws's version from scripts/lib/versions.env (AWS_PROVIDER).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "@AWS_PROVIDER@" }
  }
}

locals {
  bench = jsondecode(file("${path.module}/bench.json"))
  ep    = local.bench.endpoints
  # The very templates async_lambda_endpoint installs by default, read back
  # from API Gateway in the warm-up, so both variants send the same bytes.
  templates = local.bench.templates
}

resource "aws_api_gateway_method" "ep" {
  count         = length(local.ep)
  rest_api_id   = local.ep[count.index].api
  resource_id   = local.ep[count.index].resource
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "ep" {
  count                   = length(local.ep)
  rest_api_id             = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id             = aws_api_gateway_method.ep[count.index].resource_id
  http_method             = aws_api_gateway_method.ep[count.index].http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:aws:apigateway:${local.bench.region}:lambda:path/2015-03-31/functions/${local.bench.function_arn}/invocations"
  request_parameters = {
    "integration.request.header.X-Amz-Invocation-Type" = "'Event'"
  }
  request_templates    = local.templates.request
  passthrough_behavior = "NEVER"
  timeout_milliseconds = 29000
}

resource "aws_api_gateway_method_response" "ep" {
  count       = length(local.ep)
  rest_api_id = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id = aws_api_gateway_method.ep[count.index].resource_id
  http_method = aws_api_gateway_method.ep[count.index].http_method
  status_code = "202"
}

resource "aws_api_gateway_integration_response" "ep" {
  count              = length(local.ep)
  rest_api_id        = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id        = aws_api_gateway_method.ep[count.index].resource_id
  http_method        = aws_api_gateway_method.ep[count.index].http_method
  status_code        = aws_api_gateway_method_response.ep[count.index].status_code
  response_templates = local.templates.response
  # "No integration defined for method" otherwise (hashicorp/terraform-provider-aws#196).
  depends_on = [aws_api_gateway_integration.ep]
}

resource "aws_lambda_permission" "ep" {
  count         = length(local.ep)
  statement_id  = "recipe-${local.ep[count.index].api}-${local.ep[count.index].resource}-POST"
  action        = "lambda:InvokeFunction"
  function_name = local.bench.function
  principal     = "apigateway.amazonaws.com"
  source_arn    = "arn:aws:execute-api:${local.bench.region}:${local.bench.account}:${local.ep[count.index].api}/*/POST/${local.ep[count.index].path}"
}
