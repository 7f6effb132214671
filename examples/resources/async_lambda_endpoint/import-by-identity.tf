import {
  to = async_lambda_endpoint.slack
  identity = {
    rest_api_id = "a1b2c3d4e5"
    resource_id = "f6g7h8"
    http_method = "POST"
  }
}
