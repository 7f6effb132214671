"""What the measured commands run against: LocalStack, the counting proxy, the function and REST
APIs prepared beforehand, Terraform's configuration, and a work directory per variant; and one
measured command with its calls and its verdict."""

import json
import subprocess

from .calls import Proxy, RequestLog, difference
from .measure import console, terraform
from .paths import BENCH, ROOT
from .results import OPENAPI_OPTIONS, OPENAPIS, VARIANTS
from .shell import log, run
from .tools import LOCALSTACK_PY, OURS_BIN, aws_bin
from .versions import AWS_PROVIDER

FUNCTION = "bench-worker"
# The resources a variant's configuration has for N endpoints: what apply must report added and
# destroy destroyed.
RESOURCES = {"ours": lambda n: n, "recipe": lambda n: 5 * n, **{variant: lambda n: 2 for variant in OPENAPIS}}
COMMANDS = {
    "apply": ["apply", "-auto-approve", "-input=false", "-no-color"],
    "plan": ["plan", "-detailed-exitcode", "-input=false", "-no-color"],  # 0: no changes
    "destroy": ["destroy", "-auto-approve", "-input=false", "-no-color"],
}
# ours.tf's (and openapi.tf's) line that each bench's own provider settings replace (indented
# lines, each ending in a newline), and recipe.tf's (and openapi.tf's) placeholder for
# hashicorp/aws's version: the manifest's.
PROVIDER_SETTINGS_LINE = "  # @PROVIDER_SETTINGS@\n"
AWS_VERSION_PLACEHOLDER = "@AWS_PROVIDER@"
# openapi.tf's placeholder for openapi_operation's options: each openapi variant's (OPENAPI_OPTIONS).
OPENAPI_OPTIONS_PLACEHOLDER = "@OPENAPI_OPTIONS@"


