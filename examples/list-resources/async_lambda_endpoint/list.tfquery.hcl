# Every async endpoint of a REST API, whoever made it, with its state:
# `terraform query -generate-config-out=adopt.tf` writes the blocks to adopt them.
list "async_lambda_endpoint" "hooks" {
  provider         = async
  include_resource = true

  config {
    rest_api_id = "a1b2c3d4e5"
    path_prefix = "/hooks"
  }
}
