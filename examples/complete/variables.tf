variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for the REST API, the function and the role."
  type        = string
  default     = "async-jobs"
}

variable "stage_name" {
  description = "Stage the API is deployed to."
  type        = string
  default     = "demo"
}

variable "worker_runtime" {
  description = "Python runtime of the worker. hashicorp/aws before 4.x validates against an older list: use python3.8 there (make example and make demo do, against LocalStack)."
  type        = string
  default     = "python3.12"
}

variable "worker_zip" {
  description = "Zip of worker.py. Build it with: python3 -m zipfile -c build/worker.zip worker.py"
  type        = string
  default     = "build/worker.zip"
}

variable "worker_environment" {
  description = "Extra environment for the worker (make example and make demo set EVENT_LOG_DIR to collect events)."
  type        = map(string)
  default     = {}
}

variable "localstack_endpoint" {
  description = "LocalStack's URL, e.g. http://127.0.0.1:4566, when the example runs there (make example sets it): the localstack_invoke_url output then gives the URL to call. Leave null on AWS."
  type        = string
  default     = null
}
