"""The AWS calls a command makes, counted twice: from LocalStack's request log (the calls it
served) and by the proxy in front of it (every call it received, and those it answered itself):
the two agree unless the proxy answers some itself, as bench-quota's quotas do with 429s."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from .paths import ROOT


class RequestLog:
    """The calls LocalStack served since `mark`: its `localstack.request.aws ... AWS
    service.Operation => status` lines, named as the proxy names them."""

    LINE = re.compile(r"localstack\.request\.aws\s*: AWS (\w+)\.(\w+) => (\d+)")

    def __init__(self, path):
        self.path, self.offset = Path(path), 0

    def mark(self):
        self.offset = self.path.stat().st_size

    def counts(self, expected_total, wait_s=5.0):
        """Waits (up to wait_s) for `expected_total` lines: one is written as its answer is sent."""
        deadline = time.monotonic() + wait_s
        while True:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                lines = self.LINE.findall(f.read().decode(errors="replace"))
            if len(lines) >= expected_total or time.monotonic() > deadline:
                return tally(f"{s}:{op}" for s, op, _ in lines), tally(
                    f"{s}:{op} {status}" for s, op, status in lines if not status.startswith("2"))
            time.sleep(0.05)


def tally(keys):
    out = {}
    for k in keys:
        out[k] = out.get(k, 0) + 1
    return out


def difference(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


class Proxy:
    """tests/support/fault_proxy.py without faults, with `flags` (bench-quota: its quotas): it
    counts every call and keeps the counts in a file that is up to date before each answer goes out."""

    def __init__(self, work, upstream, flags=()):
        self.stats_file = work / "proxy-stats.json"
        self.proc = subprocess.Popen(
            [sys.executable, ROOT / "tests/support/fault_proxy.py", "--upstream", upstream, *flags,
             "--stats", self.stats_file], stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("the proxy did not start")

    def stats(self):
        return json.loads(self.stats_file.read_text())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