def prepare_tool(*args):
    """bench/prepare.py (boto3, in LocalStack's venv) with `args`: its JSON answer."""
    out = subprocess.run([str(LOCALSTACK_PY), str(BENCH / "prepare.py"), *map(str, args)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def configuration(name, replacements):
    """bench/`name` with each placeholder of `replacements` replaced by its value; an error if the
    file lost one."""
    text = (BENCH / name).read_text()
    for placeholder, value in replacements.items():
        if placeholder not in text:
            raise RuntimeError(f"bench/{name} has no {placeholder.strip()!r}")
        text = text.replace(placeholder, value)
    return text


def differences(ours, recipe, api, resource):
    """Fields in which what the two variants left in AWS for one endpoint differ (ids and Sid aside)."""
    def normal(d):
        d = json.loads(json.dumps(d, sort_keys=True).replace(api, "API").replace(resource, "RES"))
        for s in d["permissions"]:
            s.pop("Sid", None)
        return d

    out = []

    def walk(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                walk(x.get(k), y.get(k), f"{path}.{k}" if path else k)
        elif x != y:
            out.append({"field": path, "ours": x, "recipe": y})

    walk(normal(ours), normal(recipe), "")
    return out


class Stack:
    """What the commands run against, under `work`: one LocalStack; the counting proxy in front of
    it, started with `proxy_flags`; the function and `apis` REST APIs of `per_api` resources
    prepared on LocalStack directly (uncounted); a Terraform CLI configuration whose filesystem
    mirror holds both providers. A context manager that stops them, on errors too."""

    def __init__(self, work, version, apis, per_api, proxy_flags=(), provider_settings=""):
        self.work, self.version, self.apis, self.per_api = work, version, apis, per_api
        self.proxy_flags, self.provider_settings = proxy_flags, provider_settings
        self.localstack_dir, self.cli_config, self.proxy = work / "localstack", work / "cli.tfrc", None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        if self.proxy:
            self.proxy.stop()
        subprocess.run(["bash", str(ROOT / "scripts/localstack.sh"), "stop", str(self.localstack_dir)])

    def start(self):
        self.endpoint = run(["bash", ROOT / "scripts/localstack.sh", "start", self.localstack_dir],
                            capture_output=True, text=True).stdout.strip()
        self.proxy = Proxy(self.work, self.endpoint, self.proxy_flags)
        log(f"LocalStack at {self.endpoint}, the counting proxy at {self.proxy.url} {' '.join(self.proxy_flags)}")
        self.request_log = RequestLog(self.localstack_dir / "localstack.log")
        self.prepared = prepare_tool("prepare", self.endpoint, self.apis, self.per_api, FUNCTION)
        mirror = self.work / "mirror" / "registry.terraform.io"
        ours_dir = mirror / "tf-async" / "async" / self.version / "linux_amd64"
        ours_dir.mkdir(parents=True)
        (ours_dir / f"terraform-provider-async_v{self.version}").symlink_to(OURS_BIN)
        aws = aws_bin()
        aws_dir = mirror / "hashicorp" / "aws" / AWS_PROVIDER / "linux_amd64"
        aws_dir.mkdir(parents=True)
        (aws_dir / aws.name).symlink_to(aws)  # Terraform follows symlinked files, not directories
        self.cli_config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror.parent}"\n  }}\n}}\n')
        self.settings = {"endpoint": self.proxy.url, "region": self.prepared["region"], "function": FUNCTION,
                         "function_arn": self.prepared["function_arn"], "account": self.prepared["account"]}

    def terraform(self, workdir, args, logname, check=True):
        return terraform(workdir, args, logname, self.cli_config, check)

    def console(self, workdir, expression):
        return console(workdir, expression, self.cli_config)

    def workdir(self, name, variant, endpoints, templates=None):
        """A work directory for `variant` ("ours", "recipe", or one of bench-quota's OPENAPIS) and
        these endpoints, initialised."""
        d = self.work / name
        d.mkdir(exist_ok=True)
        settings = {PROVIDER_SETTINGS_LINE: self.provider_settings}
        aws_version = {AWS_VERSION_PLACEHOLDER: AWS_PROVIDER}
        if variant in OPENAPIS:
            replacements = dict(settings, **aws_version, **{OPENAPI_OPTIONS_PLACEHOLDER: OPENAPI_OPTIONS[variant]})
            (d / "main.tf").write_text(configuration("openapi.tf", replacements))
        else:
            replacements = {"ours": settings, "recipe": aws_version}[variant]
            (d / "main.tf").write_text(configuration(f"{variant}.tf", replacements))
        if variant != "ours":  # hashicorp/aws's provider block
            (d / "provider.tf").write_text((ROOT / "scripts/lib/localstack-aws-provider.tf.in").read_text()
                                           .replace("@REGION@", "local.bench.region")
                                           .replace("@ENDPOINT@", "${local.bench.endpoint}"))
        (d / "bench.json").write_text(json.dumps(dict(self.settings, endpoints=endpoints, templates=templates)))
        self.terraform(d, ["init", "-input=false", "-no-color"], "init")
        return d

    def warm_up(self):
        """Untimed, at N=1: ours, its templates read back for the recipe, the recipe, and what each
        left in AWS compared. Returns (the templates, the comparison)."""
        first = self.prepared["endpoints"][0]
        described, templates = {}, None
        for variant in VARIANTS:
            d = self.workdir(f"warmup-{variant}", variant, [first], templates)
            self.terraform(d, COMMANDS["apply"], "apply")
            described[variant] = prepare_tool("describe", self.endpoint, first["api"], first["resource"], "POST",
                                              FUNCTION)
            if variant == "ours":
                integration = described[variant]["method"]["methodIntegration"]
                templates = {"request": integration["requestTemplates"],
                             "response": integration["integrationResponses"]["202"]["responseTemplates"]}
            self.terraform(d, COMMANDS["destroy"], "destroy")
        return templates, dict(described, differences=differences(described["ours"], described["recipe"],
                                                                   first["api"], first["resource"]))

    def measure(self, workdir, variant, n, phase, logname):
        """One timed command and its calls: "calls" and "errors" from LocalStack's request log (the
        calls it served), "proxy_calls" and "proxy_errors" from the proxy (every call it received,
        and those it answered itself). "error" is None, or why the command failed and the end of
        its output: its exit code, or fewer resources reported than its configuration has (RESOURCES)."""
        before = self.proxy.stats()
        self.request_log.mark()
        m = self.terraform(workdir, COMMANDS[phase], logname, check=False)
        after = self.proxy.stats()
        calls, errors = self.request_log.counts(after["forwarded"] - before["forwarded"])
        text, want = m.pop("output"), RESOURCES[variant](n)
        reported = {"apply": f"{want} added, 0 changed, 0 destroyed", "destroy": f"{want} destroyed"}.get(phase, "")
        failure = f"exited {m['exit_code']}" if m["exit_code"] else None if reported in text \
            else f"did not report {want} resources"
        m.update(n=n, variant=variant, phase=phase, calls=calls, errors=errors,
                 proxy_calls=difference(after["calls"], before["calls"]),
                 proxy_errors=difference(after["errors"], before["errors"]),
                 error=failure and f"{failure}:\n{text[-3000:]}")
        return m
