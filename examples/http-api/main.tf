# An HTTP API (API Gateway v2) whose webhook routes answer at once and run the
# worker asynchronously: POST /hooks/{source} answers 202 with the request id,
# POST /hooks/line answers 200 with a fixed body (seed 001's custom response).
# hashicorp/aws makes the API, its $default stage, the role and the function;
# async_lambda_route wires each route through the dispatcher function the
# provider deploys (HTTP APIs can only invoke Lambda synchronously).

provider "aws" {
  region = var.region
}

provider "async" {
  region = var.region
}

resource "aws_apigatewayv2_api" "api" {
  name          = var.name
  protocol_type = "HTTP"
}

# $default serves at the API's endpoint itself, with no stage in the path;
# auto_deploy publishes every route change, so no deployment resource is needed.
resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.api.id
  name        = "$default"
  auto_deploy = true
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy_attachment" "worker_logs" {
  role       = aws_iam_role.worker.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "worker" {
  function_name    = "${var.name}-worker"
  role             = aws_iam_role.worker.arn
  runtime          = var.worker_runtime
  handler          = "worker.handler"
  filename         = "${path.module}/${var.worker_zip}"
  source_code_hash = filebase64sha256("${path.module}/${var.worker_zip}")
  timeout          = 60

  environment {
    variables = merge({ WORK_SECONDS = "3" }, var.worker_environment)
  }
}

# GitHub, Stripe and the like: 202 and {"accepted": true, "requestId": "..."}.
resource "async_lambda_route" "hooks" {
  api_id        = aws_apigatewayv2_api.api.id
  route_key     = "POST /hooks/{source}"
  function_name = aws_lambda_function.worker.function_name
}

# LINE wants a 200 within a second: the answer seed 001 gave with
# CUSTOM_RES='{"message": "Hello from custom response"}'. The more specific
# route wins over /hooks/{source} for this path.
resource "async_lambda_route" "line" {
  api_id               = aws_apigatewayv2_api.api.id
  route_key            = "POST /hooks/line"
  function_name        = aws_lambda_function.worker.function_name
  response_status_code = 200
  response_headers     = { "content-type" = "application/json" }
  response_body        = jsonencode({ message = "Hello from custom response" })
}
