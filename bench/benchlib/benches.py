"""The two benches, what each runs in which order: `make bench` (bench/run.py) on LocalStack as it
is, `make bench-quota` (bench/quota.py) through AWS's rate quotas; and what they share: their
options, the order of variants, and publishing the results with the report."""

import argparse
import shutil
import time
from pathlib import Path

from .measure import schema_probe
from .paths import BENCH, WORK
from .results import OPENAPIS, PHASES, VARIANTS, header, save, throttled
from .shell import STARTED, log, run
from .stack import FUNCTION, Stack, prepare_tool
from .tools import VENV_PY, install

# make bench: 5 REST APIs x 10 resources prepared, so N is at most 50. The provider's defaults, as
# a LocalStack user has them: its endpoints are not AWS's, so the provider does not pace (ours.tf's
# @PROVIDER_SETTINGS@ line stays a comment).
APIS, PER_API = 5, 10
DEFAULT_PROVIDER_SETTINGS = ""
# make bench-quota: what a user on AWS gets by default, AWS's documented quotas (10 and 15 a second).
# The calls go to the quota proxy on loopback, not an AWS host, so the bench sets those rates itself;
# and before each command it waits long enough for every bucket it draws on to fill again (API
# Gateway's 40 at 10 a second), so each starts as on an account where nothing else ran.
QUOTA_PROVIDER_SETTINGS = "  rate_limits {\n    apigateway = 10\n    lambda     = 15\n  }\n"
REFILL_S = 5
# DeleteRestApi's own quota, one every 30 s: an openapi variant's destroy waits that long, since the
# one before it deleted its REST API too.
DELETE_REST_API_REFILL_S = 30


def parse_sizes(text):
    return [int(s) for s in text.split(",")]


