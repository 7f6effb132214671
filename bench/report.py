#!/usr/bin/env python3
"""RESULTS.md and the charts again from the results files, without running a
bench; run.py, quota.py and routes.py run it after each run. Each results file
given (results.json, quota-results.json, routes-results.json) gets its chart
beside it (results.png, quota-results.png; routes-results.json has none), and
RESULTS.md there is rewritten from every results file in that directory. With
none, every one in bench/. Runs with the bench venv's Python (matplotlib), or
with python3 when no chart is drawn (routes-results.json alone):

    .tools/bench-venv/bin/python bench/report.py [bench/results.json] [bench/quota-results.json]
                                                 [bench/routes-results.json]
"""

import argparse
import sys
from pathlib import Path

from benchlib.paths import BENCH
from benchlib.report import PARTS, draw, write_results


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help=f"results files ({', '.join(PARTS)}); default: bench/'s")
    files = ap.parse_args(argv[1:]).files or [BENCH / name for name in PARTS if (BENCH / name).exists()]
    for path in files:
        draw(path)
    for directory in dict.fromkeys(path.parent for path in files):
        write_results(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
