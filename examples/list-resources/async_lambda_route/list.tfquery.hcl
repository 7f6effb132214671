# Every async route of an HTTP API (routes whose integration is this
# provider's dispatcher), whoever applied it, with its state:
# `terraform query -generate-config-out=adopt.tf` writes the blocks to adopt them.
list "async_lambda_route" "hooks" {
  provider         = async
  include_resource = true

  config {
    api_id = "a1b2c3d4e5"
  }
}
