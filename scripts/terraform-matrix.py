"""Each Terraform version's results, on its own, from `cargo test` output (the
tests `each_terraform_version!` names `...::on_terraform_1_8_4`): how many
passed and failed on it, and which tests ran there. `make test` prints it
after the tests, whatever their outcome.

Usage: python3 scripts/terraform-matrix.py CARGO_TEST_OUTPUT"""

import re
import sys
from collections import defaultdict

LINE = re.compile(r"^test (\S+)::on_terraform_(\d+)_(\d+)_(\d+) \.\.\. (ok|FAILED|ignored)")


def main(path):
    results = defaultdict(lambda: defaultdict(list))
    with open(path, errors="replace") as out:
        for line in out:
            m = LINE.match(line)
            if m:
                name, major, minor, patch, outcome = m.groups()
                results[(int(major), int(minor), int(patch))][outcome].append(name)
    if not results:
        print("terraform-matrix: no per-version test in the output")
        return 1
    print("\nTerraform version matrix (each version on its own):")
    for version in sorted(results):
        by = results[version]
        tests = sorted(by["ok"] + by["FAILED"])
        print(f"  Terraform {'.'.join(map(str, version))}: {len(by['ok'])} passed, {len(by['FAILED'])} failed"
              + (f", {len(by['ignored'])} ignored" if by["ignored"] else ""))
        for name in by["FAILED"]:
            print(f"    FAILED {name}")
        if len(tests) <= 12:
            print("    " + ", ".join(tests))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
