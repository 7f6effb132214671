"""`make bench-routes`' part of the report, from routes-results.json: RESULTS.md's "Routes benchmark"
section (checks, tables, every figure from the JSON). It has no chart: its sizes are few and its
calls, not its wall times, are what it is for."""

import statistics

from .markdown import cell, table, targets_table
from .results import PHASES, med
from .route_calls import is_dispatchers

VARIANT = "ours"


def everything(_op):
    return True


def routes_own(op):
    """Not the dispatcher's or its role's (route_calls.is_dispatchers)."""
    return not is_dispatchers(op)


def service(name):
    return lambda op: op.startswith(f"{name}:")


def total(run, which=everything):
    """A command's calls, by the provider's count, whose operation ("service:Operation") `which`
    accepts."""
    return sum(v for k, v in run["calls"].items() if which(k))


def calls(res, n, phase, which=everything, per_route=False):
    return res.values(VARIANT, n, phase, lambda r: total(r, which) / (n if per_route else 1))


def further(res, phase, which=everything):
    """Calls per further route: the medians' difference between the largest and the smallest N,
    over the routes between them. What does not grow with N (the dispatcher, its role, the
    identity, the API's reads) cancels out."""
    lo, hi = min(res.sizes), max(res.sizes)
    if lo == hi:
        return "-"
    return f"{(med(calls(res, hi, phase, which)) - med(calls(res, lo, phase, which))) / (hi - lo):.2f}"


def p90(values):
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else med(values)


def latency(res, function, key="ms"):
    """(cold samples, warm samples) of `function` ("dispatcher", "baseline") over every round and N."""
    found = res.d["latency"]
    return ([x[function]["cold"][key] for x in found if x[function]["cold"][key] is not None],
            [s[key] for x in found for s in x[function]["warm"] if s[key] is not None])


def latency_rows(res, key, what):
    """Cold and warm rows of one measure, `key` of each sample ("ms", "report_ms")."""
    (bc, bw), (dc, dw) = latency(res, "baseline", key), latency(res, "dispatcher", key)
    if not (bc and dc and bw and dw):
        return []
    return [(what, f"cold, median of {len(dc)} [min-max]", cell(bc, "{:.0f}"), cell(dc, "{:.0f}"),
             f"{med(dc) - med(bc):+.0f}"),
            ("", f"warm, median of {len(dw)}", f"{med(bw):.0f}", f"{med(dw):.0f}", f"{med(dw) - med(bw):+.0f}"),
            ("", "warm, p90", f"{p90(bw):.0f}", f"{p90(dw):.0f}", f"{p90(dw) - p90(bw):+.0f}")]


def startup_row(res):
    """The dispatcher's warm in-process median without what a warm AWS environment does once:
    importing boto3 and making its client (prepare.py's client_startup_ms, timed apart)."""
    startup = [ms for x in res.d["latency"] for ms in x.get("client_startup_ms", [])]
    (_, bw), (_, dw) = latency(res, "baseline", "report_ms"), latency(res, "dispatcher", "report_ms")
    if not (startup and bw and dw):
        return []
    rest = med(dw) - med(startup)
    return [("", f"warm, median, less importing boto3 and making a client ({cell(startup, '{:.0f}')} ms, "
                 f"{len(startup)} times apart): an estimate",
             f"{med(bw):.0f}", f"{rest:.0f}", f"{rest - med(bw):+.0f}")]


