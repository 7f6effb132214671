#!/usr/bin/env bash
# Start or stop a moto server (moto's server mode, the tests' emulator of API
# Gateway v2, which LocalStack's free edition lacks) on the host, from the venv
# that scripts/install-tools.sh puts in .tools/moto/venv.
#
#   scripts/moto.sh start DIR [PORT]  start it in the background on loopback PORT, or on a
#                                     free loopback port; prints http://127.0.0.1:PORT on
#                                     stdout once /moto-api/config answers (30 s at most)
#   scripts/moto.sh stop DIR          SIGTERM its whole process group, SIGKILL after 10 s
#
# DIR (created if needed) receives moto.log, pid, port and tmp/ (TMPDIR). moto
# keeps everything in memory: a restart starts empty. It accepts any credentials
# and every region; its account is 123456789012. Point only API Gateway v2 at it
# (Lambda, IAM and STS stay on LocalStack: moto runs Lambda code only in Docker).
# MOTO_START_TIMEOUT (seconds, default 30) bounds the wait.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV="$ROOT/.tools/moto/venv"

die() { printf 'moto.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SERVICE_NAME=moto
# shellcheck source=lib/session.sh
. "$ROOT/scripts/lib/session.sh"

# launch DIR PORT: starts moto_server in a session of its own; writes DIR/pid.
launch() {
    local dir=$1 port=$2
    printf '%s\n' "$port" >"$dir/port"
    rm -f "$dir/pid.tmp"
    # setsid: moto leads its own session and process group, so stop can signal
    # everything. The inner shell writes its own pid (the session leader) before
    # exec'ing Python, whether or not setsid forked. -I: the caller's PYTHONPATH
    # and the like do not reach moto; -u: the log is written as it happens.
    # MOTO_PORT: the port moto puts in the URLs it generates.
    MOTO_PORT="$port" \
    TMPDIR="$dir/tmp" \
    MOTO_PIDFILE="$dir/pid.tmp" \
    MOTO_PY="$VENV/bin/python" \
        setsid bash -c 'echo $$ >"$MOTO_PIDFILE"; py=$MOTO_PY; unset MOTO_PIDFILE MOTO_PY
                        exec "$py" -I -u -m moto.server -H 127.0.0.1 -p "$MOTO_PORT"' \
        </dev/null >>"$dir/moto.log" 2>&1 &
    adopt_pid "$dir" "$dir/moto.log"
}

# owns_port PID PORT: PID holds the socket listening on 127.0.0.1:PORT (so
# that an answer on PORT is this moto's, not another program's).
owns_port() {
    local want inode fd
    want=$(printf '0100007F:%04X' "$2")
    # /proc/net/tcp: sl local_address rem_address st(0A: LISTEN) ... inode (10th)
    inode=$(awk -v a="$want" '$2 == a && $4 == "0A" { print $10; exit }' /proc/net/tcp 2>/dev/null)
    [[ -n $inode ]] || return 1
    for fd in /proc/"$1"/fd/*; do
        [[ $(readlink "$fd" 2>/dev/null) == "socket:[$inode]" ]] && return 0
    done
    return 1
}

# ready DIR PORT: 0 once this moto listens on PORT and /moto-api/config
# answers (2xx); 1 if moto exited before (DIR/pid removed); exits the script
# on the timeout.
ready() {
    local dir=$1 port=$2 pid
    local url="http://127.0.0.1:$port"
    pid=$(<"$dir/pid")
    local timeout=${MOTO_START_TIMEOUT:-30}
    local deadline=$((SECONDS + timeout))
    while :; do
        # moto answers 201.
        if owns_port "$pid" "$port" && answers "$VENV/bin/python" "$url/moto-api/config"; then
            return 0
        fi
        if ! alive "$pid"; then
            stop "$dir"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            printf 'moto.sh: moto not answering after %s s; last lines of %s:\n' "$timeout" "$dir/moto.log" >&2
            tail -n 40 "$dir/moto.log" >&2 || true
            stop "$dir"
            exit 1
        fi
        sleep 0.1
    done
}

start() {
    local dir=$1 given=${2:-}
    [[ -z $given || ($given =~ ^[0-9]+$ && $given -ge 1 && $given -le 65535) ]] || die "bad port $given"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    not_running "$dir"
    # Installs it if missing; a quiet no-op (milliseconds) when it is there.
    "$ROOT/scripts/install-tools.sh" moto
    mkdir -p "$dir/tmp"
    : >"$dir/moto.log"

    # A free port can be taken by someone else before moto binds it: then moto
    # exits at once, and another port is tried (twice more). A given port is
    # tried once.
    local attempt port
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=${given:-$(free_port "$VENV/bin/python")}
        launch "$dir" "$port"
        if ready "$dir" "$port"; then
            printf 'http://127.0.0.1:%s\n' "$port"
            return 0
        fi
        if [[ -n $given ]] || ! grep -q 'Address already in use' "$dir/moto.log"; then
            break
        fi
        printf 'moto.sh: port %s was taken meanwhile; trying another\n' "$port" >&2
    done
    printf 'moto.sh: moto exited during startup; last lines of %s:\n' "$dir/moto.log" >&2
    tail -n 40 "$dir/moto.log" >&2 || true
    exit 1
}

case ${1:-} in
    start) [[ $# -eq 2 || $# -eq 3 ]] || usage; start "$2" "${3:-}" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
