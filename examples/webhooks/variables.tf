variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "function_name" {
  description = "Existing Lambda function that handles every webhook."
  type        = string
}

variable "stage_name" {
  description = "Stage the API is deployed to."
  type        = string
  default     = "hooks"
}

variable "localstack_endpoint" {
  description = "LocalStack's URL, e.g. http://127.0.0.1:4566, when the example runs there (make example sets it): the localstack_invoke_urls output then gives the URLs to call. Leave null on AWS."
  type        = string
  default     = null
}
