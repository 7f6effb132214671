# terraform-provider-async: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CHECKPOINT_DISABLE := 1

# The tools' versions (TERRAFORM_OLDEST, TERRAFORM_NEWEST, AWS_PROVIDER,
# LOCALSTACK, ...): the manifest the scripts, bench/ and the tests read too.
include scripts/lib/versions.env
VERSION_KEYS := $(shell sed -n 's/^\([A-Z0-9_]*\)=.*/\1/p' scripts/lib/versions.env)

.PHONY: help demo demo-down tools build release test soak lint

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) \
	    | sed $(foreach key,$(VERSION_KEYS),-e 's|$$($(key))|$($(key))|g') \
	    | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

demo: ## Start LocalStack, apply examples/complete, call the endpoint, show the events
	bash scripts/demo.sh up

demo-down: ## Destroy the demo and stop LocalStack
	bash scripts/demo.sh down

.PHONY: example example-down localstack-up localstack-down
example: ## Run an example against LocalStack, EXAMPLE=webhooks or complete: applied, every URL called, events shown
	bash scripts/example.sh up "$(EXAMPLE)"

example-down: ## Destroy every example and stop LocalStack (EXAMPLE=NAME: destroy that one only)
	bash scripts/example.sh down $(EXAMPLE)

localstack-up: ## Start LocalStack for examples (or reuse the running one) and print its endpoint
	bash scripts/example.sh localstack-up

localstack-down: ## Destroy any example applied to that LocalStack and stop it
	bash scripts/example.sh down

tools: ## Install Terraform $(TERRAFORM_OLDEST), $(TERRAFORM_FUNCTIONS), $(TERRAFORM_IDENTITY), $(TERRAFORM_ACTIONS) and $(TERRAFORM_NEWEST), hashicorp/aws $(AWS_PROVIDER), LocalStack $(LOCALSTACK), moto $(MOTO), Lambda libraries, Velocity 1.7 and ruff $(RUFF) into .tools/
	bash scripts/install-tools.sh

build: ## Build the provider (target/debug/terraform-provider-async)
	cargo build --locked

.PHONY: install
install: ## Build the provider (release; PROFILE=debug for the debug build) and copy it into ~/.terraform.d/plugins, where terraform init finds it
	bash scripts/install-provider.sh

release: ## Reproducible release zip, manifest and SHA256SUMS in dist/
	bash scripts/release.sh

# ruff's settings: provider/dispatcher/ruff.toml.
lint: ## ruff on the dispatcher's Python, rustfmt and clippy; warnings are errors
	bash scripts/install-tools.sh ruff
	.tools/ruff/ruff check provider/dispatcher
	.tools/ruff/ruff format --check provider/dispatcher
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings

.PHONY: test-dispatcher
test-dispatcher: ## Unit tests of the async_lambda_route dispatcher (provider/dispatcher), with the Lambda libraries
	bash scripts/install-tools.sh lambda-libs
	PYTHONPATH=.tools/lambda-libs/python python3 -m unittest discover -s provider/dispatcher

soak: tools ## Fault-injection soak: many rounds of twenty endpoints through throttling, 5xx and resets
	TF_ACC=1 TFASYNC_SOAK_ROUNDS=$${ROUNDS:-10} cargo test --locked --test it -- faults:: --include-ignored --nocapture

# Acceptance tests (LocalStack, Velocity) are #[ignore]d, so a plain `cargo test`
# shows them as ignored; here they run too.
# The output goes to .work/test.log too, for the per-version report after it
# (scripts/terraform-matrix.py); the exit status is the tests'.
test: tools lint test-dispatcher ## Every test: unit, protocol, Terraform CLI and acceptance tests, on Terraform $(TERRAFORM_OLDEST) to $(TERRAFORM_NEWEST)
	@mkdir -p .work
	set -o pipefail; TF_ACC=1 cargo test --locked --workspace -- --include-ignored 2>&1 | tee .work/test.log; \
	    status=$$?; python3 scripts/terraform-matrix.py .work/test.log; exit $$status

.PHONY: docs
docs: ## Regenerate docs/ from the schemas and examples
	cargo run --quiet --locked --bin gen-docs

.PHONY: bench
bench: ## Benchmark against the five hashicorp/aws resources; writes bench/RESULTS.md, results.json, results.png (6-10 min)
	python3 bench/run.py

.PHONY: bench-quota
bench-quota: ## Benchmark through AWS's API Gateway and Lambda rate quotas, N=50,100,200 on one REST API; writes bench/quota-results.json, quota-results.png and the quota section of RESULTS.md (about 33 min)
	python3 bench/quota.py

.PHONY: bench-routes
bench-routes: ## Benchmark async_lambda_route (HTTP APIs on moto, Lambda on LocalStack): AWS calls per route to apply, plan and destroy N=1,10,25, the dispatcher's added latency (LocalStack, relative only); writes bench/routes-results.json and the routes section of RESULTS.md (about 7 min)
	python3 bench/routes.py
