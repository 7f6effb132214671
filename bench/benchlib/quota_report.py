"""`make bench-quota`'s part of the report, from quota-results.json: RESULTS.md's "Quota benchmark"
section (targets, tables, every figure from the JSON) and quota-results.png."""

from . import chart
from .markdown import cell, ratio, table, targets_table
from .results import OPENAPI_OPTIONS, OPENAPIS, PHASES, VARIANTS, med, served, service, throttled

# API Gateway's "Total operations" quota, a bucket of 40 filling at 10 a second: a command that
# must make C calls takes at least (C - 40) / 10 s (tests/support/fault_proxy.py, AWS_QUOTAS).
BURST, RATE = 40, 10
# Lambda's limit on a function's resource-based policy ("Function resource-based policy: 20 KB").
POLICY_LIMIT = 20480
READS = 1  # the reads a minimal apply needs besides its writes: one GetResources
# API Gateway calls ours cannot do without, for N endpoints: apply PutMethod, PutIntegration,
# PutMethodResponse and PutIntegrationResponse each and READS; plan at most 3 in all (the target);
# destroy one DeleteMethod each.
MINIMAL = {"apply": lambda n: 4 * n + READS, "plan": lambda n: 3, "destroy": lambda n: n}
APIGATEWAY, LAMBDA = service("apigateway"), service("lambda")
# The openapi variants' target: an apply of N operations (one PutRestApi) within this, at their N.
OPENAPI_APPLY_S = 10


def floor(calls):
    return max(0.0, (calls - BURST) / RATE)


def floors(res, variant, n, phase):
    """The quota floor (s): ours with its minimal calls, the recipe and the openapi variants with
    their own as served."""
    if variant == "ours":
        return [floor(MINIMAL[phase](n))]
    return res.values(variant, n, phase, lambda r: floor(served(r, APIGATEWAY)))


def openapi_sizes(res):
    """The Ns the openapi variants ran at (every N, or the largest only in older results files)."""
    return sorted({r["n"] for r in res.d["runs"] if r["variant"] in OPENAPIS})


def document(res, variant, n):
    """The OpenAPI document's size (bytes), as bench-quota measured it before the apply."""
    return [size for size in res.values(variant, n, "apply", lambda r: r.get("document_bytes")) if size]


def wall_times(res, variant, n, phase):
    return res.values(variant, n, phase, lambda r: r["wall_s"])


def wall(res, variant, n, phase):
    text = cell(res.values(variant, n, phase, lambda r: r["wall_s"]), "{:.1f}")
    return f"{text} **failed**" if res.failed(variant, n, phase) else text


def policy(res, variant, n):
    """The function's policy after each apply (bytes)."""
    return res.values(variant, n, "apply", lambda r: r["policy"]["bytes"])


def refusal(sizes):
    worst = max(sizes, default=0)
    return f"AWS would refuse: policy {worst:,} bytes > {POLICY_LIMIT:,}" if worst > POLICY_LIMIT else ""


