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

variable "qualifier" {
  description = "Version or alias of the function to invoke. Null: $LATEST, or the qualifier in function_name."
  type        = string
  default     = null
}

variable "authorization" {
  description = "Who may call the webhook: NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS. Null: NONE."
  type        = string
  default     = null
}

variable "authorizer_id" {
  description = "ID of the authorizer, with authorization CUSTOM or COGNITO_USER_POOLS."
  type        = string
  default     = null
}

variable "authorization_scopes" {
  description = "OAuth scopes a Cognito access token must carry, with authorization COGNITO_USER_POOLS."
  type        = set(string)
  default     = null
}

variable "api_key_required" {
  description = "Whether callers must send an API key (x-api-key). Null: false."
  type        = bool
  default     = null
}

variable "request_parameters" {
  description = "Method request parameters and whether each is required, e.g. { \"method.request.header.X-Signature\" = true }."
  type        = map(bool)
  default     = null
}

variable "request_templates" {
  description = "Mapping templates (VTL) by request content type. Null: the built-in template, a Lambda proxy (v1) event with the body base64-encoded."
  type        = map(string)
  default     = null
}

variable "passthrough_behavior" {
  description = "What to do with a content type that has no template: NEVER (415), WHEN_NO_TEMPLATES or WHEN_NO_MATCH. Null: NEVER."
  type        = string
  default     = null
}

variable "response_status_code" {
  description = "Status code the caller receives once the event is queued, \"200\" to \"299\" (a string). Null: \"202\"."
  type        = string
  default     = null
}

variable "response_templates" {
  description = "Response body templates by content type. Null: {\"accepted\": true, \"requestId\": \"...\"}."
  type        = map(string)
  default     = null
}

variable "response_parameters" {
  description = "Response headers, e.g. { \"method.response.header.Access-Control-Allow-Origin\" = \"'*'\" }."
  type        = map(string)
  default     = null
}

variable "credentials" {
  description = "ARN of an IAM role API Gateway assumes to invoke the function; then no Lambda permission is added."
  type        = string
  default     = null
}

variable "timeout_milliseconds" {
  description = "Integration timeout, 50 to 29000 milliseconds. Null: 29000."
  type        = number
  default     = null
}
