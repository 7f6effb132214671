#!/usr/bin/env bash
# make demo: LocalStack up, examples/complete applied with this provider and
# hashicorp/aws, a JSON POST and a form POST sent, the answers timed, and the
# events the worker received printed. `scripts/demo.sh down` destroys and stops.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
WORK="$ROOT/.work/demo"
STACK="$WORK/localstack"
CONFIG="$WORK/complete"
EVENTS="$WORK/events"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$WORK/terraformrc"

bold() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# The user's own terraform wins; else the newest one the project installs.
terraform_bin() {
    if command -v terraform >/dev/null 2>&1; then command -v terraform; else
        echo "$ROOT/.tools/terraform/1.15.5/terraform"; fi
}

tf() { "$(terraform_bin)" -chdir="$CONFIG" "$@"; }

down() {
    if [[ -f $CONFIG/terraform.tfstate && -f $STACK/pid ]]; then
        bold "Destroying the example"
        tf destroy -auto-approve -input=false -no-color >/dev/null && note "destroyed"
    fi
    if [[ -f $STACK/pid ]]; then
        bold "Stopping LocalStack"
        bash "$ROOT/scripts/localstack.sh" stop "$STACK"
    fi
    rm -rf "$WORK"
}

up() {
    bold "Installing tools (cached after the first run)"
    bash "$ROOT/scripts/install-tools.sh" terraform aws-provider localstack
    bold "Building the provider"
    (cd "$ROOT" && cargo build --locked --quiet)
    note "$ROOT/target/debug/terraform-provider-async"

    down >/dev/null 2>&1 || true
    mkdir -p "$WORK" "$EVENTS"
    bold "Starting LocalStack"
    endpoint=$(bash "$ROOT/scripts/localstack.sh" start "$STACK")
    note "$endpoint"

    # A filesystem mirror holds both providers, as for an offline install.
    local version mirror="$WORK/mirror/registry.terraform.io"
    version=$(cd "$ROOT" && cargo pkgid -p terraform-provider-async | sed 's/.*[#@]//')
    mkdir -p "$mirror/tf-async/async/$version/linux_amd64"
    ln -s "$ROOT/target/debug/terraform-provider-async" \
        "$mirror/tf-async/async/$version/linux_amd64/terraform-provider-async_v$version"
    # Terraform follows symlinked files in a mirror, not symlinked directories.
    local aws=hashicorp/aws/3.39.0/linux_amd64
    mkdir -p "$mirror/$aws"
    ln -s "$ROOT/.tools/mirror/registry.terraform.io/$aws/"* "$mirror/$aws/"
    printf 'provider_installation {\n  filesystem_mirror { path = "%s" }\n}\n' "$WORK/mirror" >"$TF_CLI_CONFIG_FILE"

    # The example itself is unchanged; LocalStack comes in through an override file.
    cp -r "$ROOT/examples/complete" "$CONFIG"
    (cd "$CONFIG" && mkdir -p build && python3 -m zipfile -c build/worker.zip worker.py)
    sed -e 's|@REGION@|var.region|' -e "s|@ENDPOINT@|$endpoint|g" \
        "$ROOT/scripts/lib/localstack-aws-provider.tf.in" >"$CONFIG/localstack_override.tf"
    cat >>"$CONFIG/localstack_override.tf" <<HCL

provider "async" {
  region     = var.region
  access_key = "test"
  secret_key = "test"
  endpoints {
    apigateway = "$endpoint"
    lambda     = "$endpoint"
    sts        = "$endpoint"
  }
}
HCL

    bold "terraform apply examples/complete ($("$(terraform_bin)" version | head -n 1))"
    tf init -input=false -no-color >/dev/null
    # hashicorp/aws 3.39.0, the version available offline, knows runtimes up to python3.8.
    printf 'worker_runtime = "python3.8"\nworker_environment = { EVENT_LOG_DIR = "%s" }\n' "$EVENTS" \
        >"$CONFIG/demo.auto.tfvars"
    tf apply -auto-approve -input=false -no-color | grep -E '^(async_|aws_|Apply)' | sed 's/^/    /'

    local api stage path url
    api=$(tf output -raw rest_api_id)
    stage=$(tf output -raw stage_name)
    path=$(tf output -raw resource_path)
    url="$endpoint/_aws/execute-api/$api/$stage$path"
    note "invoke URL on AWS: $(tf output -raw invoke_url)"
    note "on LocalStack:     $url"

    local sent_at
    sent_at=$(date +%s.%N)
    post "JSON POST" "$url" application/json '{"job": "resize", "image": "cat.png", "note": "it'"'"'s \"quoted\""}'
    post "Form POST (seed 000's use case)" "$url" application/x-www-form-urlencoded \
        'token=abc&text=hello+world&user_name=O%27Brien&emoji=%F0%9F%9A%80'

    bold "Waiting for the worker (it sleeps 3 s per job) ..."
    python3 "$ROOT/scripts/demo_events.py" "$EVENTS" 2 30 "$sent_at"
    printf '\nRun `make demo-down` to destroy everything and stop LocalStack.\n'
}

post() {
    local title=$1 url=$2 content_type=$3 body=$4 out
    bold "$title"
    note "body: $body"
    out=$(curl -sS -o "$WORK/response" -w '%{http_code} %{time_total}' -X POST \
        -H "Content-Type: $content_type" --data-binary "$body" "$url")
    note "status: ${out% *}   answered in: $(python3 -c "print(f'{float(\"${out#* }\")*1000:.0f} ms')")"
    note "response: $(cat "$WORK/response")"
}

case "${1:-up}" in
    up) up ;;
    down) down ;;
    *) echo "usage: scripts/demo.sh [up|down]" >&2; exit 2 ;;
esac
