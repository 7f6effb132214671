# make bench-quota, openapi: one REST API of N POST operations defined by an
# OpenAPI document, each operation provider::async::openapi_operation's
# (Terraform 1.8+), which hashicorp/aws applies in one PutRestApi; and the one
# aws_lambda_permission the document needs, scoped to the API. The async
# provider makes no AWS call here: it only evaluates the function.
# bench/benchlib/stack.py copies this into each work directory beside
# bench.json and provider.tf (scripts/lib/localstack-aws-provider.tf.in, filled
# in), the @PROVIDER_SETTINGS@ line replaced as in ours.tf and hashicorp/aws's
# version from scripts/lib/versions.env (AWS_PROVIDER). Its own REST API, not
# the prepared one: a path per prepared endpoint (/e0, /e1, ...). The function's
# options are each openapi variant's (OPENAPI_OPTIONS, bench/benchlib/results.py).
terraform {
  required_providers {
    async = { source = "tf-async/async" }
    aws   = { source = "hashicorp/aws", version = "@AWS_PROVIDER@" }
  }
}

locals {
  bench = jsondecode(file("${path.module}/bench.json"))
  document = jsonencode({
    openapi = "3.0.1"
    info    = { title = "bench-openapi", version = "1" }
    paths = {
      for e in local.bench.endpoints :
      "/${e.path}" => { post = provider::async::openapi_operation(local.bench.function_arn, @OPENAPI_OPTIONS@) }
    }
  })
}

provider "async" {
  region     = local.bench.region
  access_key = "test"
  secret_key = "test"
  endpoints {
    apigateway = local.bench.endpoint
    lambda     = local.bench.endpoint
    sts        = local.bench.endpoint
  }
  # @PROVIDER_SETTINGS@
}

resource "aws_api_gateway_rest_api" "api" {
  name = "bench-openapi"
  body = local.document
}

resource "aws_lambda_permission" "api" {
  statement_id  = "openapi-endpoints"
  action        = "lambda:InvokeFunction"
  function_name = local.bench.function_arn
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*"
}
