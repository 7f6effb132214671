# make bench-routes: N async_lambda_route resources, POST /r0 ... POST /r{N-1},
# on one HTTP API, all to the same target. bench/benchlib/routes.py copies this
# into each work directory beside bench.json. The provider's defaults, as a user
# on AWS has them: no rate_limits block, so API Gateway calls are paced at AWS's
# quota (10 a second, burst 40) and Lambda's at 15 a second. API Gateway v2 is
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
