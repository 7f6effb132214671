"""`make bench-routes` (bench/routes.py): what `async_lambda_route` costs in AWS calls to apply,
plan and destroy N routes, and the latency the dispatcher adds to a request, on LocalStack
(relative only). What it runs against (Emulators: LocalStack for Lambda, IAM and STS, moto for
API Gateway v2, the target prepared beforehand), one measured command with its calls from both
sides (the provider's log, the emulators' logs), and the run in its order."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .benches import fresh
from .calls import RequestLog
from .paths import BENCH, ROOT, WORK
from .results import PHASES, header, save
from .route_calls import MotoLog, provider_calls
from .shell import STARTED, log, run
from .stack import COMMANDS, prepare_tool
from .tools import OURS_BIN, TERRAFORM_BIN
from .versions import VERSIONS

TARGET = "bench-route-target"
DISPATCHER = "tf-async-dispatcher"  # the provider's name for it, one per account and region
VARIANT = "ours"  # the runs' variant in the results file: the provider, with its defaults
# The route whose integration's header the dispatcher is invoked with (routes.tf: POST /r0 ...).
FIRST_ROUTE = "POST /r0"


def install(build):
    """The release build and the tools: Terraform, LocalStack (with the tests' Lambda executor) and
    moto. No bench venv: this bench draws no chart, so its report runs with python3."""
    if build:
        run(["cargo", "build", "--release", "--locked"], cwd=ROOT)
    run(["bash", ROOT / "scripts/install-tools.sh", "terraform", "localstack", "moto"])


class Emulators:
    """What the routes' commands run against, under `work`: one LocalStack (Lambda, IAM, STS: the
    target and the dispatcher) and one moto (API Gateway v2: the HTTP APIs), both on loopback;
    the target function prepared on LocalStack directly (uncounted); a Terraform CLI
    configuration whose filesystem mirror holds the provider. A context manager that stops both,
    on errors too."""

    def __init__(self, work, version):
        self.work, self.version = work, version
        self.localstack_dir, self.moto_dir = work / "localstack", work / "moto"
        self.cli_config = work / "cli.tfrc"

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        subprocess.run(["bash", str(ROOT / "scripts/moto.sh"), "stop", str(self.moto_dir)])
        subprocess.run(["bash", str(ROOT / "scripts/localstack.sh"), "stop", str(self.localstack_dir)])

    def start(self):
        self.localstack = run(["bash", ROOT / "scripts/localstack.sh", "start", self.localstack_dir],
                              capture_output=True, text=True).stdout.strip()
        self.moto = run(["bash", ROOT / "scripts/moto.sh", "start", self.moto_dir],
                        capture_output=True, text=True).stdout.strip()
        log(f"LocalStack at {self.localstack}, moto at {self.moto}")
        self.request_log = RequestLog(self.localstack_dir / "localstack.log")
        self.moto_log = MotoLog(self.moto_dir / "moto.log")
        self.prepared = prepare_tool("route-target", self.localstack, TARGET)
        mirror = self.work / "mirror" / "registry.terraform.io"
        ours_dir = mirror / "tf-async" / "async" / self.version / "linux_amd64"
        ours_dir.mkdir(parents=True)
        (ours_dir / f"terraform-provider-async_v{self.version}").symlink_to(OURS_BIN)
        self.cli_config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror.parent}"\n  }}\n}}\n')

    def http_apis(self, count):
        return prepare_tool("http-apis", self.moto, count)["apis"]

    def terraform(self, workdir, args, logname, debug=False):
        """One Terraform command in `workdir`, its output in LOGNAME.log; with `debug`, Terraform's
        log at DEBUG (the provider's call lines) in LOGNAME.debug.log. Returns its wall time (s),
        exit code and output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        env.update(TF_CLI_CONFIG_FILE=str(self.cli_config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
                   TF_INPUT="0")
        if debug:
            env.update(TF_LOG="DEBUG", TF_LOG_PATH=str(workdir / f"{logname}.debug.log"))
        with open(workdir / f"{logname}.log", "wb") as out:
            started = time.perf_counter()
            code = subprocess.run([str(TERRAFORM_BIN), *args], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                  stdout=out, stderr=subprocess.STDOUT).returncode
            wall = time.perf_counter() - started
        return wall, code, (workdir / f"{logname}.log").read_text(errors="replace")

    def workdir(self, name, api, n):
        """A work directory with N routes on the HTTP API `api`, initialised."""
        d = self.work / name
        d.mkdir()
        shutil.copy(BENCH / "routes.tf", d / "main.tf")
        (d / "bench.json").write_text(json.dumps({
            "region": self.prepared["region"], "localstack": self.localstack, "moto": self.moto, "api": api, "n": n,
            "function": TARGET}))
        _, code, text = self.terraform(d, ["init", "-input=false", "-no-color"], "init")
        if code:
            raise RuntimeError(f"terraform init in {d} exited {code}:\n{text[-3000:]}")
        return d

    def measure(self, workdir, n, phase):
        """One timed command and its calls: "calls", "failed" and "retried" from the provider's DEBUG
        lines (every attempt it sent), "served" and "served_errors" from the emulators' logs (what
        LocalStack and moto answered). "error" is None, or why the command failed and the end of
        its output: its exit code (a plan's 2: it found changes), or fewer routes reported than N."""
        self.request_log.mark()
        self.moto_log.mark()
        load = os.getloadavg()[0]
        wall, code, text = self.terraform(workdir, COMMANDS[phase], phase, debug=True)
        m = provider_calls(workdir / f"{phase}.debug.log")
        apigw = sum(v for k, v in m["calls"].items() if k.startswith("apigatewayv2:"))
        served, served_errors = self.request_log.counts(sum(m["calls"].values()) - apigw)
        moto_served, moto_errors = self.moto_log.counts(apigw)
        reported = {"apply": f"{n} added, 0 changed, 0 destroyed", "destroy": f"{n} destroyed"}.get(phase, "")
        failure = f"exited {code}" if code else None if reported in text else f"did not report {n} routes"
        m.update(n=n, variant=VARIANT, phase=phase, wall_s=wall, exit_code=code, loadavg_1m_before=load,
                 served=dict(served, **moto_served), served_errors=dict(served_errors, **moto_errors),
                 error=failure and f"{failure}:\n{text[-3000:]}")
        return m

    def latency(self, api, samples):
        """prepare.py latency: the target, then the dispatcher as the route's integration invokes it
        (with the header moto holds for the API's first route), cold and `samples` times warm."""
        header = prepare_tool("route-header", self.moto, api, FIRST_ROUTE)
        if not header["integration_uri"].endswith(f":function:{DISPATCHER}"):
            raise RuntimeError(f"{FIRST_ROUTE}'s integration invokes {header['integration_uri']}, not {DISPATCHER}")
        return prepare_tool("latency", self.localstack, DISPATCHER, TARGET, header["header"], samples)


def describe(m):
    calls = sum(m["calls"].values())
    return (f"wall {m['wall_s']:6.2f} s calls {calls:4d} ({calls / m['n']:5.2f} per route) served "
            f"{sum(m['served'].values()):4d}")


def routes(opts):
    """make bench-routes: an untimed warm-up at N=1, then every round and N: apply, plan, the
    dispatcher's latency, destroy, each N on an HTTP API of its own."""
    work = WORK / "bench-routes"
    install(build=not opts.skip_build)
    fresh(work)
    results = header({"rounds": opts.rounds, "sizes": opts.sizes, "latency_samples": opts.latency_samples,
                      "parallelism": 10, "provider_settings": "defaults"}, aws=False)
    results["latency"] = []
    version = results["versions"]["terraform-provider-async"]
    with Emulators(work, version) as stack:
        results["versions"].update(localstack=stack.prepared["localstack"], moto=VERSIONS["MOTO"])
        apis = stack.http_apis(1 + opts.rounds * len(opts.sizes))
        # The first dispatcher, role and routes LocalStack and moto ever see load their services.
        log("warm-up: apply and destroy one route, untimed")
        d = stack.workdir("warmup", apis.pop(0), 1)
        for phase in ("apply", "destroy"):
            if stack.measure(d, 1, phase)["error"]:
                raise RuntimeError(f"warm-up {phase} failed; see {d}")
        for r in range(1, opts.rounds + 1):
            for n in opts.sizes:
                api = apis.pop(0)
                d = stack.workdir(f"n{n}-r{r}", api, n)
                for phase in PHASES:
                    m = stack.measure(d, n, phase)
                    if m["error"]:
                        raise RuntimeError(f"N={n} {phase} {m['error']}")
                    m["round"] = r
                    results["runs"].append(m)
                    log(f"round {r} N={n:2d} {phase:7s} {describe(m)}")
                    if phase == "plan":
                        lat = dict(stack.latency(api, opts.latency_samples), round=r, n=n)
                        results["latency"].append(lat)
                        log(f"round {r} N={n:2d} latency cold: dispatcher {lat['dispatcher']['cold']['ms']:.0f} ms, "
                            f"baseline {lat['baseline']['cold']['ms']:.0f} ms")

    path = Path(opts.out) / "routes-results.json"
    save(results, path)
    run([sys.executable, BENCH / "report.py", path])
    if not opts.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.monotonic() - STARTED:.0f} s")
    return 0
