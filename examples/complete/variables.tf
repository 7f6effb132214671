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
  description = "Python runtime of the worker. hashicorp/aws before 4.x validates against an older list: use python3.8 there (the demo does, against LocalStack)."
  type        = string
  default     = "python3.12"
}

variable "worker_zip" {
  description = "Zip of worker.py. Build it with: python3 -m zipfile -c build/worker.zip worker.py"
  type        = string
  default     = "build/worker.zip"
}

variable "worker_environment" {
  description = "Extra environment for the worker (the demo sets EVENT_LOG_DIR to collect events)."
  type        = map(string)
  default     = {}
}
