#!/usr/bin/env bash
# Start or stop a LocalStack (AWS emulator) on the host, without Docker, from the
# venv that scripts/install-tools.sh puts in .tools/localstack/venv.
#
#   scripts/localstack.sh start DIR   start it in the background on a free loopback
#                                     port; prints http://127.0.0.1:PORT on stdout once
#                                     /_localstack/health answers (60 s at most)
#   scripts/localstack.sh stop DIR    SIGTERM its whole process group, SIGKILL after 10 s
#
# DIR (created if needed) receives localstack.log, pid, port, volume/, and LocalStack's
# temporary files (tmp/: TMPDIR, e.g. the unzipped Lambda code) and caches (cache/:
# XDG_CACHE_HOME, e.g. its plugin index, so that a reinstalled plugin is always seen).
# Lambda functions run without Docker through the runtime executor `subprocess`
# (tests/localstack_executor, installed in .tools/localstack/executor by
# install-tools.sh): its directory is put first on PYTHONPATH, and
# LAMBDA_RUNTIME_EXECUTOR=subprocess is set unless the caller set it non-empty.
# Other environment the caller sets is passed through; SERVICES may be overridden
# (default apigateway,lambda,iam,sts,logs).
# LOCALSTACK_START_TIMEOUT (seconds, default 60) bounds the wait for health.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV="$ROOT/.tools/localstack/venv"
EXECUTOR_DIR="$ROOT/.tools/localstack/executor"

die() { printf 'localstack.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SERVICE_NAME=LocalStack
# shellcheck source=lib/session.sh
. "$ROOT/scripts/lib/session.sh"

start() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    not_running "$dir"
    # Installs it if missing; a quiet no-op (milliseconds) when it is there.
    "$ROOT/scripts/install-tools.sh" localstack
    local py="$VENV/bin/python"

    local port
    port=$(free_port "$py")
    mkdir -p "$dir/volume" "$dir/tmp" "$dir/cache"
    printf '%s\n' "$port" >"$dir/port"
    rm -f "$dir/pid.tmp"

    # TMPDIR: LocalStack logs a harmless "TMPDIR is deprecated" warning (it only
    # checks that the name is set); the unzipped Lambda code goes to DIR/tmp/lambda.
    # setsid: LocalStack leads its own session and process group, so stop can
    # signal everything it spawned. The inner shell writes its own pid (the
    # session leader) before exec'ing Python, whether or not setsid forked.
    GATEWAY_SERVER=hypercorn \
    GATEWAY_LISTEN="127.0.0.1:$port" \
    SERVICES="${SERVICES:-apigateway,lambda,iam,sts,logs}" \
    LOCALSTACK_VOLUME_DIR="$dir/volume" \
    DISABLE_EVENTS=1 \
    DNS_ADDRESS=0 \
    LAMBDA_RUNTIME_EXECUTOR="${LAMBDA_RUNTIME_EXECUTOR:-subprocess}" \
    PYTHONPATH="$EXECUTOR_DIR${PYTHONPATH:+:$PYTHONPATH}" \
    XDG_CACHE_HOME="$dir/cache" \
    TMPDIR="$dir/tmp" \
    LS_PIDFILE="$dir/pid.tmp" \
    LS_PY="$py" \
        setsid bash -c 'echo $$ >"$LS_PIDFILE"; py=$LS_PY; unset LS_PIDFILE LS_PY; exec "$py" -m localstack.runtime.main' \
        </dev/null >"$dir/localstack.log" 2>&1 &
    adopt_pid "$dir" "$dir/localstack.log"
    local pid
    pid=$(<"$dir/pid")

    local url="http://127.0.0.1:$port"
    local timeout=${LOCALSTACK_START_TIMEOUT:-60}
    local deadline=$((SECONDS + timeout))
    while :; do
        if answers "$py" "$url/_localstack/health"; then
            break
        fi
        if ! alive "$pid"; then
            printf 'localstack.sh: LocalStack exited during startup; last lines of %s:\n' "$dir/localstack.log" >&2
            tail -n 40 "$dir/localstack.log" >&2 || true
            stop "$dir"
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            printf 'localstack.sh: LocalStack not healthy after %s s; last lines of %s:\n' "$timeout" "$dir/localstack.log" >&2
            tail -n 40 "$dir/localstack.log" >&2 || true
            stop "$dir"
            exit 1
        fi
        sleep 0.2
    done
    printf '%s\n' "$url"
}

[[ $# -eq 2 ]] || usage
case $1 in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) usage ;;
esac
