#!/usr/bin/env python3
"""`make bench-quota`: async_lambda_endpoint against the five-resource hashicorp/aws
recipe through AWS's rate quotas (tests/support/fault_proxy.py --quotas aws),
N endpoints on one REST API with N resources and one function; writes
quota-results.json, then quota_report.py writes the quota section of RESULTS.md and
quota-results.png from it. bench/README.md says what is measured. Everything
else is run.py's: the stack, the measurement, the work directories.

Usage: python3 bench/quota.py [--sizes 50,100,200] [--rounds 1] [--skip-build]
                              [--keep-work] [--out DIR]
"""

import shutil
import sys
import time
from pathlib import Path

from quota_report import throttled
from run import FUNCTION, PHASES, ROOT, Stack, header, install, log, options, prepare_tool, publish, \
    schedule

WORK = ROOT / ".work" / "bench-quota"
QUOTA_PROVIDER_SETTINGS = ""  # the provider's defaults: what a user on AWS gets
# Before each command, long enough for every bucket it draws on to fill again (API Gateway's 40
# at 10 a second), so each starts as on an account where nothing else ran.
REFILL_S = 5


def main(argv):
    opts = options(__doc__.split("\n\n")[0], 1, "50,100,200",
                   "quota-results.json, RESULTS.md, quota-results.png").parse_args(argv[1:])
    sizes = [int(s) for s in opts.sizes.split(",")]
    install(build=not opts.skip_build)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    results = header({"rounds": opts.rounds, "sizes": sizes, "parallelism": 10, "quotas": "aws",
                      "refill_s": REFILL_S})
    version = results["versions"]["terraform-provider-async"]
    with Stack(WORK, version, 1, max(sizes), proxy_flags=("--quotas", "aws"),
               provider_settings=QUOTA_PROVIDER_SETTINGS) as stack:
        results["versions"]["localstack"] = stack.prepared["localstack"]
        templates, _ = stack.warm_up()
        endpoints = stack.prepared["endpoints"]
        for r, n, variant in schedule(opts.rounds, sizes):
            d = stack.workdir(f"{variant}-{n}-r{r}", variant, endpoints[:n], templates)
            for phase in PHASES:
                time.sleep(REFILL_S)
                m = stack.measure(d, variant, n, phase, phase)
                m["round"] = r
                if phase == "apply":
                    m["policy"] = prepare_tool("policy", stack.endpoint, FUNCTION)
                results["runs"].append(m)
                log(f"round {r} N={n:3d} {variant:6s} {phase:7s} wall {m['wall_s']:7.2f} s served "
                    f"{sum(m['calls'].values()):5d} 429s {throttled(m):5d}"
                    + (f" policy {m['policy']['bytes']} bytes" if "policy" in m else "")
                    + (f" FAILED: {m['error'].splitlines()[0]}" if m["error"] else ""))
            if any(m["error"] for m in results["runs"][-len(PHASES):]):
                # What the failed commands left in AWS, so that the next variant starts clean.
                prepare_tool("clean", stack.endpoint, endpoints[0]["api"], FUNCTION)

    publish(results, Path(opts.out) / "quota-results.json", "quota_report.py", None if opts.keep_work else WORK)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