def checks(res):
    """(check, measured, met) rows."""
    runs, rows = res.d["runs"], []
    plans = [r for r in runs if r["phase"] == "plan"]
    clean = sum(r["exit_code"] == 0 for r in plans)
    rows.append(("every no-change plan exited 0 (`-detailed-exitcode`)", f"{clean} of {len(plans)}",
                 clean == len(plans)))
    agree = [r for r in runs if r["calls"] == r["served"]]
    rows.append(("the provider's count equals what LocalStack and moto served, by operation",
                 f"equal in {len(agree)} of {len(runs)} commands", len(agree) == len(runs)))
    # The plan-time check of the target's failure handling reads Lambda once per provider process
    # (a plan; an apply's plan and apply), whatever N, and calls no API Gateway.
    check = "lambda:GetFunctionEventInvokeConfig"
    per_command = {(r["phase"], r["calls"].get(check, 0)) for r in runs}
    most = max((count for _, count in per_command), default=0)
    rows.append(("the failure-destination check: `GetFunctionEventInvokeConfig` at most once per provider "
                 "process, whatever N", f"at most {most} per command", 0 < most <= 2))
    failed = [f"N={r['n']} {r['phase']}" for r in runs if r["error"]]
    rows.append(("no failed command", ", ".join(failed) or "none", not failed))
    found = res.d["latency"]
    rows.append(("every invocation answered as it should: the dispatcher 202, the target 200",
                 f"{sum(2 * (1 + len(x['dispatcher']['warm'])) for x in found)} invocations", bool(found)))
    # The target: a route's request is answered within a second on LocalStack.
    answers = [m["ms"] for x in found for m in [x["dispatcher"]["cold"], *x["dispatcher"]["warm"]]]
    slowest = max(answers, default=float("inf"))
    rows.append(("the dispatcher answered every invocation within 1 s on LocalStack, cold or warm",
                 f"slowest {slowest:.0f} ms of {len(answers)}", slowest < 1000))
    return rows


def whose(op):
    if is_dispatchers(op):
        return "the dispatcher's"
    return "the provider's identity" if op.startswith("sts:") else "the routes'"


def by_operation(res, n):
    """One row per command and operation at N: the provider's count and the emulators', medians."""
    rows = []
    for phase in PHASES:
        runs = res.runs(VARIANT, n, phase)
        ops = sorted({op for r in runs for source in ("calls", "served") for op in r[source]},
                     key=lambda op: (is_dispatchers(op), op))
        for op in ops:
            mine, served = (med([r[source].get(op, 0) for r in runs]) for source in ("calls", "served"))
            rows.append((phase, f"`{op}`", whose(op),
                         f"{mine:.0f}", f"{served:.0f}", f"{mine / n:.2f}"))
    return rows


