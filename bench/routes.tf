# make bench-routes: N async_lambda_route resources, POST /r0 ... POST /r{N-1},
# on one HTTP API, all to the same target. bench/benchlib/routes.py copies this
# into each work directory beside bench.json. The provider's defaults: no
# rate_limits block, and since the endpoints are emulators', not AWS's, no
# pacing (on AWS, calls are paced to AWS's quotas). API Gateway v2 is
# moto (LocalStack's free edition has none); Lambda, IAM and STS are LocalStack,
# as in tests/it/support/moto.rs.
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
    apigateway   = local.bench.localstack
    apigatewayv2 = local.bench.moto
    iam          = local.bench.localstack
    lambda       = local.bench.localstack
    sts          = local.bench.localstack
  }
}

resource "async_lambda_route" "r" {
  count         = local.bench.n
  api_id        = local.bench.api
  route_key     = "POST /r${count.index}"
  function_name = local.bench.function
}
