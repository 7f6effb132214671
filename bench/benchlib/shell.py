"""Progress lines on stderr, stamped with the time since the bench started, and the commands they
announce: a long bench says what it is doing, and a failing command stops it."""

import subprocess
import sys
import time

STARTED = time.monotonic()


def log(msg):
    t = int(time.monotonic() - STARTED)
    print(f"[bench {t // 60:2d}:{t % 60:02d}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    """`cmd` logged, then run; a CalledProcessError unless it exits 0."""
    log("$ " + " ".join(map(str, cmd)))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)
