variable "rest_api_id" {
  description = "ID of the REST API the webhook goes on."
  type        = string
}

variable "parent_resource_id" {
  description = "ID of the API resource the webhook's path goes under (the API's root_resource_id for a top-level path)."
  type        = string
}

variable "path_part" {
  description = "The webhook's path segment under the parent, e.g. \"orders\" or \"{source}\" for a path parameter."
  type        = string
}

variable "function_name" {
  description = "Lambda function (name or ARN) that receives each request as an asynchronous event."
  type        = string
}

variable "http_method" {
  description = "HTTP method of the webhook."
  type        = string
  default     = "POST"
}

variable "request_parameters" {
  description = "Method request parameters and whether each is required, e.g. { \"method.request.header.X-Signature\" = true }."
  type        = map(bool)
  default     = null
}
