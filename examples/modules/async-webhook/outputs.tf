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
