#!/usr/bin/env python3
"""`make bench`: async_lambda_endpoint against the five-resource hashicorp/aws
recipe on one machine, one Terraform and one LocalStack; writes results.json,
then report.py writes RESULTS.md and results.png from it. bench/README.md says
what is measured and how; bench/ANALYSIS.md what the figures mean. Its pieces
(Stack, install, header, schedule, publish, options) serve bench/quota.py too.

Usage: python3 bench/run.py [--rounds 8] [--sizes 1,10,50] [--schema-samples 30]
                            [--skip-build] [--keep-work] [--out DIR]
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH, WORK, TOOLS = ROOT / "bench", ROOT / ".work" / "bench", ROOT / ".tools"
CACHE = Path(os.environ.get("TFASYNC_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
             / "terraform-provider-async")
TF_VERSION, AWS_VERSION = "1.15.5", "3.39.0"
TERRAFORM = TOOLS / "terraform" / TF_VERSION / "terraform"
AWS_DIR = TOOLS / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / AWS_VERSION / "linux_amd64"
OURS_BIN = ROOT / "target" / "release" / "terraform-provider-async"
VENV_PY, LOCALSTACK_PY = TOOLS / "bench-venv" / "bin" / "python", TOOLS / "localstack" / "venv" / "bin" / "python"
REGION, FUNCTION = "us-east-1", "bench-worker"
APIS, PER_API = 5, 10  # prepared: 5 REST APIs x 10 resources, so N is at most 50
VARIANTS, PHASES = ("ours", "recipe"), ("apply", "plan", "destroy")
RESOURCES_PER_ENDPOINT = {"ours": 1, "recipe": 5}
# The lines (indented, each ending in a newline) that replace the `# @PROVIDER_SETTINGS@` line in
# ours.tf's provider block. LocalStack has no quota to respect, so this bench turns the provider's
# pacing off, as a LocalStack user would; bench/quota.py keeps the defaults.
PROVIDER_SETTINGS_LINE = "  # @PROVIDER_SETTINGS@\n"
LOCALSTACK_PROVIDER_SETTINGS = "  rate_limits {\n    apigateway = 0\n    lambda     = 0\n  }\n"
# tests/schema_probe.rs in a profile of its own (target/bench-probe): the client's dependencies
# optimised so that it adds little to what it times. Not --release: a release test build unifies
# the dev-dependencies' features into the provider and would rebuild target/release's binary.
PROBE = ["cargo", "test", "--locked", "--profile", "bench-probe", "--config", 'profile.bench-probe.inherits="dev"',
         "--config", "profile.bench-probe.debug=false", "--config", 'profile.bench-probe.package."*".opt-level=3',
         "--test", "schema_probe"]
COMMANDS = {
    "apply": ["apply", "-auto-approve", "-input=false", "-no-color"],
    "plan": ["plan", "-detailed-exitcode", "-input=false", "-no-color"],  # 0: no changes
    "destroy": ["destroy", "-auto-approve", "-input=false", "-no-color"],
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
STARTED = time.monotonic()


def log(msg):
    t = int(time.monotonic() - STARTED)
    print(f"[bench {t // 60:2d}:{t % 60:02d}] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(map(str, cmd)))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_bench_venv():
    """.tools/bench-venv with bench/requirements.txt (matplotlib); pip's cache is the project's."""
    reqs = (BENCH / "requirements.txt").read_text()
    stamp = VENV_PY.parent.parent / ".installed"
    if VENV_PY.exists() and stamp.exists() and stamp.read_text() == reqs:
        return
    shutil.rmtree(stamp.parent, ignore_errors=True)
    run([sys.executable, "-m", "venv", stamp.parent])
    run([VENV_PY, "-m", "pip", "install", "--quiet", "--only-binary=:all:", "-r", BENCH / "requirements.txt"],
        env=dict(os.environ, PIP_CACHE_DIR=str(CACHE / "pip"), PIP_DISABLE_PIP_VERSION_CHECK="1"))
    stamp.write_text(reqs)


# --- one Terraform command, measured -------------------------------------------


def proc_status(pid):
    """(name, ppid, cpu ticks, {VmHWM, VmRSS, RssAnon, RssFile, Threads} in KiB) from one read of
    each file, or None. One read of status, so the name and the figures belong together: a child
    between fork and exec still shows its parent's name and memory (Go forks with CLONE_VM)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        with open(f"/proc/{pid}/status", "rb") as f:
            status = f.read().decode(errors="replace")
    except OSError:
        return None
    rest = stat[stat.rindex(")") + 2:].split()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    memory = {k: int(fields[k].split()[0]) for k in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "Threads")
              if k in fields}
    return fields.get("Name", "").strip(), int(rest[1]), int(rest[11]) + int(rest[12]), memory


