terraform {
  required_providers {
    async = {
      source = "tf-async/async"
    }
  }
}

# Every argument is optional: unset ones come from the standard AWS chain
# (AWS_REGION, AWS_PROFILE, shared config and credentials files, SSO, ...).
provider "async" {
  region      = "us-east-1"
  max_retries = 10
}
