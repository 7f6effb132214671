# A REST API defined by an OpenAPI document: each path's operation invokes
# the worker asynchronously and answers 202, with the event contract of
# async_lambda_endpoint. hashicorp/aws applies the document in one PutRestApi.
locals {
  worker = aws_lambda_function.worker.arn
}

resource "aws_api_gateway_rest_api" "api" {
  name = "webhooks"
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "webhooks", version = "1" }
    # Declared once for the operations that validate (request_model, or a
    # parameter marked required).
    "x-amazon-apigateway-request-validators" = {
      "async-endpoints"            = { validateRequestBody = true, validateRequestParameters = true }
      "async-endpoints-parameters" = { validateRequestBody = false, validateRequestParameters = true }
    }
    paths = {
      "/orders" = {
        post = provider::async::openapi_operation(local.worker, { request_model = "Order" })
      }
      "/hooks/{source}" = {
        post = provider::async::openapi_operation(local.worker, {
          request_parameters   = { "method.request.header.X-Signature" = true }
          response_status_code = 200
          response_templates   = { "application/json" = jsonencode({ ok = true }) }
        })
      }
    }
    # JSON bodies of /orders must be an object with an id (JSON Schema draft 4).
    components = {
      schemas = { Order = { type = "object", required = ["id"] } }
    }
  })
}

# One permission per function and REST API, for every operation of the API.
resource "aws_lambda_permission" "api" {
  statement_id  = "openapi-endpoints"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*"
}

# Redeployed whenever the document changes.
resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { body = sha1(aws_api_gateway_rest_api.api.body) }
  lifecycle {
    create_before_destroy = true
  }
}
