"""What is measured of one command: a Terraform command's wall and CPU time and its providers'
memory, sampled from /proc while it runs; and tests/it/schema_probe.rs's provider start to served
GetSchema."""

import json
import os
import subprocess
import sys
import threading
import time

from .paths import ROOT
from .shell import run
from .tools import OURS_BIN, PROBE, TERRAFORM_BIN, aws_bin

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_status(pid):
    """(name, ppid, cpu ticks, {VmHWM, VmRSS, RssAnon, RssFile, Threads} in KiB) from one read of
    each file, or None. One read of status, so the name and the figures belong together: a child
    between fork and exec still shows its parent's name and memory (Go forks with CLONE_VM)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        with open(f"/proc/{pid}/status", "rb") as f:
            status = f.read().decode(errors="replace")
    except OSError:
        return None
    rest = stat[stat.rindex(")") + 2:].split()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    memory = {k: int(fields[k].split()[0]) for k in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "Threads")
              if k in fields}
    return fields.get("Name", "").strip(), int(rest[1]), int(rest[11]) + int(rest[12]), memory


class Sampler(threading.Thread):
    """Every 10 ms: the new descendants of `root` (only pids not seen before are opened), and the
    CPU ticks and memory of every live one. VmHWM is the kernel's own high-water mark, so the last
    reading before a process exits is its peak."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.tree, self.procs = root, {root}, {}
        self.seen = {int(p) for p in os.listdir("/proc") if p.isdigit()}
        self.done = threading.Event()

    def poll(self):
        for pid in {int(p) for p in os.listdir("/proc") if p.isdigit()} - self.seen:
            self.seen.add(pid)
            st = proc_status(pid)
            if st and st[1] in self.tree:
                self.tree.add(pid)
        for pid in list(self.tree):
            st = proc_status(pid)
            if st is None or not (pid == self.root or st[0].startswith("terraform-prov")):
                continue  # gone, or not (yet) a provider: forked, not exec'd
            _, _, ticks, mem = st
            p = self.procs.setdefault(pid, {"kind": "terraform" if pid == self.root else provider_kind(pid),
                                            "hwm": 0, "ticks": 0, "rss": 0, "anon": 0, "file": 0, "threads": 0})
            p["ticks"], p["hwm"] = max(p["ticks"], ticks), max(p["hwm"], mem.get("VmHWM", 0))
            p["threads"] = max(p["threads"], mem.get("Threads", 0))
            if mem.get("VmRSS", 0) >= p["rss"]:  # the split at the largest RSS seen
                p.update(rss=mem.get("VmRSS", 0), anon=mem.get("RssAnon", 0), file=mem.get("RssFile", 0))

    def run(self):
        while not self.done.is_set():
            self.poll()
            self.done.wait(0.01)

    def stop(self):
        self.done.set()
        self.join()

    def providers(self):
        """Per provider kind: instances launched, CPU s (sum), and of the instance with the highest
        peak: peak RSS, its anonymous/file split at the largest RSS sampled, threads."""
        out = {}
        for p in self.procs.values():
            if p["kind"] == "terraform":
                continue
            o = out.setdefault(p["kind"], {"instances": 0, "peak_rss_kib": 0, "cpu_s": 0.0})
            o["instances"] += 1
            o["cpu_s"] = round(o["cpu_s"] + p["ticks"] / CLK_TCK, 2)
            if p["hwm"] >= o["peak_rss_kib"]:
                o.update(peak_rss_kib=p["hwm"], anon_kib_at_peak=p["anon"], file_kib_at_peak=p["file"],
                         threads=p["threads"])
        return out


def provider_kind(pid):
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return "unknown"
    return "async" if "provider-async" in exe else "aws" if "provider-aws" in exe else exe


def terraform_env(cli_config):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
               TF_INPUT="0")
    return env


def console(workdir, expression, cli_config):
    """What `terraform console` in `workdir` makes of `expression` (unmeasured)."""
    out = subprocess.run([str(TERRAFORM_BIN), "console"], cwd=workdir, env=terraform_env(cli_config),
                         input=expression + "\n", capture_output=True, text=True, check=True)
    return out.stdout.strip()


def terraform(workdir, args, logname, cli_config, check=True):
    """One Terraform command in `workdir`, measured; its exit code in "exit_code" and, with
    `check`, a RuntimeError with the end of its output unless it is 0."""
    env = terraform_env(cli_config)
    logfile = workdir / f"{logname}.log"
    load = os.getloadavg()[0]
    with open(logfile, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([str(TERRAFORM_BIN), *args], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(proc.pid)
        sampler.start()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    code = os.waitstatus_to_exitcode(status)
    if check and code:
        raise RuntimeError(f"terraform {' '.join(args)} in {workdir} exited {code}:\n"
                           + logfile.read_text(errors="replace")[-4000:])
    core = sampler.procs.get(proc.pid)
    return {"wall_s": wall, "exit_code": code, "cpu_s": rusage.ru_utime + rusage.ru_stime,
            "providers": sampler.providers(), "terraform_peak_rss_kib": core["hwm"] if core else None,
            "loadavg_1m_before": load, "output": logfile.read_text(errors="replace")}


def schema_probe(samples, out):
    """tests/it/schema_probe.rs: start to served GetSchema of both providers, before LocalStack runs."""
    env = dict(os.environ, TFASYNC_PROBE_OUT=str(out), TFASYNC_PROBE_SAMPLES=str(samples),
               TFASYNC_PROBE_OURS=str(OURS_BIN), TFASYNC_PROBE_AWS=str(aws_bin()))
    with open(out.with_suffix(".log"), "w+") as output:  # the providers' stderr, cargo's output
        try:
            run([*PROBE, "--", "--ignored", "--exact", "schema_probe::start_to_served_get_schema"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        except subprocess.CalledProcessError:
            output.seek(0)
            sys.stderr.write(output.read()[-4000:])
            raise
    return json.loads(out.read_text())