def options(description, rounds, sizes, out):
    """The options every bench takes; `out` names what goes into --out."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--sizes", type=parse_sizes, default=sizes)
    ap.add_argument("--skip-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--keep-work", action="store_true", help="keep the work directory (configurations, states, logs)")
    ap.add_argument("--out", default=str(BENCH), help=f"where {out} go")
    return ap


def schedule(rounds, sizes):
    """(round, N, variant) in the order they run: which variant goes first alternates from round
    to round and from N to N."""
    for r in range(1, rounds + 1):
        for i, n in enumerate(sizes):
            for variant in VARIANTS if (r + i) % 2 else VARIANTS[::-1]:
                yield r, n, variant


def quota_schedule(rounds, sizes):
    """make bench-quota's (round, N, variant): schedule's, and in each round the OPENAPIS at every
    N, after the other two there."""
    runs = list(schedule(rounds, sizes))
    for i, (r, n, variant) in enumerate(runs):
        yield r, n, variant
        if i + 1 == len(runs) or runs[i + 1][:2] != (r, n):  # the last at (r, N)
            yield from ((r, n, variant) for variant in OPENAPIS)


def fresh(work):
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)


def publish(results, path, work):
    """results into `path`, then bench/report.py on it (in the bench venv, for matplotlib); then
    the work directory `work` goes (None: --keep-work keeps it)."""
    save(results, path)
    run([VENV_PY, BENCH / "report.py", path])
    if work:
        shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.monotonic() - STARTED:.0f} s")


def bench(opts):
    """make bench: the schema probe, then every N and round of both variants on LocalStack."""
    if max(opts.sizes) > APIS * PER_API:
        raise SystemExit(f"at most {APIS * PER_API} endpoints are prepared")
    work = WORK / "bench"
    install(build=not opts.skip_build, probe=True)
    fresh(work)
    results = header({"rounds": opts.rounds, "sizes": opts.sizes, "schema_samples": opts.schema_samples,
                      "parallelism": 10})
    log(f"provider start to served GetSchema, {opts.schema_samples} samples each")
    results["schema"] = schema_probe(opts.schema_samples, work / "schema.json")

    version = results["versions"]["terraform-provider-async"]
    with Stack(work, version, APIS, PER_API, provider_settings=DEFAULT_PROVIDER_SETTINGS) as stack:
        results["versions"]["localstack"] = stack.prepared["localstack"]
        templates, results["equivalence"] = stack.warm_up()
        log(f"equivalence check: {len(results['equivalence']['differences'])} differing fields")
        endpoints = stack.prepared["endpoints"]
        dirs = {(v, n): stack.workdir(f"{v}-{n}", v, endpoints[:n], templates) for v in VARIANTS for n in opts.sizes}
        for r, n, variant in schedule(opts.rounds, opts.sizes):
            for phase in PHASES:
                m = stack.measure(dirs[variant, n], variant, n, phase, f"r{r}-{phase}")
                if m["error"]:
                    raise RuntimeError(f"{variant} N={n} {phase} {m['error']}")
                m["round"] = r
                results["runs"].append(m)
                log(f"round {r} N={n:2d} {variant:6s} {phase:7s} wall {m['wall_s']:6.2f} s cpu "
                    f"{m['cpu_s']:6.2f} s calls {sum(m['calls'].values()):4d} rss "
                    f"{[(k, v['peak_rss_kib'] // 1024) for k, v in m['providers'].items()]} MiB")

    publish(results, Path(opts.out) / "results.json", None if opts.keep_work else work)
    return 0


def quota(opts):
    """make bench-quota: every N and round of both variants through the proxy's AWS quotas, N
    endpoints on one REST API, and the openapi variants (each its own REST API from an OpenAPI
    document); a failed command is recorded and cleaned up after, not fatal."""
    work = WORK / "bench-quota"
    install(build=not opts.skip_build)
    fresh(work)
    results = header({"rounds": opts.rounds, "sizes": opts.sizes, "parallelism": 10, "quotas": "aws",
                      "refill_s": REFILL_S, "delete_rest_api_refill_s": DELETE_REST_API_REFILL_S})
    version = results["versions"]["terraform-provider-async"]
    with Stack(work, version, 1, max(opts.sizes), proxy_flags=("--quotas", "aws"),
               provider_settings=QUOTA_PROVIDER_SETTINGS) as stack:
        results["versions"]["localstack"] = stack.prepared["localstack"]
        templates, _ = stack.warm_up()
        endpoints = stack.prepared["endpoints"]
        for r, n, variant in quota_schedule(opts.rounds, opts.sizes):
            d = stack.workdir(f"{variant}-{n}-r{r}", variant, endpoints[:n], templates)
            # The document hashicorp/aws is sent: its size decides whether its gRPC limit takes it.
            document = int(stack.console(d, "length(local.document)")) if variant in OPENAPIS else None
            for phase in PHASES:
                deletes_api = variant in OPENAPIS and phase == "destroy"
                time.sleep(DELETE_REST_API_REFILL_S if deletes_api else REFILL_S)
                m = stack.measure(d, variant, n, phase, phase)
                m["round"] = r
                if document is not None:
                    m["document_bytes"] = document
                if phase == "apply":
                    m["policy"] = prepare_tool("policy", stack.endpoint, FUNCTION)
                results["runs"].append(m)
                log(f"round {r} N={n:3d} {variant:7s} {phase:7s} wall {m['wall_s']:7.2f} s served "
                    f"{sum(m['calls'].values()):5d} 429s {throttled(m):5d}"
                    + (f" policy {m['policy']['bytes']} bytes" if "policy" in m else "")
                    + (f" FAILED: {m['error'].splitlines()[0]}" if m["error"] else ""))
            if any(m["error"] for m in results["runs"][-len(PHASES):]):
                # What the failed commands left in AWS, so that the next variant starts clean (the
                # prepared API's methods, the function's statements, openapi's REST API).
                prepare_tool("clean", stack.endpoint, endpoints[0]["api"], FUNCTION)

    publish(results, Path(opts.out) / "quota-results.json", None if opts.keep_work else work)
    return 0
