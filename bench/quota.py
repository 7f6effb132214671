#!/usr/bin/env python3
"""`make bench-quota`: async_lambda_endpoint against the five-resource hashicorp/aws
recipe through AWS's rate quotas (tests/support/fault_proxy.py --quotas aws),
N endpoints on one REST API with N resources and one function, and at the
largest N a third variant, one REST API from an OpenAPI document of
provider::async::openapi_operation's (bench/openapi.tf); writes
quota-results.json, then report.py writes the quota section of RESULTS.md and
quota-results.png from it. bench/README.md says what is measured. The work is
benchlib's (benches.quota); this file is its options.

Usage: python3 bench/quota.py [--sizes 50,100,200] [--rounds 1] [--skip-build]
                              [--keep-work] [--out DIR]
"""

import sys

from benchlib.benches import options, quota


def main(argv):
    ap = options(__doc__.split("\n\n")[0], 1, "50,100,200", "quota-results.json, RESULTS.md, quota-results.png")
    return quota(ap.parse_args(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
