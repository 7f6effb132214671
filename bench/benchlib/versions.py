"""The versions of the tools the benches run, from scripts/lib/versions.env: the one manifest the
Makefile, the scripts and the tests read too, so that a version changes in one place only."""

from .paths import ROOT

MANIFEST = ROOT / "scripts" / "lib" / "versions.env"


def read(path):
    """{KEY: VALUE} from `path`'s KEY=VALUE lines; blank lines and `#` comments are skipped, and any
    other line is an error rather than a version silently missed."""
    out = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key:
            raise ValueError(f"{path}:{number}: not a KEY=VALUE line: {line!r}")
        out[key] = value
    return out


VERSIONS = read(MANIFEST)
TERRAFORM = VERSIONS["TERRAFORM_NEWEST"]  # the benches measure with the newest Terraform supported
AWS_PROVIDER = VERSIONS["AWS_PROVIDER"]
