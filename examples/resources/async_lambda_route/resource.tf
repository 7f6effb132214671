# A GitHub webhook on an HTTP API: GitHub gets 202 at once, the worker gets
# the request's payload format 2.0 event, unchanged, asynchronously.
resource "aws_apigatewayv2_api" "hooks" {
  name          = "hooks"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.hooks.id
  name        = "$default"
  auto_deploy = true
}

resource "async_lambda_route" "github" {
  api_id        = aws_apigatewayv2_api.hooks.id
  route_key     = "POST /hooks/{source}"
  function_name = aws_lambda_function.worker.function_name
}

# Seed 001's custom response: any 2xx status, headers and body.
resource "async_lambda_route" "line" {
  api_id               = aws_apigatewayv2_api.hooks.id
  route_key            = "POST /line"
  function_name        = aws_lambda_function.worker.function_name
  qualifier            = "live"
  response_status_code = 200
  response_headers     = { "content-type" = "text/plain" }
  response_body        = "ok"
}
