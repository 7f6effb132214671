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

# alive PID: the process exists and is not a zombie.
alive() {
    local state
    [[ -r /proc/$1/stat ]] || return 1
    state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# members SID: live (non-zombie) processes of session SID, one pid a line.
members() {
    local f pid rest state sid
    for f in /proc/[0-9]*/stat; do
        # fields after "pid (comm) ": state ppid pgrp session ...
        read -r rest <"$f" || continue
        pid=${rest%% *}
        rest=${rest##*) }
        read -r state _ _ sid _ <<<"$rest"
        if [[ $sid == "$1" && $state != Z && $state != X ]]; then
            printf '%s\n' "$pid"
        fi
    done 2>/dev/null
}

# signal_all SIG SID: the process group SID and any stray members of the session.
signal_all() {
    kill -s "$1" -- "-$2" 2>/dev/null || true
    local p
    for p in $(members "$2"); do
        kill -s "$1" "$p" 2>/dev/null || true
    done
}

# gone SID TENTHS: waits up to TENTHS tenths of a second for session SID to end.
gone() {
    local i
    for ((i = 0; i < $2; i++)); do
        [[ -z $(members "$1") ]] && return 0
        sleep 0.1
    done
    [[ -z $(members "$1") ]]
}

stop() {
    local dir=$1 pid
    [[ -f "$dir/pid" ]] || { printf 'moto.sh: no pid file in %s, nothing to stop\n' "$dir" >&2; return 0; }
    pid=$(<"$dir/pid")
    [[ $pid =~ ^[0-9]+$ ]] || die "bad pid file $dir/pid"
    if [[ -n $(members "$pid") ]]; then
        signal_all TERM "$pid"
        if ! gone "$pid" 100; then
            printf 'moto.sh: moto (pid %s) ignored SIGTERM for 10 s, killing it\n' "$pid" >&2
            signal_all KILL "$pid"
            gone "$pid" 50 || die "processes of session $pid survive SIGKILL: $(members "$pid" | tr '\n' ' ')"
        fi
    fi
    rm -f "$dir/pid"
}

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
    local i pid=
    for ((i = 0; i < 50; i++)); do
        if [[ -s "$dir/pid.tmp" ]]; then pid=$(<"$dir/pid.tmp"); break; fi
        sleep 0.1
    done
    [[ -n $pid ]] || die "moto did not start (no pid written); log: $dir/moto.log"
    mv -f "$dir/pid.tmp" "$dir/pid"
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
        # -I -S: not affected by the caller's PYTHONPATH; no proxy for loopback.
        if owns_port "$pid" "$port" && "$VENV/bin/python" -I -S - "$url/moto-api/config" <<'PY' 2>/dev/null; then
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=2) as r:
    sys.exit(0 if 200 <= r.status < 300 else 1)  # moto answers 201
PY
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

free_port() {
    "$VENV/bin/python" -I -S -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 given=${2:-}
    [[ -z $given || ($given =~ ^[0-9]+$ && $given -ge 1 && $given -le 65535) ]] || die "bad port $given"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    if [[ -f "$dir/pid" ]]; then
        local old
        old=$(<"$dir/pid")
        if [[ $old =~ ^[0-9]+$ ]] && alive "$old"; then
            die "moto already running from $dir (pid $old, port $(cat "$dir/port" 2>/dev/null || echo '?')); stop it first"
        fi
        rm -f "$dir/pid"
    fi
    # Installs it if missing; a quiet no-op (milliseconds) when it is there.
    "$ROOT/scripts/install-tools.sh" moto
    mkdir -p "$dir/tmp"
    : >"$dir/moto.log"

    # A free port can be taken by someone else before moto binds it: then moto
    # exits at once, and another port is tried (twice more). A given port is
    # tried once.
    local attempt port
    for ((attempt = 1; attempt <= 3; attempt++)); do
        port=${given:-$(free_port)}
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
