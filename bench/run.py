#!/usr/bin/env python3
"""`make bench`: async_lambda_endpoint against the five-resource hashicorp/aws
recipe, side by side on one machine, one Terraform (1.15.5) and one LocalStack.

Usage: python3 bench/run.py [--rounds R] [--sizes 1,10,50] [--schema-samples S]
                            [--skip-build] [--keep-work]

Steps (everything under the git-ignored .work/bench and .tools/):
  1. cargo build --release --locked; scripts/install-tools.sh terraform aws-provider localstack;
     the bench venv .tools/bench-venv (bench/requirements.txt, pip, the project's download cache).
  2. Start to served GetSchema of both providers, launched as Terraform launches them
     (bench/schema_probe.py), before LocalStack runs, on a quiet machine.
  3. One LocalStack (scripts/localstack.sh) and, in front of it, the counting proxy
     bench/proxy.py, which both providers' endpoints point at. Preparation (function,
     REST APIs, resources; bench/prepare.py with boto3) goes to LocalStack directly and is
     not counted.
  4. Untimed warm-up at N=1: ours is applied, its templates are read back from API
     Gateway and given to the recipe verbatim, the recipe is applied, and the two methods
     and permissions are compared field by field (equivalence check); both destroyed.
  5. R rounds; in each, for N in sizes, both variants run apply, a no-change plan
     (refresh included, -detailed-exitcode must be 0) and destroy; who goes first
     alternates. Per command: wall time, CPU time (terraform and its providers: wait4
     rusage), AWS calls by operation from LocalStack's request log (and, as a cross-check,
     from the proxy, whose counters are reset before each command), peak
     RSS (VmHWM) and CPU of every provider process (/proc sampled every 10 ms).
  6. bench/results.json (raw), then bench/report.py writes bench/RESULTS.md and
     bench/results.png.
LocalStack, the proxy and any provider left running are stopped at the end, on errors too.

Rounds: one round of all three N takes about 40 s on the 2-core machine (the recipe's N=50
apply and destroy are half of it), so the default of 8 rounds keeps `make bench` near 6
minutes with the provider already built, and under 20 with a clean release build (about
9 minutes here) and the tools in the download cache.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = ROOT / ".work" / "bench"
TOOLS = ROOT / ".tools"
CACHE = Path(
    os.environ.get("TFASYNC_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "terraform-provider-async"
)
TF_VERSION = "1.15.5"
AWS_VERSION = "3.39.0"
TERRAFORM = TOOLS / "terraform" / TF_VERSION / "terraform"
AWS_DIR = TOOLS / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / AWS_VERSION / "linux_amd64"
OURS_BIN = ROOT / "target" / "release" / "terraform-provider-async"
BENCH_VENV = TOOLS / "bench-venv"
LOCALSTACK_PY = TOOLS / "localstack" / "venv" / "bin" / "python"
REGION = "us-east-1"
FUNCTION = "bench-worker"
APIS, PER_API = 5, 10  # prepared: 5 REST APIs x 10 resources = 50 endpoints at most
VARIANTS = ("ours", "recipe")
PHASES = ("apply", "plan", "destroy")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
STARTED = time.monotonic()


def log(msg):
    elapsed = time.monotonic() - STARTED
    print(f"[bench {int(elapsed) // 60:2d}:{int(elapsed) % 60:02d}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def workspace_version():
    text = (ROOT / "Cargo.toml").read_text()
    m = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
    if not m:
        raise SystemExit("cannot find the workspace version in Cargo.toml")
    return m.group(1)


# --- tools -----------------------------------------------------------------


def ensure_bench_venv():
    """.tools/bench-venv with bench/requirements.txt; pip's cache is the project's."""
    reqs = (BENCH / "requirements.txt").read_text()
    stamp = BENCH_VENV / ".installed"
    if stamp.exists() and stamp.read_text() == reqs and (BENCH_VENV / "bin" / "python").exists():
        return
    log("installing the bench venv (.tools/bench-venv) from bench/requirements.txt")
    shutil.rmtree(BENCH_VENV, ignore_errors=True)
    run([sys.executable, "-m", "venv", BENCH_VENV])
    env = dict(os.environ, PIP_CACHE_DIR=str(CACHE / "pip"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    run([BENCH_VENV / "bin" / "python", "-m", "pip", "install", "--quiet", "--only-binary=:all:",
         "-r", BENCH / "requirements.txt"], env=env)
    stamp.write_text(reqs)


# --- process sampling ------------------------------------------------------


def read_stat(pid):
    """(comm, ppid, utime+stime ticks) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    comm = data[data.index("(") + 1:data.rindex(")")]
    rest = data[data.rindex(")") + 2:].split()
    return comm, int(rest[1]), int(rest[11]) + int(rest[12])


