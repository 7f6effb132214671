# One asynchronous webhook: a path on an existing REST API whose method
# answers 202 at once and hands the request to a Lambda function. Every
# optional argument defaults to null, which leaves the resource's own default.

resource "aws_api_gateway_resource" "this" {
  rest_api_id = var.rest_api_id
  parent_id   = var.parent_resource_id
  path_part   = var.path_part
}

resource "async_lambda_endpoint" "this" {
  rest_api_id   = var.rest_api_id
  resource_id   = aws_api_gateway_resource.this.id
  http_method   = var.http_method
  function_name = var.function_name
  qualifier     = var.qualifier

  authorization        = var.authorization
  authorizer_id        = var.authorizer_id
  authorization_scopes = var.authorization_scopes
  api_key_required     = var.api_key_required

  request_parameters   = var.request_parameters
  request_templates    = var.request_templates
  passthrough_behavior = var.passthrough_behavior

  response_status_code = var.response_status_code
  response_templates   = var.response_templates
  response_parameters  = var.response_parameters

  credentials          = var.credentials
  timeout_milliseconds = var.timeout_milliseconds
}
