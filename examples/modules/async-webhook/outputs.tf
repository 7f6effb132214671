output "invoke_path" {
  description = "Path of the webhook below the stage URL, e.g. /hooks/{source}."
  value       = async_lambda_endpoint.this.resource_path
}

output "redeployment_trigger" {
  description = "Changes exactly when the stage must be redeployed; use it in aws_api_gateway_deployment.triggers."
  value       = async_lambda_endpoint.this.redeployment_trigger
}

output "endpoint_id" {
  description = "REST_API_ID/RESOURCE_ID/HTTP_METHOD of the endpoint."
  value       = async_lambda_endpoint.this.id
}

output "resource_id" {
  description = "ID of the webhook's API resource, to add paths below it."
  value       = aws_api_gateway_resource.this.id
}

output "http_method" {
  description = "HTTP method of the webhook."
  value       = async_lambda_endpoint.this.http_method
}

output "response_status_code" {
  description = "Status code the caller receives once the event is queued."
  value       = async_lambda_endpoint.this.response_status_code
}

output "function_arn" {
  description = "ARN of the function invoked, with its qualifier if any."
  value       = async_lambda_endpoint.this.function_arn
}
