"""RESULTS.md and the charts from the results files: each file's chart beside it, and RESULTS.md
rewritten whole from every results file in its directory, so that `make bench`, `make
bench-quota` and `make bench-routes` each keep the others' sections."""

import sys

from . import bench_report, quota_report, routes_report
from .results import Results

# A results file's name: the report part that reads it, and its chart's name (None: it has none).
PARTS = {"results.json": (bench_report, "results.png"), "quota-results.json": (quota_report, "quota-results.png"),
         "routes-results.json": (routes_report, None)}


def draw(path):
    """The chart of the results file `path`, beside it (nothing for a part without one)."""
    if path.name not in PARTS:
        raise SystemExit(f"{path}: not one of {', '.join(PARTS)}")
    part, chart = PARTS[path.name]
    if chart:
        part.draw(Results.load(path), path.with_name(chart))


def write_results(directory):
    """RESULTS.md in `directory` from the results.json, quota-results.json and routes-results.json
    there."""
    parts = []
    if (directory / "results.json").exists():
        parts.append(bench_report.section(Results.load(directory / "results.json")))
    for name in ("quota-results.json", "routes-results.json"):
        if (directory / name).exists():
            parts.append(PARTS[name][0].section(Results.load(directory / name), level=2 if parts else 1))
    (directory / "RESULTS.md").write_text("\n".join(parts))
    print(f"wrote {directory / 'RESULTS.md'}", file=sys.stderr)
