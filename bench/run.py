#!/usr/bin/env python3
"""`make bench`: async_lambda_endpoint against the five-resource hashicorp/aws
recipe on one machine, one Terraform and one LocalStack; writes results.json,
then report.py writes RESULTS.md and results.png from it. bench/README.md says
what is measured and how; bench/ANALYSIS.md what the figures mean. The work is
benchlib's (benches.bench); this file is its options.

Usage: python3 bench/run.py [--rounds 8] [--sizes 1,10,50] [--schema-samples 30]
                            [--skip-build] [--keep-work] [--out DIR]
"""

import sys

from benchlib.benches import bench, options


def main(argv):
    ap = options(__doc__.split("\n\n")[0], 8, "1,10,50", "results.json, RESULTS.md, results.png")
    ap.add_argument("--schema-samples", type=int, default=30)
    return bench(ap.parse_args(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