def targets(res):
    """(target, measured, met) rows, at the largest N."""
    n, rows = res.big, []
    walls = {(v, p): med(res.values(v, n, p, lambda r: r["wall_s"])) for v in VARIANTS for p in PHASES}
    for phase, fraction in (("apply", 0.75), ("destroy", None)):
        limit = 1.2 * med(floors(res, "ours", n, phase))
        rows.append((f"{phase} at N={n}: at most 1.2 x its quota floor ({MINIMAL[phase](n)} API Gateway calls)",
                     f"{walls['ours', phase]:.1f} s vs {limit:.1f} s", walls["ours", phase] <= limit))
        if fraction:
            rows.append((f"{phase} at N={n}: at most {fraction} x the recipe's time",
                         f"{walls['ours', phase]:.1f} s vs {walls['recipe', phase]:.1f} s = "
                         f"{walls['ours', phase] / walls['recipe', phase]:.2f}",
                         walls["ours", phase] <= fraction * walls["recipe", phase]))
    plan = res.runs("ours", n, "plan")
    apigw, lam = max(served(r, APIGATEWAY) for r in plan), max(served(r, LAMBDA) for r in plan)
    # Lambda: the policy, and the failure-destination check's two reads (one function).
    rows.append((f"no-change plan at N={n}: at most 3 API Gateway calls, and 3 Lambda calls (one function: "
                 "GetPolicy, GetFunctionEventInvokeConfig, GetFunction)",
                 f"{apigw} API Gateway, {lam} Lambda", apigw <= 3 and lam <= 3))
    rows.append((f"no-change plan at N={n}: at most 0.1 x the recipe's time",
                 f"{walls['ours', 'plan']:.2f} s vs {walls['recipe', 'plan']:.1f} s = "
                 f"{walls['ours', 'plan'] / walls['recipe', 'plan']:.3f}",
                 walls["ours", "plan"] <= 0.1 * walls["recipe", "plan"]))
    ours = [r for p in PHASES for r in res.runs("ours", n, p)]
    answered, total = sum(throttled(r) for r in ours), sum(served(r) for r in ours)
    rows.append((f"429s answered to ours at N={n}: at most 5% of the calls served",
                 f"{answered} of {total} = {answered / total:.1%}", answered <= 0.05 * total))
    failures = [f"{r['phase']} N={r['n']}" for r in res.d["runs"] if r["variant"] == "ours" and r["error"]]
    rows.append(("no failed command of ours (every N)", ", ".join(failures) or "none", not failures))
    size = max(policy(res, "ours", n))
    rows.append((f"the function's policy after ours' apply at N={n}: under {POLICY_LIMIT:,} bytes",
                 f"{size:,} bytes", size < POLICY_LIMIT))
    for variant in OPENAPIS:
        applied = wall_times(res, variant, n, "apply")
        failed = [p for p in PHASES if res.failed(variant, n, p)]
        measured = (f"{med(applied):.1f} s vs {OPENAPI_APPLY_S} s"
                    + (f"; **failed**: {', '.join(failed)}" if failed else "; plan and destroy passed"))
        rows.append((f"apply of {n} operations through an OpenAPI document in under {OPENAPI_APPLY_S} s, and its "
                     f"plan and destroy passing, options `{OPENAPI_OPTIONS[variant]}`",
                     measured if applied else f"not measured (a results file from before the {variant} variant)",
                     bool(applied) and not failed and med(applied) < OPENAPI_APPLY_S))
    return rows


def draw(res, path):
    """quota-results.png: each variant's median wall time, its quota floor dashed, failures crossed
    (a variant that ran at one N only is a point, its floor a tick)."""
    def plot(ax, variant, phase, color):
        sizes = [n for n in res.sizes if res.runs(variant, n, phase)]
        if not sizes:
            return
        times = [med(wall_times(res, variant, n, phase)) for n in sizes]
        one = len(sizes) == 1
        ax.plot(sizes, times, marker="o", color=color, label=chart.label(res, variant))
        ax.plot(sizes, [med(floors(res, variant, n, phase)) for n in sizes], linestyle="--", color=color,
                alpha=0.6, marker="_" if one else None, markersize=14, label="its quota floor")
        failed = [(n, w) for n, w in zip(sizes, times) if res.failed(variant, n, phase)]
        if failed:
            ax.scatter(*zip(*failed), marker="x", s=90, color="black", zorder=3,
                       label="failed" if variant == "ours" else None)

    chart.wall_time(res, path, plot, "N endpoints (one REST API, one function)", "wall time (s)",
                    "Through AWS's API Gateway and Lambda quotas: ", variants=(*VARIANTS, *OPENAPIS))


def openapi_prose(res, sizes):
    """What the openapi variants are, and where their figures are."""
    options = " and ".join(f"{variant} `{OPENAPI_OPTIONS[variant]}`" for variant in OPENAPIS)
    what = ("The openapi variants each define a REST API of their own (not the prepared one) by an OpenAPI "
            "document (`bench/openapi.tf`): one `aws_api_gateway_rest_api` whose `body` embeds "
            "`provider::async::openapi_operation(function_arn, OPTIONS)` as the POST operation of each of N "
            "paths, which hashicorp/aws applies in one PutRestApi, plus one `aws_lambda_permission` scoped to "
            f"its `execution_arn/*`; OPTIONS is the function's defaults or its one knob that shrinks the "
            f"document ({options}). The async provider only evaluates the function, hashicorp/aws makes every "
            "call. Their quota floor is that of their own API Gateway calls as served; it does not count the "
            "quotas of their own of CreateRestApi (1 every 3 s), PutRestApi (1 a second) and DeleteRestApi "
            "(1 every 30 s). hashicorp/aws 3.39.0 refuses a gRPC message over 4 MiB (terraform-plugin-go raised "
            "its limit to 256 MiB in v0.5.0, hashicorp/terraform-plugin-go#139, which hashicorp/aws 4 and later "
            "have); AWS imports a document of up to 6 MB (\"API definition file size\" quota).")
    if not sizes:
        return what + " This results file predates the variants: it has no figures for them.\n"
    return what + f" They ran at N={', '.join(map(str, sizes))}, after the other two there, in each round.\n"


