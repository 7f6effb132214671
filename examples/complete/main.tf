# A REST API whose POST /jobs answers 202 at once and runs the worker
# asynchronously. hashicorp/aws makes the API, the role and the function;
# async_lambda_endpoint wires the method.

provider "aws" {
  region = var.region
}

provider "async" {
  region = var.region
}

resource "aws_api_gateway_rest_api" "api" {
  name = var.name
}

resource "aws_api_gateway_resource" "jobs" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "jobs"
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

resource "async_lambda_endpoint" "jobs" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.jobs.id
  http_method   = "POST"
  function_name = aws_lambda_function.worker.function_name
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id

  # Redeploy exactly when the endpoint changes, in the same apply.
  triggers = {
    jobs = async_lambda_endpoint.jobs.redeployment_trigger
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "api" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = var.stage_name
}
