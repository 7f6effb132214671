# make bench and make bench-quota, ours: one async_lambda_endpoint per endpoint.
# bench/benchlib/stack.py copies this into each work directory beside
# bench.json, the @PROVIDER_SETTINGS@ line replaced with the bench's own
# provider settings (bench/benchlib/benches.py: DEFAULT_PROVIDER_SETTINGS,
# QUOTA_PROVIDER_SETTINGS).
terraform {
  required_providers {
    async = { source = "tf-async/async" }
  }
}

locals {
  bench = jsondecode(file("${path.module}/bench.json"))
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

resource "async_lambda_endpoint" "ep" {
  count         = length(local.bench.endpoints)
  rest_api_id   = local.bench.endpoints[count.index].api
  resource_id   = local.bench.endpoints[count.index].resource
  http_method   = "POST"
  function_name = local.bench.function
}
