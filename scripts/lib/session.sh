# Sourced by scripts/localstack.sh and scripts/moto.sh: an emulator run as a
# session of its own in the background, on a loopback port, its pid in
# DIR/pid, stopped with everything it spawned. The caller defines die() and
# sets SERVICE_NAME (e.g. "LocalStack"), used in messages.

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

# stop DIR: SIGTERM to the session in DIR/pid, SIGKILL after 10 s.
stop() {
    local dir=$1 pid
    [[ -f "$dir/pid" ]] || { printf '%s: no pid file in %s, nothing to stop\n' "${0##*/}" "$dir" >&2; return 0; }
    pid=$(<"$dir/pid")
    [[ $pid =~ ^[0-9]+$ ]] || die "bad pid file $dir/pid"
    if [[ -n $(members "$pid") ]]; then
        signal_all TERM "$pid"
        if ! gone "$pid" 100; then
            printf '%s: %s (pid %s) ignored SIGTERM for 10 s, killing it\n' "${0##*/}" "$SERVICE_NAME" "$pid" >&2
            signal_all KILL "$pid"
            gone "$pid" 50 || die "processes of session $pid survive SIGKILL: $(members "$pid" | tr '\n' ' ')"
        fi
    fi
    rm -f "$dir/pid"
}

# not_running DIR: refuses to start a second one from DIR; forgets a stale pid.
not_running() {
    local dir=$1 old
    [[ -f "$dir/pid" ]] || return 0
    old=$(<"$dir/pid")
    if [[ $old =~ ^[0-9]+$ ]] && alive "$old"; then
        die "$SERVICE_NAME already running from $dir (pid $old, port $(cat "$dir/port" 2>/dev/null || echo '?')); stop it first"
    fi
    rm -f "$dir/pid"
}

# adopt_pid DIR LOG: waits (5 s at most) for the session leader's pid that the
# launched shell writes to DIR/pid.tmp, and makes it DIR/pid.
adopt_pid() {
    local dir=$1 log=$2 i pid=
    for ((i = 0; i < 50; i++)); do
        if [[ -s "$dir/pid.tmp" ]]; then pid=$(<"$dir/pid.tmp"); break; fi
        sleep 0.1
    done
    [[ -n $pid ]] || die "$SERVICE_NAME did not start (no pid written); log: $log"
    mv -f "$dir/pid.tmp" "$dir/pid"
}

# free_port PYTHON: a loopback port free now.
free_port() {
    "$1" -I -S -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# answers PYTHON URL: URL answers 2xx within 2 s (no proxy for loopback; -I -S:
# not affected by the caller's PYTHONPATH).
answers() {
    "$1" -I -S - "$2" <<'PY' 2>/dev/null
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=2) as r:
    sys.exit(0 if 200 <= r.status < 300 else 1)
PY
}
