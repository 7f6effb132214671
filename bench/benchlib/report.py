"""RESULTS.md and the charts from the results files: each file's chart beside it, and RESULTS.md
rewritten whole from both files in its directory, so that `make bench` and `make bench-quota` each
keep the other's section."""

import sys

from . import bench_report, quota_report
from .results import Results

# A results file's name: the report part that reads it, and its chart's name.
PARTS = {"results.json": (bench_report, "results.png"), "quota-results.json": (quota_report, "quota-results.png")}


def draw(path):
    """The chart of the results file `path`, beside it."""
    if path.name not in PARTS:
        raise SystemExit(f"{path}: not one of {', '.join(PARTS)}")
    part, chart = PARTS[path.name]
    part.draw(Results.load(path), path.with_name(chart))


def write_results(directory):
    """RESULTS.md in `directory` from the results.json and quota-results.json there."""
    parts = []
    if (directory / "results.json").exists():
        parts.append(bench_report.section(Results.load(directory / "results.json")))
    if (directory / "quota-results.json").exists():
        parts.append(quota_report.section(Results.load(directory / "quota-results.json"), level=2 if parts else 1))
    (directory / "RESULTS.md").write_text("\n".join(parts))
    print(f"wrote {directory / 'RESULTS.md'}", file=sys.stderr)