def openapi_table(res, sizes, h2):
    """The openapi variants beside ours and the recipe at each N: document size, wall times, floors,
    calls."""
    if not sizes:
        return []
    rows = [(n, p, f"`{OPENAPI_OPTIONS[v]}`", cell(document(res, v, n), "{:,.0f}"), wall(res, v, n, p),
             cell(floors(res, v, n, p), "{:.1f}"), wall(res, "ours", n, p), wall(res, "recipe", n, p),
             ratio(wall_times(res, v, n, p), wall_times(res, "ours", n, p)),
             ratio(wall_times(res, v, n, p), wall_times(res, "recipe", n, p)),
             cell(res.values(v, n, p, lambda r: served(r, APIGATEWAY)), "{:.0f}"),
             cell(res.values(v, n, p, lambda r: served(r, LAMBDA)), "{:.0f}"),
             cell(res.values(v, n, p, throttled), "{:.0f}")) for n in sizes for p in PHASES for v in OPENAPIS]
    return [f"{h2} One REST API from an OpenAPI document\n",
            ("Wall time (s) of each command of the openapi variants (N operations, one PutRestApi, one "
             "permission), by the function's options, with the document's size (bytes), beside ours and the "
             "recipe at the same N; the API Gateway and Lambda calls LocalStack served to them, and the 429s "
             "the quotas answered.\n"),
            table((">N", "command", "options", ">document", ">openapi", ">its floor", ">ours", ">recipe",
                   ">openapi/ours", ">openapi/recipe", ">API Gateway", ">Lambda", ">429s"), rows)]


