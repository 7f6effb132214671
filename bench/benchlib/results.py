"""The one model of the benches' results files (results.json, quota-results.json,
routes-results.json): what a run records about itself (header), how it is written (save), and the
queries the reports ask of it (Results), so that they read their figures the same way."""

import json
import os
import platform
import re
import statistics
import subprocess
import time
from pathlib import Path

from .paths import ROOT
from .shell import STARTED
from .tools import OURS_BIN, aws_bin
from .versions import AWS_PROVIDER, TERRAFORM

# The variants both benches compare at every N; make bench-quota also runs the OPENAPIS
# (benches.quota_schedule): bench/openapi.tf with openapi_operation's options at their defaults, and
# with the one knob that shrinks the document (one media type's template).
VARIANTS, PHASES = ("ours", "recipe"), ("apply", "plan", "destroy")
OPENAPI_OPTIONS = {"openapi": "{}", "openapi-json": '{ content_types = ["application/json"] }'}
OPENAPIS = tuple(OPENAPI_OPTIONS)
# The provider that makes each variant's AWS calls, as measure.Sampler names it. The OPENAPIS run
# both: hashicorp/aws makes every call, the async provider only evaluates openapi_operation (a run's
# "providers" has each).
KIND = {"ours": "async", "recipe": "aws", **{variant: "aws" for variant in OPENAPIS}}


def machine():
    def grep(path, pattern):
        try:
            return re.search(pattern, Path(path).read_text(), re.M).group(1)
        except (OSError, AttributeError):
            return None

    return {"cpu": grep("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"), "cores": os.cpu_count(),
            "memory_gib": round(int(grep("/proc/meminfo", r"MemTotal:\s+(\d+)") or 0) / 2**20, 1),
            "os": grep("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)'), "kernel": platform.release(),
            "python": platform.python_version(),
            "rustc": subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()}


def header(config, aws=True):
    """What every results file starts with: when, where, which versions and executables (without
    `aws`, hashicorp/aws's left out: the bench does not run it); its "runs" are the bench's to
    append."""
    version = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
    versions = {"terraform": TERRAFORM, "hashicorp/aws": AWS_PROVIDER, "terraform-provider-async": version}
    executables = {"ours": OURS_BIN.stat().st_size}
    if aws:
        executables["aws"] = aws_bin().stat().st_size
    else:
        del versions["hashicorp/aws"]
    return {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "versions": versions,
            "executable_bytes": executables, "config": config, "runs": []}


def save(results, path):
    """`results`, with the run's duration so far, into `path`."""
    results["duration_s"] = round(time.monotonic() - STARTED, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def med(values):
    return statistics.median(values) if values else float("nan")


def any_operation(_op):
    return True


def served(run, which=any_operation):
    """The calls LocalStack served during one command whose operation ("service:Operation")
    `which` accepts."""
    return sum(v for k, v in run["calls"].items() if which(k))


def service(name):
    """Accepts the operations of AWS service `name` ("apigateway", "lambda")."""
    return lambda op: op.startswith(f"{name}:")


def is_read(op):
    return op.split(":", 1)[-1].startswith(("Get", "List", "Describe"))


def throttled(run):
    """The 429s the proxy's quotas answered during the command."""
    return sum(v for k, v in run["proxy_errors"].items() if k.endswith(" 429"))


class Results:
    """A results file's figures by variant, N and command; `big`, the largest N, is the one the
    targets are judged at."""

    def __init__(self, data):
        self.d, self.sizes, self.big = data, data["config"]["sizes"], data["config"]["sizes"][-1]

    @classmethod
    def load(cls, path):
        return cls(json.loads(path.read_text()))

    def runs(self, variant, n, phase):
        return [r for r in self.d["runs"] if (r["variant"], r["n"], r["phase"]) == (variant, n, phase)]

    def values(self, variant, n, phase, key):
        return [key(r) for r in self.runs(variant, n, phase)]

    def grid(self):
        return [(n, phase) for n in self.sizes for phase in PHASES]

    def failed(self, variant, n, phase):
        return any(r["error"] for r in self.runs(variant, n, phase))

    def calls(self, variant, n, phase, which=any_operation):
        """Calls served per endpoint, of the operations `which` accepts."""
        return self.values(variant, n, phase, lambda r: served(r, which) / n)

    def provider(self, variant, n, phase, key):
        """`key` of the variant's provider in each command (async for ours, aws for the others)."""
        kind = KIND[variant]
        return [key(r["providers"][kind]) for r in self.runs(variant, n, phase) if kind in r["providers"]]

    def schema(self, variant, key):
        return [x[key] for x in self.d["schema"]["ours" if variant == "ours" else "aws"]]