def read_status(pid):
    """Name and memory figures (KiB) of a process from one read of its status
    file, or None. One read, so the name and the figures belong together: a
    child between fork and exec still shows its parent's name and memory (Go
    forks with CLONE_VM)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            data = f.read()
    except OSError:
        return None
    out = {"Name": ""}
    for line in data.splitlines():
        key, _, value = line.partition(b":")
        if key == b"Name":
            out["Name"] = value.strip().decode(errors="replace")
        elif key in (b"VmHWM", b"VmRSS", b"RssAnon", b"RssFile", b"Threads"):
            out[key.decode()] = int(value.split()[0])
    return out


class Sampler(threading.Thread):
    """Every 10 ms: find new descendants of `root` (only pids not seen before
    are opened), and read peak RSS (VmHWM) and CPU ticks of every live one.
    VmHWM is the kernel's own high-water mark, so the last reading before a
    process exits is its peak."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root = root
        self.tree = {root}
        self.seen = {int(p) for p in os.listdir("/proc") if p.isdigit()}
        self.procs = {}  # pid -> {"kind", "hwm_kib", "cpu_ticks", ...}
        self.done = threading.Event()

    def poll(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid in self.seen:
                continue
            self.seen.add(pid)
            st = read_stat(pid)
            if st and st[1] in self.tree:
                self.tree.add(pid)
        for pid in list(self.tree):
            status = read_status(pid)
            st = read_stat(pid)
            if status is None or st is None:
                continue
            name = status["Name"]
            if pid == self.root:
                kind = "terraform"
            elif name.startswith("terraform-prov"):
                kind = self.procs[pid]["kind"] if pid in self.procs else provider_kind(pid, name)
            else:
                continue  # not (yet) a provider: e.g. forked, not exec'd
            p = self.procs.setdefault(pid, {"kind": kind, "hwm_kib": 0, "cpu_ticks": 0, "rss_kib": 0,
                                            "anon_kib": 0, "file_kib": 0, "threads": 0})
            p["cpu_ticks"] = max(p["cpu_ticks"], st[2])
            p["hwm_kib"] = max(p["hwm_kib"], status.get("VmHWM", 0))
            p["threads"] = max(p["threads"], status.get("Threads", 0))
            if status.get("VmRSS", 0) >= p["rss_kib"]:  # the split at the largest RSS seen
                p["rss_kib"] = status.get("VmRSS", 0)
                p["anon_kib"] = status.get("RssAnon", 0)
                p["file_kib"] = status.get("RssFile", 0)

    def run(self):
        while not self.done.is_set():
            self.poll()
            self.done.wait(0.01)

    def stop(self):
        self.done.set()
        self.join()

    def providers(self):
        """Per provider kind: instances launched, peak RSS (max), CPU s (sum)."""
        out = {}
        for p in self.procs.values():
            if p["kind"] == "terraform":
                continue
            o = out.setdefault(p["kind"], {"instances": 0, "peak_rss_kib": 0, "cpu_s": 0.0})
            o["instances"] += 1
            if p["hwm_kib"] >= o["peak_rss_kib"]:
                o["peak_rss_kib"] = p["hwm_kib"]
                # RSS split of that instance, at the largest RSS sampled (anonymous memory
                # vs. pages of files: the executable and shared libraries)
                o["anon_kib_at_peak"], o["file_kib_at_peak"] = p["anon_kib"], p["file_kib"]
                o["threads"] = p["threads"]
            o["cpu_s"] = round(o["cpu_s"] + p["cpu_ticks"] / CLK_TCK, 2)
        return out

    def core_peak_rss_kib(self):
        p = self.procs.get(self.root)
        return p["hwm_kib"] if p else None


def provider_kind(pid, name):
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        exe = name
    return "async" if "provider-async" in exe else "aws" if "provider-aws" in exe else exe


# --- Terraform ---------------------------------------------------------------


def tf_env(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update({
        "TF_CLI_CONFIG_FILE": str(WORK / "cli.tfrc"),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    })
    return env


def terraform(workdir, args, logname, ok_codes=(0,)):
    """Runs one Terraform command, measured. Returns the measurement."""
    logfile = workdir / "logs" / f"{logname}.log"
    logfile.parent.mkdir(exist_ok=True)
    load = os.getloadavg()[0]
    with open(logfile, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([str(TERRAFORM), *args], cwd=workdir, env=tf_env(workdir),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(proc.pid)
        sampler.start()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
    if proc.returncode not in ok_codes:
        tail = logfile.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"terraform {' '.join(args)} in {workdir} exited {proc.returncode}:\n{tail}")
    return {
        "wall_s": wall,
        "cpu_s": rusage.ru_utime + rusage.ru_stime,
        "exit": proc.returncode,
        "providers": sampler.providers(),
        "terraform_peak_rss_kib": sampler.core_peak_rss_kib(),
        "loadavg_1m_before": load,
        "log": str(logfile.relative_to(ROOT) if logfile.is_relative_to(ROOT) else logfile),
    }


def write_mirror_and_cli_config(version):
    mirror = WORK / "mirror"
    shutil.rmtree(mirror, ignore_errors=True)
    ours = mirror / "registry.terraform.io" / "tf-async" / "async" / version / "linux_amd64"
    ours.mkdir(parents=True)
    (ours / f"terraform-provider-async_v{version}").symlink_to(OURS_BIN)
    aws = mirror / "registry.terraform.io" / "hashicorp" / "aws" / AWS_VERSION / "linux_amd64"
    aws.mkdir(parents=True)
    for entry in AWS_DIR.iterdir():  # Terraform follows symlinked files, not directories
        (aws / entry.name).symlink_to(entry)
    (WORK / "cli.tfrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % mirror
    )


def ours_config(proxy, version):
    return f'''terraform {{
  required_providers {{
    async = {{ source = "tf-async/async", version = "{version}" }}
  }}
}}

provider "async" {{
  region     = "{REGION}"
  access_key = "test"
  secret_key = "test"
  endpoints {{
    apigateway = "{proxy}"
    lambda     = "{proxy}"
    sts        = "{proxy}"
  }}
}}

locals {{
  endpoints = jsondecode(file("${{path.module}}/endpoints.json"))
}}

resource "async_lambda_endpoint" "ep" {{
  count         = length(local.endpoints)
  rest_api_id   = local.endpoints[count.index].api
  resource_id   = local.endpoints[count.index].resource
  http_method   = "POST"
  function_name = "{FUNCTION}"
}}
'''


def aws_provider_block(endpoint):
    """hashicorp/aws pointed at LocalStack, from the one copy the tests and demo use too."""
    text = (ROOT / "scripts/lib/localstack-aws-provider.tf.in").read_text()
    return text.replace("@REGION@", f'"{REGION}"').replace("@ENDPOINT@", endpoint)


def recipe_config(proxy, prepared):
    account, arn = prepared["account"], prepared["function_arn"]
    return f'''terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "{AWS_VERSION}" }}
  }}
}}

{aws_provider_block(proxy)}
locals {{
  endpoints = jsondecode(file("${{path.module}}/endpoints.json"))
  # The very templates async_lambda_endpoint installs by default, read back from
  # API Gateway in the warm-up, so both variants send the same bytes.
  templates = jsondecode(file("${{path.module}}/templates.json"))
}}

resource "aws_api_gateway_method" "ep" {{
  count         = length(local.endpoints)
  rest_api_id   = local.endpoints[count.index].api
  resource_id   = local.endpoints[count.index].resource
  http_method   = "POST"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "ep" {{
  count                   = length(local.endpoints)
  rest_api_id             = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id             = aws_api_gateway_method.ep[count.index].resource_id
  http_method             = aws_api_gateway_method.ep[count.index].http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
  request_parameters = {{
    "integration.request.header.X-Amz-Invocation-Type" = "'Event'"
  }}
  request_templates    = local.templates.request
  passthrough_behavior = "NEVER"
  timeout_milliseconds = 29000
}}

resource "aws_api_gateway_method_response" "ep" {{
  count       = length(local.endpoints)
  rest_api_id = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id = aws_api_gateway_method.ep[count.index].resource_id
  http_method = aws_api_gateway_method.ep[count.index].http_method
  status_code = "202"
}}

resource "aws_api_gateway_integration_response" "ep" {{
  count              = length(local.endpoints)
  rest_api_id        = aws_api_gateway_method.ep[count.index].rest_api_id
  resource_id        = aws_api_gateway_method.ep[count.index].resource_id
  http_method        = aws_api_gateway_method.ep[count.index].http_method
  status_code        = aws_api_gateway_method_response.ep[count.index].status_code
  response_templates = local.templates.response
  # "No integration defined for method" otherwise (hashicorp/terraform-provider-aws#196).
  depends_on = [aws_api_gateway_integration.ep]
}}

resource "aws_lambda_permission" "ep" {{
  count         = length(local.endpoints)
  statement_id  = "recipe-${{local.endpoints[count.index].api}}-${{local.endpoints[count.index].resource}}-POST"
  action        = "lambda:InvokeFunction"
  function_name = "{FUNCTION}"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "arn:aws:execute-api:{REGION}:{account}:${{local.endpoints[count.index].api}}/*/POST/${{local.endpoints[count.index].path}}"
}}
'''


# --- helpers around LocalStack and the proxy ------------------------------


class RequestLog:
    """LocalStack's request log (`localstack.request.aws ... AWS service.Operation => status`
    lines in its log file): the AWS calls it served since `mark`, named as the proxy names
    them, with the failed ones apart."""

    LINE = re.compile(r"localstack\.request\.aws\s*: AWS (\w+)\.(\w+) => (\d+)")

    def __init__(self, path):
        self.path = Path(path)
        self.offset = 0

    def mark(self):
        self.offset = self.path.stat().st_size

    def counts(self, expected_total, wait_s=5.0):
        """Calls and errors since `mark`; waits (up to `wait_s`) for the log to show
        `expected_total` calls, since a line is written as its answer is sent."""
        deadline = time.monotonic() + wait_s
        while True:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                text = f.read().decode(errors="replace")
            calls, errors = {}, {}
            for service, operation, status in self.LINE.findall(text):
                key = f"{service}:{operation}"
                calls[key] = calls.get(key, 0) + 1
                if not status.startswith("2"):
                    errors[f"{key} {status}"] = errors.get(f"{key} {status}", 0) + 1
            if sum(calls.values()) >= expected_total or time.monotonic() > deadline:
                return {"calls": calls, "errors": errors}
            time.sleep(0.05)


def proxy_counts(proxy, reset):
    url = f"{proxy}/__bench/counts" + ("?reset=1" if reset else "")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as r:
        return json.load(r)


def prepare_tool(*args):
    out = subprocess.run([str(LOCALSTACK_PY), str(BENCH / "prepare.py"), *map(str, args)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def machine():
    info = {"python": platform.python_version(), "kernel": platform.release()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"^model name\s*:\s*(.+)$", cpu, re.M).group(1)
    except (OSError, AttributeError):
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    try:
        mem = Path("/proc/meminfo").read_text()
        info["memory_gib"] = round(int(re.search(r"MemTotal:\s+(\d+)", mem).group(1)) / 2**20, 1)
    except (OSError, AttributeError):
        pass
    try:
        osr = Path("/etc/os-release").read_text()
        info["os"] = re.search(r'^PRETTY_NAME="?([^"\n]+)', osr, re.M).group(1)
    except (OSError, AttributeError):
        pass
    for key, cmd in (("rustc", ["rustc", "--version"]),):
        try:
            info[key] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            pass
    return info


def normalised(described, api, resource):
    """A method description with the ids that must differ taken out."""
    text = json.dumps(described, sort_keys=True)
    return json.loads(text.replace(api, "API").replace(resource, "RES"))


def equivalence(ours, recipe, api, resource):
    """Differences between what the two variants left in AWS for one endpoint."""
    a, b = normalised(ours, api, resource), normalised(recipe, api, resource)
    for d in (a, b):
        for s in d["permissions"]:
            s.pop("Sid", None)
    diffs = []

    def walk(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif x != y:
            diffs.append({"field": path, "ours": x, "recipe": y})

    walk(a, b, "")
    return diffs


# --- the benchmark -----------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--schema-samples", type=int, default=30)
    ap.add_argument("--skip-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--keep-work", action="store_true", help="keep .work/bench (logs, states)")
    ap.add_argument("--out", default=str(BENCH), help="where results.json, RESULTS.md, results.png go")
    opts = ap.parse_args(argv[1:])
    sizes = [int(s) for s in opts.sizes.split(",")]
    if max(sizes) > APIS * PER_API:
        raise SystemExit(f"at most {APIS * PER_API} endpoints are prepared")
    out_dir = Path(opts.out)

    if not opts.skip_build:
        run(["cargo", "build", "--release", "--locked"], cwd=ROOT)
    run(["bash", ROOT / "scripts" / "install-tools.sh", "terraform", "aws-provider", "localstack"])
    ensure_bench_venv()
    version = workspace_version()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    results = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "versions": {"terraform": TF_VERSION, "hashicorp/aws": AWS_VERSION, "localstack": "4.13.1",
                     "terraform-provider-async": version},
        "config": {"rounds": opts.rounds, "sizes": sizes, "schema_samples": opts.schema_samples,
                   "parallelism": 10},
        "runs": [],
    }

    # 2. Start to served GetSchema, before LocalStack runs.
    log(f"provider start to GetSchema, {opts.schema_samples} samples each")
    probe = subprocess.run(
        [str(BENCH_VENV / "bin" / "python"), str(BENCH / "schema_probe.py"), str(opts.schema_samples),
         f"ours={OURS_BIN}", f"aws={next(AWS_DIR.glob('terraform-provider-aws_*'))}"],
        check=True, capture_output=True, text=True)
    results["schema"] = json.loads(probe.stdout)

    ls_dir = WORK / "localstack"
    proxy_proc = None
    try:
        # 3. LocalStack, the proxy, the preparation.
        endpoint = run(["bash", ROOT / "scripts" / "localstack.sh", "start", ls_dir],
                       capture_output=True, text=True).stdout.strip()
        log(f"LocalStack at {endpoint}")
        proxy_proc = subprocess.Popen([sys.executable, str(BENCH / "proxy.py"), endpoint],
                                      stdout=subprocess.PIPE, text=True, start_new_session=True)
        proxy = proxy_proc.stdout.readline().strip()
        if not proxy.startswith("http://"):
            raise RuntimeError("the counting proxy did not start")
        log(f"counting proxy at {proxy}")
        request_log = RequestLog(ls_dir / "localstack.log")
        prepared = prepare_tool("prepare", endpoint, APIS, PER_API, FUNCTION)
        log(f"prepared {len(prepared['endpoints'])} resources in {APIS} REST APIs and {FUNCTION}")

        write_mirror_and_cli_config(version)
        dirs = {}
        for variant in VARIANTS:
            for n in sizes:
                d = WORK / f"{variant}-{n}"
                d.mkdir()
                (d / "endpoints.json").write_text(json.dumps(prepared["endpoints"][:n]))
                dirs[variant, n] = d
        for n in sizes:
            (dirs["ours", n] / "main.tf").write_text(ours_config(proxy, version))

        # 4. Warm-up at N=1 and the equivalence check.
        first = prepared["endpoints"][0]
        warm = WORK / "warmup"
        warm.mkdir()
        (warm / "endpoints.json").write_text(json.dumps([first]))
        (warm / "main.tf").write_text(ours_config(proxy, version))
        terraform(warm, ["init", "-input=false", "-no-color"], "init-ours")
        terraform(warm, ["apply", "-auto-approve", "-input=false", "-no-color"], "warmup-ours-apply")
        described_ours = prepare_tool("describe", endpoint, first["api"], first["resource"], "POST", FUNCTION)
        integration = described_ours["method"]["methodIntegration"]
        templates = {
            "request": integration["requestTemplates"],
            "response": integration["integrationResponses"]["202"]["responseTemplates"],
        }
        terraform(warm, ["destroy", "-auto-approve", "-input=false", "-no-color"], "warmup-ours-destroy")
        shutil.rmtree(warm / ".terraform")
        (warm / ".terraform.lock.hcl").unlink()
        (warm / "terraform.tfstate").unlink()
        for d in [warm] + [dirs["recipe", n] for n in sizes]:
            (d / "templates.json").write_text(json.dumps(templates, indent=1))
            (d / "main.tf").write_text(recipe_config(proxy, prepared))
        terraform(warm, ["init", "-input=false", "-no-color"], "init-recipe")
        terraform(warm, ["apply", "-auto-approve", "-input=false", "-no-color"], "warmup-recipe-apply")
        described_recipe = prepare_tool("describe", endpoint, first["api"], first["resource"], "POST", FUNCTION)
        terraform(warm, ["destroy", "-auto-approve", "-input=false", "-no-color"], "warmup-recipe-destroy")
        results["equivalence"] = {
            "ours": described_ours,
            "recipe": described_recipe,
            "differences": equivalence(described_ours, described_recipe, first["api"], first["resource"]),
        }
        log(f"equivalence check: {len(results['equivalence']['differences'])} differing fields")
        for d in dirs.values():
            terraform(d, ["init", "-input=false", "-no-color"], "init")

        # 5. The rounds.
        expected = {"ours": 1, "recipe": 5}
        commands = {
            "apply": (["apply", "-auto-approve", "-input=false", "-no-color"], (0,)),
            "plan": (["plan", "-detailed-exitcode", "-input=false", "-no-color"], (0,)),
            "destroy": (["destroy", "-auto-approve", "-input=false", "-no-color"], (0,)),
        }
        for r in range(1, opts.rounds + 1):
            for i, n in enumerate(sizes):
                order = VARIANTS if (r + i) % 2 else tuple(reversed(VARIANTS))
                for variant in order:
                    d = dirs[variant, n]
                    for phase in PHASES:
                        proxy_counts(proxy, reset=True)
                        request_log.mark()
                        args, ok = commands[phase]
                        m = terraform(d, args, f"r{r}-{phase}", ok)
                        counts = proxy_counts(proxy, reset=False)
                        served = request_log.counts(sum(counts["calls"].values()))
                        text = (ROOT / m["log"]).read_text(errors="replace")
                        if phase == "apply":
                            want = f"{n * expected[variant]} added, 0 changed, 0 destroyed"
                            if want not in text:
                                raise RuntimeError(f"{variant} N={n}: apply did not report {want!r}; see {m['log']}")
                        if phase == "destroy" and f"{n * expected[variant]} destroyed" not in text:
                            raise RuntimeError(f"{variant} N={n}: destroy incomplete; see {m['log']}")
                        m.update({"round": r, "n": n, "variant": variant, "phase": phase,
                                  "calls": served["calls"], "errors": served["errors"],
                                  "proxy_calls": counts["calls"], "proxy_errors": counts["errors"],
                                  "upstream_s": counts["upstream_s"]})
                        results["runs"].append(m)
                        log(f"round {r} N={n:2d} {variant:6s} {phase:7s} wall {m['wall_s']:6.2f} s "
                            f"cpu {m['cpu_s']:6.2f} s calls {sum(counts['calls'].values()):4d} "
                            f"rss {[(k, v['peak_rss_kib'] // 1024) for k, v in m['providers'].items()]} MiB")
        results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        results["duration_s"] = round(time.monotonic() - STARTED, 1)
    finally:
        if proxy_proc is not None and proxy_proc.poll() is None:
            proxy_proc.terminate()
            try:
                proxy_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proxy_proc.kill()
                proxy_proc.wait()
        subprocess.run(["bash", str(ROOT / "scripts" / "localstack.sh"), "stop", str(ls_dir)])

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    log(f"wrote {out_dir / 'results.json'}")
    run([BENCH_VENV / "bin" / "python", BENCH / "report.py", out_dir / "results.json"])
    if not opts.keep_work:
        shutil.rmtree(WORK, ignore_errors=True)
    log(f"done in {time.monotonic() - STARTED:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
