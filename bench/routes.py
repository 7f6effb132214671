#!/usr/bin/env python3
"""`make bench-routes`: async_lambda_route's AWS calls per route to apply, plan
and destroy N routes on one HTTP API (API Gateway v2 on moto, Lambda, IAM and
STS on LocalStack, the provider's defaults), and the latency the dispatcher
adds to a request, cold and warm, on LocalStack (relative only, not AWS);
writes routes-results.json, then report.py writes the routes section of
RESULTS.md from it. bench/README.md says what is measured and how. The work is
benchlib's (routes.routes); this file is its options.

Usage: python3 bench/routes.py [--rounds 3] [--sizes 1,10,25] [--latency-samples 20]
                               [--skip-build] [--keep-work] [--out DIR]
"""

import sys

from benchlib.benches import options
from benchlib.routes import routes


def main(argv):
    ap = options(__doc__.split("\n\n")[0], 3, "1,10,25", "routes-results.json, RESULTS.md")
    ap.add_argument("--latency-samples", type=int, default=20, help="warm invocations of each function per N and round")
    return routes(ap.parse_args(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
