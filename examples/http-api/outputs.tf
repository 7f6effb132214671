locals {
  # A route key is "METHOD /path": the URL is the API's endpoint and the path
  # ($default stage, so no stage in between).
  routes = {
    source = async_lambda_route.hooks
    line   = async_lambda_route.line
  }
}

output "invoke_urls" {
  description = "POST to these: source answers 202 at once (replace {source} with a value, e.g. .../hooks/github), line answers 200; the worker runs afterwards."
  value       = { for name, route in local.routes : name => "${aws_apigatewayv2_api.api.api_endpoint}${split(" ", route.route_key)[1]}" }
}

output "api_id" {
  value = aws_apigatewayv2_api.api.id
}

output "route_ids" {
  description = "Each route's id, by name."
  value       = { for name, route in local.routes : name => route.route_id }
}

output "dispatcher_arn" {
  description = "The dispatcher function both routes' integrations invoke (one per account and region, managed by the provider)."
  value       = async_lambda_route.hooks.dispatcher_arn
}
