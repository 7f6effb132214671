# After every create and update of the endpoint, a test request through API
# Gateway: the apply fails, naming the function, if the event would not be
# queued (no permission, a failing template, a missing function or answer).
resource "async_lambda_endpoint" "orders" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  function_name = aws_lambda_function.worker.function_name

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.async_lambda_endpoint_test.orders]
    }
  }
}

action "async_lambda_endpoint_test" "orders" {
  config {
    endpoint_id = async_lambda_endpoint.orders.id
    body        = jsonencode({ id = "smoke-test" })
    headers     = { "X-Smoke-Test" = "1" }
  }
}

# On request: terraform apply -invoke=action.async_lambda_endpoint_test.orders