def section(res, level=1):
    """The section, its title a heading of `level`."""
    d, big, v, m = res.d, res.big, res.d["versions"], res.d["machine"]
    h1, h2 = "#" * level, "#" * (level + 1)
    sizes = openapi_sizes(res)
    # The variants of the tables at the largest N: the openapi ones too when they ran there.
    at_big = (*VARIANTS, *OPENAPIS) if big in sizes else VARIANTS
    out = [
        f"{h1} Quota benchmark: `async_lambda_endpoint` against the recipe through AWS's rate quotas\n",
        f"Generated by `make bench-quota` from `quota-results.json`: run {d['started']}, "
        f"{d['duration_s'] / 60:.1f} min. Do not edit: rerun `make bench-quota`. N endpoints on one REST API "
        "with N resources and one function, through `tests/support/fault_proxy.py --quotas aws`: API Gateway's "
        f"management calls share a bucket of {BURST} tokens filling at {RATE} a second (\"Total operations\"), "
        "some have a lower quota of their own; Lambda's control plane 15 a second. A command's quota floor is "
        f"(API Gateway calls - {BURST}) / {RATE} s, with ours' minimal calls ({READS} read, then apply 4 writes "
        "per endpoint, destroy 1 DeleteMethod per endpoint) and the others' own as served. "
        f"{d['config']['rounds']} round(s); figures are medians, [min-max]; each command starts after "
        f"{d['config']['refill_s']} s idle, its buckets full"
        + (f" (an openapi variant's destroy after {d['config']['delete_rest_api_refill_s']} s, DeleteRestApi's "
           "own quota)" if "delete_rest_api_refill_s" in d["config"] else "") + ".\n",
        openapi_prose(res, sizes),
        "![wall time of apply, plan and destroy against N, with the quota floors](quota-results.png)\n",
        f"{h2} Targets\n", targets_table(targets(res)),
        f"{h2} Versions and machine\n",
        f"terraform-provider-async {v['terraform-provider-async']} (provider defaults), hashicorp/aws "
        f"{v['hashicorp/aws']}, Terraform {v['terraform']} (parallelism {d['config']['parallelism']}), LocalStack "
        f"{v['localstack']}; {m['cpu']} ({m['cores']} cores), {m['memory_gib']} GiB, {m['os']}.\n",
        f"{h2} Wall time (s) against the quota floor\n",
        table((">N", "command", ">ours", ">its floor", ">ours/floor", ">recipe", ">its floor", ">ours/recipe"),
              [(n, p, wall(res, "ours", n, p), cell(floors(res, "ours", n, p), "{:.1f}"),
                ratio(res.values("ours", n, p, lambda r: r["wall_s"]), floors(res, "ours", n, p)),
                wall(res, "recipe", n, p), cell(floors(res, "recipe", n, p), "{:.1f}"),
                ratio(*(res.values(var, n, p, lambda r: r["wall_s"]) for var in VARIANTS)))
               for n, p in res.grid()]),
        *openapi_table(res, sizes, h2),
        f"{h2} Calls served and 429s answered\n",
        "API Gateway and Lambda calls LocalStack served (the proxy's 429s never reach it), per endpoint all "
        "services, and the 429s the quotas answered.\n",
        table((">N", "command", ">ours API Gateway", ">Lambda", ">per endpoint", ">429s", ">recipe API Gateway",
               ">Lambda", ">per endpoint", ">429s"),
              [(n, p, *(x for var in VARIANTS for x in (
                  cell(res.values(var, n, p, lambda r: served(r, APIGATEWAY)), "{:.0f}"),
                  cell(res.values(var, n, p, lambda r: served(r, LAMBDA)), "{:.0f}"),
                  cell(res.values(var, n, p, lambda r: served(r) / r["n"])),
                  cell(res.values(var, n, p, throttled), "{:.0f}")))) for n, p in res.grid()]),
        f"{h2} The function's resource-based policy after apply (bytes)\n",
        f"As AWS's GetPolicy returns it (compact JSON), which Lambda's {POLICY_LIMIT:,}-byte limit counts; "
        "LocalStack enforces no limit, so what AWS would refuse still applies here.\n",
        table((">N", *(f">{var}" for var in (*VARIANTS, *OPENAPIS)), "on AWS"),
              [(n, *(cell(policy(res, var, n), "{:.0f}") for var in (*VARIANTS, *OPENAPIS)),
                "; ".join(f"{var}: {refusal(policy(res, var, n))}" for var in (*VARIANTS, *OPENAPIS)
                          if refusal(policy(res, var, n))) or "accepted") for n in res.sizes]),
        f"{h2} By operation at N={big}: served, and 429s answered\n",
    ]
    def per_op(variant, phase, source):
        runs = res.runs(variant, big, phase)
        return {op: med([r[source].get(op, 0) for r in runs]) for op in {op for r in runs for op in r[source]}}

    rows = []
    for phase in PHASES:
        counts = {var: (per_op(var, phase, "calls"),
                        {k.rsplit(" ", 1)[0]: c for k, c in per_op(var, phase, "proxy_errors").items()
                         if k.endswith(" 429")}) for var in at_big}
        for op in sorted({op for var in at_big for part in counts[var] for op in part}):
            rows.append((phase, op, *(f"{counts[var][i].get(op, 0):.0f}" for var in at_big for i in (0, 1))))
    out.append(table(("command", "operation", *(f">{var} {what}" for var in at_big for what in ("served", "429s"))),
                     rows))
    out.append(f"{h2} Failed commands\n")
    failed = [r for r in d["runs"] if r["error"]]
    if not failed:
        out.append("None.\n")
    for r in failed:
        tail = [line for line in r["error"].splitlines() if line.strip()][-12:]
        out.append(f"**{r['variant']}, N={r['n']}, {r['phase']}, round {r['round']}**: "
                   f"{r['error'].splitlines()[0]}, {r['wall_s']:.1f} s, {throttled(r)} 429s answered\n\n"
                   "```\n" + "\n".join(tail) + "\n```\n")
    return "\n".join(out)
