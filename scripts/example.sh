#!/usr/bin/env bash
# Runs a runnable example against LocalStack (no Docker, no AWS account):
#
#   scripts/example.sh up EXAMPLE     EXAMPLE is complete or webhooks: installs the tools, builds
#                                     the provider, starts LocalStack (or reuses the one running
#                                     from an earlier up), creates what the example needs, applies
#                                     the example unchanged plus a generated localstack_override.tf,
#                                     POSTs to every URL it outputs and prints the events received
#   scripts/example.sh down [EXAMPLE] destroys EXAMPLE (LocalStack keeps running); without one,
#                                     destroys every example and stops LocalStack
#   scripts/example.sh demo           make demo: up complete, with a JSON and a form POST
#   scripts/example.sh localstack-up  starts LocalStack (or reuses it); prints its URL on stdout
#
# Environment:
#   TFASYNC_EXAMPLE_DIR  work directory (default .work/examples): LocalStack's files, a
#                        filesystem mirror, and one copy of examples/ per example applied
#   TERRAFORM            the terraform to run (default: terraform on PATH, else
#                        .tools/terraform/TERRAFORM_NEWEST/terraform, scripts/lib/versions.env)
#   TFASYNC_PROVIDER     a provider binary to use as it is (default: cargo build --locked)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=lib/versions.env
source "$ROOT/scripts/lib/versions.env"
WORK=${TFASYNC_EXAMPLE_DIR:-$ROOT/.work/examples}
[[ $WORK == /* ]] || WORK="$PWD/$WORK"
STACK="$WORK/localstack"
EXAMPLES=(complete webhooks)
REGION=us-east-1
# LocalStack's venv carries boto3 (and the AWS CLI), for what the examples take as given.
VENV_PY="$ROOT/.tools/localstack/venv/bin/python"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$WORK/terraformrc"

bold() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'example.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The caller's TERRAFORM, else the user's own terraform, else the newest one the project installs.
terraform_bin() {
    if [[ -n ${TERRAFORM:-} ]]; then echo "$TERRAFORM"
    elif command -v terraform >/dev/null 2>&1; then command -v terraform
    else echo "$ROOT/.tools/terraform/$TERRAFORM_NEWEST/terraform"; fi
}

# tf EXAMPLE ARGS...: terraform in the example's copy.
tf() { local ex=$1; shift; "$(terraform_bin)" -chdir="$(config_dir "$ex")" "$@"; }
config_dir() { echo "$WORK/$1/examples/$1"; }
events_dir() { echo "$WORK/$1/events"; }
worker_name() { echo "async-$1-worker"; }

known_example() {
    local ex
    for ex in "${EXAMPLES[@]}"; do [[ $1 == "$ex" ]] && return 0; done
    die "unknown example '$1': choose one of ${EXAMPLES[*]} (EXAMPLE=webhooks)"
}

# --- LocalStack ----------------------------------------------------------------

# Prints the URL of the LocalStack this work directory started, if it answers.
running_localstack() {
    [[ -f $STACK/pid && -f $STACK/port ]] || return 1
    kill -0 "$(<"$STACK/pid")" 2>/dev/null || return 1
    local url
    url="http://127.0.0.1:$(<"$STACK/port")"
    curl -fsS --noproxy '*' -m 5 -o /dev/null "$url/_localstack/health" 2>/dev/null || return 1
    echo "$url"
}

# Sets ENDPOINT: the running LocalStack, else a new one. What was applied to an
# earlier LocalStack of this directory went with it: its copies are forgotten.
ensure_localstack() {
    if ENDPOINT=$(running_localstack); then
        note "reusing LocalStack at $ENDPOINT (pid $(<"$STACK/pid"))"
        return
    fi
    if [[ -f $STACK/pid ]]; then bash "$ROOT/scripts/localstack.sh" stop "$STACK"; fi
    local ex
    for ex in "${EXAMPLES[@]}"; do rm -rf "${WORK:?}/$ex"; done
    ENDPOINT=$(bash "$ROOT/scripts/localstack.sh" start "$STACK")
    note "started LocalStack at $ENDPOINT (log: $STACK/localstack.log)"
}

# lambda_function put NAME ZIP [KEY=VALUE...] | delete NAME: creates or updates a Python
# function on LocalStack (what README.md's aws lambda commands do), or deletes it.
lambda_function() {
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=$REGION \
        "$VENV_PY" - "$ENDPOINT" "$@" <<'PY'
import sys
import boto3

endpoint, action, name = sys.argv[1:4]
client = boto3.client("lambda", endpoint_url=endpoint)
if action == "delete":
    try:
        client.delete_function(FunctionName=name)
    except client.exceptions.ResourceNotFoundException:
        pass
    sys.exit(0)
code = open(sys.argv[4], "rb").read()
environment = {"Variables": dict(arg.split("=", 1) for arg in sys.argv[5:])}
try:
    client.create_function(
        FunctionName=name, Runtime="python3.11", Handler="worker.handler", Timeout=60,
        Role=f"arn:aws:iam::000000000000:role/{name}", Code={"ZipFile": code},
        Environment=environment)
    print(f"    created function {name}")
except client.exceptions.ResourceConflictException:
    client.update_function_code(FunctionName=name, ZipFile=code)
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    client.update_function_configuration(FunctionName=name, Environment=environment)
    print(f"    updated function {name}")
client.get_waiter("function_active_v2").wait(FunctionName=name)
client.get_waiter("function_updated_v2").wait(FunctionName=name)
PY
}

# --- Terraform -----------------------------------------------------------------

# A filesystem mirror with this build of the provider and hashicorp/aws,
# as for an offline install, and the CLI configuration that uses it.
write_mirror() {
    local provider=$1 version mirror="$WORK/mirror/registry.terraform.io"
    version=$(cd "$ROOT" && cargo pkgid -p terraform-provider-async | sed 's/.*[#@]//')
    rm -rf "$WORK/mirror"
    mkdir -p "$mirror/tf-async/async/$version/linux_amd64"
    # A snapshot, not a symlink: a rebuild while the example is up (cargo replaces
    # the file) would no longer match the checksum Terraform locked.
    local copy="$mirror/tf-async/async/$version/linux_amd64/terraform-provider-async_v$version"
    ln "$provider" "$copy" 2>/dev/null || cp "$provider" "$copy"
    # Terraform follows symlinked files in a mirror, not symlinked directories.
    local aws=hashicorp/aws/$AWS_PROVIDER/linux_amd64
    mkdir -p "$mirror/$aws"
    ln -s "$ROOT/.tools/mirror/registry.terraform.io/$aws/"* "$mirror/$aws/"
    printf 'provider_installation {\n  filesystem_mirror { path = "%s" }\n}\n' "$WORK/mirror" >"$TF_CLI_CONFIG_FILE"
}

# Both providers pointed at LocalStack: the examples' own provider blocks stay,
# and Terraform merges these settings into them.
write_override() {
    local file=$1
    {
        printf '# Generated by scripts/example.sh: both providers pointed at LocalStack.\n'
        printf '# Terraform merges this file into the example'"'"'s own provider blocks.\n\n'
        local template
        for template in localstack-aws-provider localstack-async-provider; do
            sed -e '/^#/d' -e 's|@REGION@|var.region|' -e "s|@ENDPOINT@|$ENDPOINT|g" \
                "$ROOT/scripts/lib/$template.tf.in"
        done
    } >"$file"
}

# A fresh copy of examples/ for EXAMPLE, keeping the state of an earlier up:
# its relative module paths (../modules/...) resolve as in the repository.
copy_example() {
    local ex=$1 config state
    config=$(config_dir "$ex")
    state=$(mktemp -d)
    if [[ -f $config/terraform.tfstate ]]; then cp -p "$config"/terraform.tfstate* "$state/"; fi
    rm -rf "${WORK:?}/$ex/examples"
    mkdir -p "$WORK/$ex"
    cp -R -p "$ROOT/examples" "$WORK/$ex/examples"
    # Whatever a run of the examples in the checkout left (against AWS, say).
    find "$WORK/$ex/examples" \( -name .terraform -o -name .terraform.lock.hcl \
        -o -name 'terraform.tfstate*' -o -name build -o -name '*override.tf' \) -prune \
        -exec rm -rf {} +
    cp -a "$state/." "$config/"
    rm -rf "$state"
    write_override "$config/localstack_override.tf"
}

# --- What each example needs ---------------------------------------------------

# complete makes its own function from worker.py; it needs the zip and, with
# hashicorp/aws AWS_PROVIDER (versions.env), a runtime that version knows.
prepare_complete() {
    local config events
    config=$(config_dir complete) events=$(events_dir complete)
    (cd "$config" && mkdir -p build && python3 -m zipfile -c build/worker.zip worker.py)
    cat >"$config/localstack.auto.tfvars" <<HCL
localstack_endpoint = "$ENDPOINT"
worker_runtime      = "python3.8"
worker_environment  = { EVENT_LOG_DIR = "$events" }
HCL
}

# webhooks takes an existing function: examples/complete/worker.py, made here
# (or updated if it is there) as README.md shows it made with the AWS CLI.
prepare_webhooks() {
    local config events name zip
    config=$(config_dir webhooks) events=$(events_dir webhooks) name=$(worker_name webhooks)
    zip="$WORK/webhooks/worker.zip"
    (cd "$ROOT/examples/complete" && python3 -m zipfile -c "$zip" worker.py)
    lambda_function put "$name" "$zip" "EVENT_LOG_DIR=$events" WORK_SECONDS=1
    cat >"$config/localstack.auto.tfvars" <<HCL
localstack_endpoint = "$ENDPOINT"
function_name       = "$name"
HCL
}

cleanup_webhooks() {
    lambda_function delete "$(worker_name webhooks)"
}

# --- Calls ---------------------------------------------------------------------

# Prints NAME<TAB>URL for every URL the example outputs for LocalStack, with a
# sample value in each path parameter ({source} -> github).
localstack_urls() {
    python3 -c '
import json, re, sys
outputs = {k: v["value"] for k, v in json.load(sys.stdin).items()}
urls = outputs.get("localstack_invoke_urls") or {}
if outputs.get("localstack_invoke_url"):
    # One endpoint: named after its path, /jobs -> jobs.
    urls[outputs.get("resource_path", "").strip("/") or "endpoint"] = outputs["localstack_invoke_url"]
for name, url in sorted(urls.items()):
    url = re.sub(r"\{[^}]*\}", lambda m: "github" if m.group(0) == "{source}" else "example", url)
    print(f"{name}\t{url}")
' <"$WORK/$1/outputs.json"
}

# Prints what the example outputs for AWS: invoke_url or invoke_urls.
aws_urls() {
    python3 -c '
import json, sys
outputs = {k: v["value"] for k, v in json.load(sys.stdin).items()}
urls = outputs.get("invoke_urls") or {outputs.get("resource_path", "").strip("/") or "endpoint": outputs.get("invoke_url")}
for name, url in sorted(urls.items()):
    print(f"{name}: {url}")
' <"$WORK/$1/outputs.json"
}

FAILED=0

# post TITLE URL CONTENT_TYPE BODY: sends it, prints status, time and answer.
post() {
    local title=$1 url=$2 content_type=$3 body=$4 out
    bold "$title"
    note "POST $url"
    note "body: $body"
    out=$(curl -sS --noproxy '*' -o "$WORK/response" -w '%{http_code} %{time_total}' -X POST \
        -H "Content-Type: $content_type" --data-binary "$body" "$url") || out="000 0"
    note "status: ${out% *}   answered in: $(python3 -c "print(f'{float(\"${out#* }\")*1000:.0f} ms')")"
    note "response: $(tr -s '\n' ' ' <"$WORK/response" 2>/dev/null | sed 's/^ *//; s/ *$//')"
    [[ ${out% *} == 2?? ]] || FAILED=$((FAILED + 1))
}

# The demo's two requests to POST /jobs of examples/complete.
demo_calls() {
    local url=$1
    post "JSON POST" "$url" application/json '{"job": "resize", "image": "cat.png", "note": "it'"'"'s \"quoted\""}'
    post "Form POST (seed 000's use case)" "$url" application/x-www-form-urlencoded \
        'token=abc&text=hello+world&user_name=O%27Brien&emoji=%F0%9F%9A%80'
}

# --- Commands ------------------------------------------------------------------

up() {
    local ex=$1 demo=${2:-}
    known_example "$ex"
    bold "Installing tools (cached after the first run)"
    bash "$ROOT/scripts/install-tools.sh" terraform aws-provider localstack
    local provider=${TFASYNC_PROVIDER:-}
    if [[ -z $provider ]]; then
        bold "Building the provider"
        (cd "$ROOT" && cargo build --locked --quiet)
        provider="${CARGO_TARGET_DIR:-$ROOT/target}/debug/terraform-provider-async"
    fi
    [[ -x $provider ]] || die "no provider binary at $provider"
    note "$provider"

    mkdir -p "$WORK"
    bold "LocalStack"
    ensure_localstack
    write_mirror "$provider"
    copy_example "$ex"
    local events
    events=$(events_dir "$ex")
    rm -rf "$events" && mkdir -p "$events"
    bold "Preparing what examples/$ex needs"
    "prepare_$ex"

    bold "terraform apply examples/$ex ($("$(terraform_bin)" version | head -n 1))"
    note "in $(config_dir "$ex"), with localstack_override.tf and localstack.auto.tfvars"
    tf "$ex" init -input=false -no-color >/dev/null
    tf "$ex" apply -auto-approve -input=false -no-color |
        grep -E '^(module\.|async_|aws_|Apply)' | sed 's/^/    /'

    bold "Invoke URLs"
    tf "$ex" output -json >"$WORK/$ex/outputs.json"
    aws_urls "$ex" | sed 's/^/    on AWS:        /'
    local urls
    urls=$(localstack_urls "$ex")
    [[ -n $urls ]] || die "examples/$ex output no LocalStack invoke URL"
    printf '%s\n' "$urls" | sed 's/\t/: /; s/^/    on LocalStack: /'

    local sent_at count=0 name url
    sent_at=$(date +%s.%N)
    if [[ -n $demo ]]; then
        demo_calls "$(printf '%s\n' "$urls" | head -n 1 | cut -f 2)"
        count=2
    else
        while IFS=$'\t' read -r name url; do
            post "$name" "$url" application/json "{\"example\": \"$ex\", \"webhook\": \"$name\"}"
            count=$((count + 1))
        done <<<"$urls"
    fi

    ((FAILED == 0)) || die "$FAILED request(s) not answered 2xx; see $STACK/localstack.log"

    bold "Waiting for the worker (it sleeps $([[ $ex == complete ]] && echo 3 || echo 1) s per event) ..."
    local detail=(--brief)
    if [[ -n $demo ]]; then detail=(); fi
    python3 "$ROOT/scripts/demo_events.py" "$events" "$count" 30 "$sent_at" \
        --log "$STACK/localstack.log" "${detail[@]}"

    if [[ -n $demo ]]; then
        printf '\nRun "make demo-down" to destroy everything and stop LocalStack.\n'
    else
        printf '\nRun "make example-down" to destroy everything and stop LocalStack'
        printf ' ("make example-down EXAMPLE=%s": this example only).\n' "$ex"
    fi
}

# destroy EXAMPLE: destroys what it applied, if its LocalStack still runs.
destroy() {
    local ex=$1 config
    config=$(config_dir "$ex")
    [[ -d $WORK/$ex ]] || return 0
    if [[ -f $config/terraform.tfstate ]] && ENDPOINT=$(running_localstack); then
        bold "Destroying examples/$ex"
        # Installed afresh: the provider may have been rebuilt since the apply.
        rm -rf "$config/.terraform" "$config/.terraform.lock.hcl"
        tf "$ex" init -input=false -no-color >/dev/null
        tf "$ex" destroy -auto-approve -input=false -no-color >/dev/null
        note "destroyed"
        if declare -F "cleanup_$ex" >/dev/null; then "cleanup_$ex"; fi
    fi
    rm -rf "${WORK:?}/$ex"
}

down() {
    local ex
    if [[ $# -gt 0 ]]; then
        known_example "$1"
        destroy "$1"
        return
    fi
    for ex in "${EXAMPLES[@]}"; do destroy "$ex"; done
    if [[ -f $STACK/pid ]]; then
        bold "Stopping LocalStack"
        bash "$ROOT/scripts/localstack.sh" stop "$STACK"
        note "stopped"
    fi
    rm -rf "$STACK" "$WORK/mirror" "$TF_CLI_CONFIG_FILE" "$WORK/response"
    rmdir "$WORK" 2>/dev/null || true
}

localstack_up() {
    mkdir -p "$WORK"
    ensure_localstack >&2
    printf '%s\n' "$ENDPOINT"
    printf '    stop it with "make localstack-down"; examples: README.md, "Run an example against LocalStack"\n' >&2
}

case "${1:-}" in
    up)
        [[ $# -le 2 ]] || usage
        [[ -n ${2:-} ]] || die "which example? make example EXAMPLE=webhooks (or EXAMPLE=complete)"
        up "$2"
        ;;
    demo) [[ $# -eq 1 ]] || usage; up complete demo ;;
    down) [[ $# -le 2 ]] || usage; if [[ -n ${2:-} ]]; then down "$2"; else down; fi ;;
    localstack-up) [[ $# -eq 1 ]] || usage; localstack_up ;;
    *) usage ;;
esac
