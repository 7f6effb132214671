"""The programs the benches run, where they are and how they get there: the provider's release
build and the schema probe's test build, Terraform, hashicorp/aws and LocalStack at the manifest's
versions (scripts/install-tools.sh), and the bench venv with matplotlib for the report."""

import os
import shutil
import sys

from .paths import BENCH, CACHE, ROOT, TOOLS
from .shell import run
from .versions import AWS_PROVIDER, TERRAFORM

TERRAFORM_BIN = TOOLS / "terraform" / TERRAFORM / "terraform"
AWS_DIR = TOOLS / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER / "linux_amd64"
OURS_BIN = ROOT / "target" / "release" / "terraform-provider-async"
VENV_PY, LOCALSTACK_PY = TOOLS / "bench-venv" / "bin" / "python", TOOLS / "localstack" / "venv" / "bin" / "python"
# tests/it/schema_probe.rs in a profile of its own (target/bench-probe): the client's dependencies
# optimised so that it adds little to what it times. Not --release: a release test build unifies
# the dev-dependencies' features into the provider and would rebuild target/release's binary.
PROBE = ["cargo", "test", "--locked", "--profile", "bench-probe", "--config", 'profile.bench-probe.inherits="dev"',
         "--config", "profile.bench-probe.debug=false", "--config", 'profile.bench-probe.package."*".opt-level=3',
         "--test", "it"]


def aws_bin():
    """hashicorp/aws's executable, as install-tools.sh unpacked it (its name carries the version)."""
    return next(AWS_DIR.glob("terraform-provider-aws_*"))


def install(build, probe=False):
    """The release build (and the schema probe's test build), the tools, the bench venv."""
    if build:
        run(["cargo", "build", "--release", "--locked"], cwd=ROOT)
        if probe:
            run([*PROBE, "--no-run"], cwd=ROOT)
    run(["bash", ROOT / "scripts/install-tools.sh", "terraform", "aws-provider", "localstack"])
    ensure_bench_venv()


def ensure_bench_venv():
    """.tools/bench-venv with bench/requirements.txt (matplotlib); pip's cache is the project's."""
    reqs = (BENCH / "requirements.txt").read_text()
    stamp = VENV_PY.parent.parent / ".installed"
    if VENV_PY.exists() and stamp.exists() and stamp.read_text() == reqs:
        return
    shutil.rmtree(stamp.parent, ignore_errors=True)
    run([sys.executable, "-m", "venv", stamp.parent])
    run([VENV_PY, "-m", "pip", "install", "--quiet", "--only-binary=:all:", "-r", BENCH / "requirements.txt"],
        env=dict(os.environ, PIP_CACHE_DIR=str(CACHE / "pip"), PIP_DISABLE_PIP_VERSION_CHECK="1"))
    stamp.write_text(reqs)