class Sampler(threading.Thread):
    """Every 10 ms: the new descendants of `root` (only pids not seen before are opened), and the
    CPU ticks and memory of every live one. VmHWM is the kernel's own high-water mark, so the last
    reading before a process exits is its peak."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.tree, self.procs = root, {root}, {}
        self.seen = {int(p) for p in os.listdir("/proc") if p.isdigit()}
        self.done = threading.Event()

    def poll(self):
        for pid in {int(p) for p in os.listdir("/proc") if p.isdigit()} - self.seen:
            self.seen.add(pid)
            st = proc_status(pid)
            if st and st[1] in self.tree:
                self.tree.add(pid)
        for pid in list(self.tree):
            st = proc_status(pid)
            if st is None or not (pid == self.root or st[0].startswith("terraform-prov")):
                continue  # gone, or not (yet) a provider: forked, not exec'd
            name, _, ticks, mem = st
            p = self.procs.setdefault(pid, {"kind": "terraform" if pid == self.root else provider_kind(pid),
                                            "hwm": 0, "ticks": 0, "rss": 0, "anon": 0, "file": 0, "threads": 0})
            p["ticks"], p["hwm"] = max(p["ticks"], ticks), max(p["hwm"], mem.get("VmHWM", 0))
            p["threads"] = max(p["threads"], mem.get("Threads", 0))
            if mem.get("VmRSS", 0) >= p["rss"]:  # the split at the largest RSS seen
                p.update(rss=mem.get("VmRSS", 0), anon=mem.get("RssAnon", 0), file=mem.get("RssFile", 0))

    def run(self):
        while not self.done.is_set():
            self.poll()
            self.done.wait(0.01)

    def stop(self):
        self.done.set()
        self.join()

    def providers(self):
        """Per provider kind: instances launched, CPU s (sum), and of the instance with the highest
        peak: peak RSS, its anonymous/file split at the largest RSS sampled, threads."""
        out = {}
        for p in self.procs.values():
            if p["kind"] == "terraform":
                continue
            o = out.setdefault(p["kind"], {"instances": 0, "peak_rss_kib": 0, "cpu_s": 0.0})
            o["instances"] += 1
            o["cpu_s"] = round(o["cpu_s"] + p["ticks"] / CLK_TCK, 2)
            if p["hwm"] >= o["peak_rss_kib"]:
                o.update(peak_rss_kib=p["hwm"], anon_kib_at_peak=p["anon"], file_kib_at_peak=p["file"],
                         threads=p["threads"])
        return out


def provider_kind(pid):
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return "unknown"
    return "async" if "provider-async" in exe else "aws" if "provider-aws" in exe else exe


def terraform(workdir, args, logname, cli_config, check=True):
    """One Terraform command in `workdir`, measured; its exit code in "exit_code" and, with
    `check`, a RuntimeError with the end of its output unless it is 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
               TF_INPUT="0")
    logfile = workdir / f"{logname}.log"
    load = os.getloadavg()[0]
    with open(logfile, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([str(TERRAFORM), *args], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(proc.pid)
        sampler.start()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    code = os.waitstatus_to_exitcode(status)
    if check and code:
        raise RuntimeError(f"terraform {' '.join(args)} in {workdir} exited {code}:\n"
                           + logfile.read_text(errors="replace")[-4000:])
    core = sampler.procs.get(proc.pid)
    return {"wall_s": wall, "exit_code": code, "cpu_s": rusage.ru_utime + rusage.ru_stime,
            "providers": sampler.providers(), "terraform_peak_rss_kib": core["hwm"] if core else None,
            "loadavg_1m_before": load, "output": logfile.read_text(errors="replace")}


# --- AWS calls: LocalStack's request log, and the proxy -------------------------


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
    """tests/support/fault_proxy.py without faults, with `flags` (bench/quota.py: its quotas): it
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


# --- the rest -------------------------------------------------------------------


def prepare_tool(*args):
    out = subprocess.run([str(LOCALSTACK_PY), str(BENCH / "prepare.py"), *map(str, args)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


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


def differences(ours, recipe, api, resource):
    """Fields in which what the two variants left in AWS for one endpoint differ (ids and Sid aside)."""
    def normal(d):
        d = json.loads(json.dumps(d, sort_keys=True).replace(api, "API").replace(resource, "RES"))
        for s in d["permissions"]:
            s.pop("Sid", None)
        return d

    out = []

    def walk(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif x != y:
            out.append({"field": path, "ours": x, "recipe": y})

    walk(normal(ours), normal(recipe), "")
    return out


def schema_probe(samples, out):
    """tests/schema_probe.rs: start to served GetSchema of both providers, before LocalStack runs."""
    env = dict(os.environ, TFASYNC_PROBE_OUT=str(out), TFASYNC_PROBE_SAMPLES=str(samples),
               TFASYNC_PROBE_OURS=str(OURS_BIN), TFASYNC_PROBE_AWS=str(next(AWS_DIR.glob("terraform-provider-aws_*"))))
    with open(out.with_suffix(".log"), "w+") as output:  # the providers' stderr, cargo's output
        try:
            run([*PROBE, "--", "--ignored"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        except subprocess.CalledProcessError:
            output.seek(0)
            sys.stderr.write(output.read()[-4000:])
            raise
    return json.loads(out.read_text())


class Stack:
    """What the commands run against, under `work`: one LocalStack; the counting proxy in front of
    it, started with `proxy_flags`; the function and `apis` REST APIs of `per_api` resources
    prepared on LocalStack directly (uncounted); a Terraform CLI configuration whose filesystem
    mirror holds both providers. A context manager that stops them, on errors too."""

    def __init__(self, work, version, apis, per_api, proxy_flags=(), provider_settings=""):
        self.work, self.version, self.apis, self.per_api = work, version, apis, per_api
        self.proxy_flags, self.provider_settings = proxy_flags, provider_settings
        self.localstack_dir, self.cli_config, self.proxy = work / "localstack", work / "cli.tfrc", None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        if self.proxy:
            self.proxy.stop()
        subprocess.run(["bash", str(ROOT / "scripts/localstack.sh"), "stop", str(self.localstack_dir)])

    def start(self):
        self.endpoint = run(["bash", ROOT / "scripts/localstack.sh", "start", self.localstack_dir],
                            capture_output=True, text=True).stdout.strip()
        self.proxy = Proxy(self.work, self.endpoint, self.proxy_flags)
        log(f"LocalStack at {self.endpoint}, the counting proxy at {self.proxy.url} {' '.join(self.proxy_flags)}")
        self.request_log = RequestLog(self.localstack_dir / "localstack.log")
        self.prepared = prepare_tool("prepare", self.endpoint, self.apis, self.per_api, FUNCTION)
        mirror = self.work / "mirror" / "registry.terraform.io"
        ours_dir = mirror / "tf-async" / "async" / self.version / "linux_amd64"
        ours_dir.mkdir(parents=True)
        (ours_dir / f"terraform-provider-async_v{self.version}").symlink_to(OURS_BIN)
        aws_bin = next(AWS_DIR.glob("terraform-provider-aws_*"))
        aws_dir = mirror / "hashicorp" / "aws" / AWS_VERSION / "linux_amd64"
        aws_dir.mkdir(parents=True)
        (aws_dir / aws_bin.name).symlink_to(aws_bin)  # Terraform follows symlinked files, not directories
        self.cli_config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror.parent}"\n  }}\n}}\n')
        self.settings = {"endpoint": self.proxy.url, "region": REGION, "function": FUNCTION,
                         "function_arn": self.prepared["function_arn"], "account": self.prepared["account"]}

    def terraform(self, workdir, args, logname, check=True):
        return terraform(workdir, args, logname, self.cli_config, check)

    def workdir(self, name, variant, endpoints, templates=None):
        """A work directory for `variant` and these endpoints, initialised."""
        d = self.work / name
        d.mkdir(exist_ok=True)
        if variant == "ours":
            main_tf = (BENCH / "ours.tf").read_text()
            if PROVIDER_SETTINGS_LINE not in main_tf:
                raise RuntimeError(f"bench/ours.tf has no line {PROVIDER_SETTINGS_LINE.strip()!r}")
            (d / "main.tf").write_text(main_tf.replace(PROVIDER_SETTINGS_LINE, self.provider_settings))
        else:
            shutil.copy(BENCH / "recipe.tf", d / "main.tf")
            (d / "provider.tf").write_text((ROOT / "scripts/lib/localstack-aws-provider.tf.in").read_text()
                                           .replace("@REGION@", "local.bench.region")
                                           .replace("@ENDPOINT@", "${local.bench.endpoint}"))
        (d / "bench.json").write_text(json.dumps(dict(self.settings, endpoints=endpoints, templates=templates)))
        self.terraform(d, ["init", "-input=false", "-no-color"], "init")
        return d

    def warm_up(self):
        """Untimed, at N=1: ours, its templates read back for the recipe, the recipe, and what each
        left in AWS compared. Returns (the templates, the comparison)."""
        first = self.prepared["endpoints"][0]
        described, templates = {}, None
        for variant in VARIANTS:
            d = self.workdir(f"warmup-{variant}", variant, [first], templates)
            self.terraform(d, COMMANDS["apply"], "apply")
            described[variant] = prepare_tool("describe", self.endpoint, first["api"], first["resource"], "POST",
                                              FUNCTION)
            if variant == "ours":
                integration = described[variant]["method"]["methodIntegration"]
                templates = {"request": integration["requestTemplates"],
                             "response": integration["integrationResponses"]["202"]["responseTemplates"]}
            self.terraform(d, COMMANDS["destroy"], "destroy")
        return templates, dict(described, differences=differences(described["ours"], described["recipe"],
                                                                   first["api"], first["resource"]))

    def measure(self, workdir, variant, n, phase, logname):
        """One timed command and its calls: "calls" and "errors" from LocalStack's request log (the
        calls it served), "proxy_calls" and "proxy_errors" from the proxy (every call it received,
        and those it answered itself). "error" is None, or why the command failed and the end of
        its output: its exit code, or fewer resources reported than N endpoints make."""
        before = self.proxy.stats()
        self.request_log.mark()
        m = self.terraform(workdir, COMMANDS[phase], logname, check=False)
        after = self.proxy.stats()
        calls, errors = self.request_log.counts(after["forwarded"] - before["forwarded"])
        text, want = m.pop("output"), n * RESOURCES_PER_ENDPOINT[variant]
        reported = {"apply": f"{want} added, 0 changed, 0 destroyed", "destroy": f"{want} destroyed"}.get(phase, "")
        failure = f"exited {m['exit_code']}" if m["exit_code"] else None if reported in text \
            else f"did not report {want} resources"
        m.update(n=n, variant=variant, phase=phase, calls=calls, errors=errors,
                 proxy_calls=difference(after["calls"], before["calls"]),
                 proxy_errors=difference(after["errors"], before["errors"]),
                 error=failure and f"{failure}:\n{text[-3000:]}")
        return m


def install(build, probe=False):
    """The release build (and the schema probe's test build), the tools, the bench venv."""
    if build:
        run(["cargo", "build", "--release", "--locked"], cwd=ROOT)
        if probe:
            run([*PROBE, "--no-run"], cwd=ROOT)
    run(["bash", ROOT / "scripts/install-tools.sh", "terraform", "aws-provider", "localstack"])
    ensure_bench_venv()


def header(config):
    """What every results file starts with: when, where, which versions and executables."""
    version = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
    return {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
            "versions": {"terraform": TF_VERSION, "hashicorp/aws": AWS_VERSION, "terraform-provider-async": version},
            "executable_bytes": {"ours": OURS_BIN.stat().st_size,
                                 "aws": next(AWS_DIR.glob("terraform-provider-aws_*")).stat().st_size},
            "config": config, "runs": []}


def schedule(rounds, sizes):
    """(round, N, variant) in the order they run: which variant goes first alternates from round
    to round and from N to N."""
    for r in range(1, rounds + 1):
        for i, n in enumerate(sizes):
            for variant in VARIANTS if (r + i) % 2 else VARIANTS[::-1]:
                yield r, n, variant


def publish(results, path, report, work):
    """results (with the run's duration) into `path`, then `report` (a script in bench/) on it;
    then the work directory `work` goes (None: --keep-work keeps it)."""
    results["duration_s"] = round(time.monotonic() - STARTED, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    run([VENV_PY, BENCH / report, path])
    if work:
        shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.monotonic() - STARTED:.0f} s")


def options(description, rounds, sizes, out):
    """The options every bench takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--sizes", default=sizes)
    ap.add_argument("--skip-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--keep-work", action="store_true", help="keep the work directory (configurations, states, logs)")
    ap.add_argument("--out", default=str(BENCH), help=f"where {out} go")
    return ap


def main(argv):
    ap = options(__doc__.split("\n\n")[0], 8, "1,10,50", "results.json, RESULTS.md, results.png")
    ap.add_argument("--schema-samples", type=int, default=30)
    opts = ap.parse_args(argv[1:])
    sizes = [int(s) for s in opts.sizes.split(",")]
    if max(sizes) > APIS * PER_API:
        raise SystemExit(f"at most {APIS * PER_API} endpoints are prepared")

    install(build=not opts.skip_build, probe=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    results = header({"rounds": opts.rounds, "sizes": sizes, "schema_samples": opts.schema_samples,
                      "parallelism": 10})
    log(f"provider start to served GetSchema, {opts.schema_samples} samples each")
    results["schema"] = schema_probe(opts.schema_samples, WORK / "schema.json")

    version = results["versions"]["terraform-provider-async"]
    with Stack(WORK, version, APIS, PER_API, provider_settings=LOCALSTACK_PROVIDER_SETTINGS) as stack:
        results["versions"]["localstack"] = stack.prepared["localstack"]
        templates, results["equivalence"] = stack.warm_up()
        log(f"equivalence check: {len(results['equivalence']['differences'])} differing fields")
        endpoints = stack.prepared["endpoints"]
        dirs = {(v, n): stack.workdir(f"{v}-{n}", v, endpoints[:n], templates) for v in VARIANTS for n in sizes}
        for r, n, variant in schedule(opts.rounds, sizes):
            for phase in PHASES:
                m = stack.measure(dirs[variant, n], variant, n, phase, f"r{r}-{phase}")
                if m["error"]:
                    raise RuntimeError(f"{variant} N={n} {phase} {m['error']}")
                m["round"] = r
                results["runs"].append(m)
                log(f"round {r} N={n:2d} {variant:6s} {phase:7s} wall {m['wall_s']:6.2f} s cpu "
                    f"{m['cpu_s']:6.2f} s calls {sum(m['calls'].values()):4d} rss "
                    f"{[(k, v['peak_rss_kib'] // 1024) for k, v in m['providers'].items()]} MiB")

    publish(results, Path(opts.out) / "results.json", "report.py", None if opts.keep_work else WORK)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
