output "invoke_url" {
  description = "POST here: the answer is 202 with the request id; the worker runs afterwards."
  value       = "${aws_api_gateway_stage.api.invoke_url}${async_lambda_endpoint.jobs.resource_path}"
}

output "localstack_invoke_url" {
  description = "The same on LocalStack, which serves a stage at ENDPOINT/_aws/execute-api/API_ID/STAGE; null unless localstack_endpoint is set."
  value       = var.localstack_endpoint == null ? null : "${trimsuffix(var.localstack_endpoint, "/")}/_aws/execute-api/${aws_api_gateway_rest_api.api.id}/${aws_api_gateway_stage.api.stage_name}${async_lambda_endpoint.jobs.resource_path}"
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.api.id
}

output "stage_name" {
  value = aws_api_gateway_stage.api.stage_name
}

output "resource_path" {
  value = async_lambda_endpoint.jobs.resource_path
}
