# One asynchronous webhook: a path on an existing REST API whose method
# answers 202 at once and hands the request to a Lambda function.

resource "aws_api_gateway_resource" "this" {
  rest_api_id = var.rest_api_id
  parent_id   = var.parent_resource_id
  path_part   = var.path_part
}

resource "async_lambda_endpoint" "this" {
  rest_api_id        = var.rest_api_id
  resource_id        = aws_api_gateway_resource.this.id
  http_method        = var.http_method
  function_name      = var.function_name
  request_parameters = var.request_parameters
}
