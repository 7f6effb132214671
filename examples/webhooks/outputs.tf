output "invoke_urls" {
  description = "Each webhook's URL by name; replace {source} with a value, e.g. .../hooks/github."
  value       = { for name, hook in module.webhook : name => "${aws_api_gateway_stage.api.invoke_url}${hook.invoke_path}" }
}

output "localstack_invoke_urls" {
  description = "The same on LocalStack, which serves a stage at ENDPOINT/_aws/execute-api/API_ID/STAGE; null unless localstack_endpoint is set."
  value = var.localstack_endpoint == null ? null : {
    for name, hook in module.webhook :
    name => "${trimsuffix(var.localstack_endpoint, "/")}/_aws/execute-api/${aws_api_gateway_rest_api.api.id}/${aws_api_gateway_stage.api.stage_name}${hook.invoke_path}"
  }
}

output "invoke_paths" {
  description = "Each webhook's path below the stage, by name."
  value       = { for name, hook in module.webhook : name => hook.invoke_path }
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.api.id
}

output "stage_name" {
  value = aws_api_gateway_stage.api.stage_name
}
