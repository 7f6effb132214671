variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for the HTTP API, the function and the role."
  type        = string
  default     = "async-http-hooks"
}

variable "worker_runtime" {
  description = "Python runtime of the worker. hashicorp/aws before 4.x validates against an older list: use python3.8 there."
  type        = string
  default     = "python3.12"
}

variable "worker_zip" {
  description = "Zip of worker.py. Build it with: python3 -m zipfile -c build/worker.zip worker.py"
  type        = string
  default     = "build/worker.zip"
}

variable "worker_environment" {
  description = "Extra environment for the worker (EVENT_LOG_DIR collects events, as the tests do)."
  type        = map(string)
  default     = {}
}
