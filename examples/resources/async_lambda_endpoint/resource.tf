# A Slack slash-command webhook: Slack gets its answer within milliseconds,
# the function verifies the signature against the base64 body and works on.
resource "async_lambda_endpoint" "slack" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.slack.id
  http_method   = "POST"
  function_name = aws_lambda_function.slack_worker.function_name

  request_parameters = {
    "method.request.header.X-Slack-Signature"         = true
    "method.request.header.X-Slack-Request-Timestamp" = true
  }

  # Slack shows this to the user who typed the command.
  response_status_code = "200"
  response_templates = {
    "application/json" = jsonencode({ response_type = "ephemeral", text = "Working on it..." })
  }
}

# A handler written for Lambda proxy integrations (Powertools, Mangum) that
# needs API Gateway's own proxy event: every value of a repeated query
# parameter, body null when there is none. The provider's dispatcher queues
# that event for the function and answers 202.
resource "async_lambda_endpoint" "orders" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  function_name = aws_lambda_function.orders_worker.function_name
  delivery      = "dispatcher"
}

# Orders replaced by a partner: a body that is not an order is answered 400
# before anything is queued, so the worker sees only orders it can process.
resource "async_lambda_endpoint" "order_updates" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "PUT"
  function_name = aws_lambda_function.orders_worker.function_name

  request_schema = jsonencode({
    type     = "object"
    required = ["order_id", "items"]
    properties = {
      order_id = { type = "string", minLength = 1 }
      items    = { type = "array", minItems = 1, items = { type = "object" } }
    }
  })
}