def section(res, level=1):
    """The section, its title a heading of `level`."""
    d, big, v, m, c = res.d, max(res.sizes), res.d["versions"], res.d["machine"], res.d["config"]
    h1, h2 = "#" * level, "#" * (level + 1)
    out = [
        f"{h1} Routes benchmark: `async_lambda_route`'s calls, and the dispatcher's latency on LocalStack\n",
        f"Generated by `make bench-routes` from `routes-results.json`: run {d['started']}, "
        f"{d['duration_s'] / 60:.1f} min. Do not edit: rerun `make bench-routes`. N `async_lambda_route`s "
        "(`POST /r0`, `POST /r1`, ...) on one HTTP API, all to one target function: API Gateway v2 on moto, "
        "Lambda, IAM and STS on LocalStack. The provider as configured by default (no `rate_limits` block), "
        "which does not pace calls to endpoints that are not AWS's (on AWS it paces them to AWS's quotas): the "
        "wall times include Terraform's DEBUG log, "
        "written for the counts. Each round and N has a fresh HTTP API; apply creates the dispatcher (its role, "
        "its policies, the function, the wait until it is active) with the first route and destroy deletes it "
        "with the last, so both include those one-time calls. "
        f"{c['rounds']} round(s) after an untimed warm-up at N=1; figures are medians, [min-max].\n",
        f"{h2} Checks\n", targets_table(checks(res)),
        f"{h2} Versions and machine\n",
        f"terraform-provider-async {v['terraform-provider-async']} (release build, provider defaults), Terraform "
        f"{v['terraform']} (parallelism {c['parallelism']}), LocalStack {v['localstack']} (Lambda on the tests' "
        f"subprocess executor), moto {v['moto']}; {m['cpu']} ({m['cores']} cores), {m['memory_gib']} GiB, "
        f"{m['os']}; load average (1 min) before each command "
        f"{cell([r['loadavg_1m_before'] for r in d['runs']])}.\n",
        f"{h2} Wall time (s)\n",
        table((">N", ">apply", ">plan", ">destroy"),
              [(n, *(cell(res.values(VARIANT, n, p, lambda r: r["wall_s"])) for p in PHASES)) for n in res.sizes]),
        f"{h2} AWS calls per route\n",
        "Counted from the provider's own DEBUG lines (every attempt it sent); the emulators' logs agree (Checks). "
        "\"The dispatcher's\" are IAM's calls on its role and the role's policies (the logs policy and the API's "
        "`routes-API_ID`) and Lambda's on the dispatcher function (create it, wait until it is active, its "
        "permission for the API, its policy, delete it); the rest are the routes' own (API Gateway v2), the "
        "target's `GetFunction` (whether it exists, before an apply writes; at plan, with "
        "`GetFunctionEventInvokeConfig`, where its failed events go, once per provider process) and STS's "
        "`GetCallerIdentity`. Not every call of the dispatcher's is a one-time "
        "call: the next table shows which grow with N.\n",
        table((">N", "command", ">calls", ">per route", ">of them the dispatcher's", ">per route without them",
               ">API Gateway v2 per route"),
              [(n, p, cell(calls(res, n, p), "{:.0f}"), cell(calls(res, n, p, per_route=True)),
                cell(calls(res, n, p, is_dispatchers), "{:.0f}"), cell(calls(res, n, p, routes_own, True)),
                cell(calls(res, n, p, service("apigatewayv2"), True))) for n, p in res.grid()]),
        f"{h2} Calls per further route (N={min(res.sizes)} to N={big})\n",
        "What one more route costs: the difference of the medians between the largest and the smallest N, "
        "divided by the routes between them, so that every call that does not grow with N cancels out.\n",
        table(("command", ">all calls", ">API Gateway v2", ">Lambda", ">IAM", ">STS"),
              [(p, further(res, p), *(further(res, p, service(s)) for s in ("apigatewayv2", "lambda", "iam", "sts")))
               for p in PHASES]),
        f"{h2} By operation at N={big}\n",
        table(("command", "operation", "whose", ">the provider's count", ">served", ">per route"),
              by_operation(res, big)),
        f"{h2} Calls that failed or were retried (all rounds and N)\n",
        "The provider's \"AWS call failed\" lines (a read of what does not exist, or no longer, is one: the "
        "dispatcher before the first route or after the last, a policy before its first statement, the "
        "target's event invoke configuration, which it has none of here) and "
        "\"retrying AWS call\" lines, and the emulators' answers other than 2xx.\n",
    ]
    errors = {}
    for r in d["runs"]:
        for kind, source in (("failed", "failed"), ("retried", "retried"), ("answered", "served_errors")):
            for k, count in r[source].items():
                errors[r["phase"], kind, k] = errors.get((r["phase"], kind, k), 0) + count
    out.append(table(("command", "", "operation", ">count"),
                     [(p, kind, f"`{k}`", count) for (p, kind, k), count in sorted(errors.items())]
                     or [("-", "", "none", 0)]))
    out += [
        f"{h2} Dispatcher latency: LocalStack, relative only, not AWS\n",
        "After each apply (and its plan), invoked as API Gateway's `AWS_PROXY` integration invokes a function "
        "(Lambda `Invoke`, `RequestResponse`), with AWS's payload format 2.0 example event, timed by the client "
        "from the request sent to the answer read: the target directly, what a synchronous proxy integration of "
        "the route would cost (the baseline), and the dispatcher with the route's `x-async-lambda-route` header "
        "as moto holds it, which queues the event for the target (`InvocationType=Event`) and answers 202. "
        "Cold: the first invocation of each since it was created (the dispatcher, by the apply) or updated (the "
        "target, just before); warm: the next ones, in turn, 0.5 s apart. Added by the dispatcher = the "
        "dispatcher's figure minus the baseline's.\n",
        "On LocalStack here, Lambda runs on the tests' executor (`tests/localstack_executor`), which starts a "
        "fresh Python process for every invocation, warm or cold: there is no warm process, so a \"warm\" "
        "invocation is not AWS-warm. The dispatcher imports boto3 and makes its Lambda client in every one, which "
        "a warm AWS environment does once; the target imports nothing. Cold differs from warm only in LocalStack "
        "setting up an execution environment for the function. So these figures order and compare, and say "
        "nothing of AWS's milliseconds. The last row estimates the dispatcher's warm cost without what a warm AWS "
        "environment does once: its in-process median less the median of importing boto3 and making a Lambda "
        "client in a fresh process of the same Python, timed apart.\n",
        table(("ms", "invocation", ">the target directly (baseline)", ">the dispatcher", ">added by the dispatcher"),
              latency_rows(res, "ms", "round trip, as the caller sees it")
              + latency_rows(res, "report_ms", "in the function's process, from its start (REPORT Duration)")
              + startup_row(res)),
    ]
    return "\n".join(out)
