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
