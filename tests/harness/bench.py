"""make bench: how long site.yml takes cold and as a no-op re-run, in the sandbox.

    make bench                         # HA topology (3 masters + VIP + 1 worker) from the test bundle
    make bench BUNDLE=dir EXTRA_VARS=f # ... from a bundle with Kubernetes: the cluster phase too
    make bench SCALE=10                # the host layer on 1 master + 10 workers (how time grows)
    make bench TASKS=1                 # ... and each task's wall time, node CPU and machine CPU

Brings the sandbox up (sandbox/up.yml, its own name so a running sandbox is not touched),
then runs site.yml per step, cold and again (no-op), and records for each: wall seconds,
the most tasks any host ran (ok + changed + skipped + failed, from the recap) and the
changed count. Prints a table and writes it as JSON under tests/output/bench/. Not part of
`make test`'s pass or fail: it is the instrument of docs/performance.md. The sandbox is
removed at the end (BENCH_KEEP=1 keeps it).
"""
from __future__ import annotations

import configparser
import datetime
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
HARNESS = os.path.dirname(os.path.abspath(__file__))
NAME, PREFIX = os.environ.get("BENCH_NAME", "aiinfra-bench"), os.environ.get("BENCH_PREFIX", "10.231.12")
SANDBOX_DIR = os.path.join(ROOT, "build", "bench-sandbox")
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


# CPU time, less sensitive to a busy host than wall time: the whole machine's busy time from
# /proc/stat, and the node containers' share from the Docker engine's parent cgroup (cgroup v1
# cpuacct, or v2's cpu.stat) where it is found.
_CLK = os.sysconf("SC_CLK_TCK")
_NODE_CGROUPS = [("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage", 1e-9),
                 ("/sys/fs/cgroup/cpu,cpuacct/docker/cpuacct.usage", 1e-9),
                 ("/sys/fs/cgroup/docker/cpu.stat", 1e-6), ("/sys/fs/cgroup/system.slice/cpu.stat", 1e-6)]


def machine_cpu():
    """The machine's busy CPU-s since boot: all of /proc/stat's first line but idle and iowait."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return (sum(fields[:8]) - fields[3] - fields[4]) / _CLK


def node_cpu():
    """The node containers' CPU-s (the Docker engine's parent cgroup), None where no cgroup was found."""
    for path, scale in _NODE_CGROUPS:
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError:
            continue
        value = text.split()[1] if text.startswith("usage_usec") else text.split()[0]
        return int(value) * scale
    return None


def cpu_snapshot():
    """(machine busy CPU-s, node containers' CPU-s or None, this process's reaped children's CPU-s).

    The children's share is the controller's: ansible-playbook, its workers and the docker
    CLI processes they run (the Docker engine and the nodes are not its children)."""
    times = os.times()
    return machine_cpu(), node_cpu(), times.children_user + times.children_system


def cpu_used(before, after):
    """{cpu_s, node_cpu_s, controller_cpu_s} between two snapshots (node_cpu_s None where no
    cgroup was found)."""
    node = None if before[1] is None or after[1] is None else round(after[1] - before[1], 1)
    return {"cpu_s": round(after[0] - before[0], 1), "node_cpu_s": node,
            "controller_cpu_s": round(after[2] - before[2], 1)}


def _callbacks_enabled():
    """ansible.cfg's callbacks_enabled, the list TASKS=1 adds the bench's own callback to."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(ROOT, "ansible.cfg"))
    return parser.get("defaults", "callbacks_enabled", fallback="")


def env(tasks_file=None):
    """The environment of our ansible-playbook runs; with TASKS=1 and a tasks_file, the per-task
    account of tests/harness/callback_plugins/bench_tasks.py goes to that file."""
    result = dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"], ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                  ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_CACHE_PLUGIN="memory",
                  ANSIBLE_NOCOLOR="1")
    if tasks_file and os.environ.get("TASKS") == "1":
        result.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(HARNESS, "callback_plugins"),
                      ANSIBLE_CALLBACKS_ENABLED=",".join(filter(None, [_callbacks_enabled(), "bench_tasks"])),
                      BENCH_TASKS_FILE=tasks_file)
    return result


def task_table(path, top=12):
    """Lines for the report: the costliest tasks of a run, and what the tasks that used no node CPU cost together."""
    with open(path) as handle:
        rows = json.load(handle)
    idle = [row for row in rows if row["node_cpu_s"] < 0.01]
    lines = ["  %s: %d tasks, %.1f s; %d of them used no node CPU (controller only or skipped): %.1f s, %.1f CPU-s" % (
        os.path.basename(path), len(rows), sum(row["seconds"] for row in rows), len(idle),
        sum(row["seconds"] for row in idle), sum(row["cpu_s"] for row in idle))]
    for row in sorted(rows, key=lambda row: -row["cpu_s"])[:top]:
        lines.append("    %6.2f s %6.2f CPU-s (nodes %5.2f)  %s" % (row["seconds"], row["cpu_s"], row["node_cpu_s"],
                                                                    row["task"][:90]))
    return lines


def sh(*cmd, log=None, tasks_file=None):
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env(tasks_file), capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if log:
        with open(log, "w") as handle:
            handle.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.exit("bench: %s failed (rc %d), see %s\n%s" % (" ".join(cmd[:3]), proc.returncode, log or "output",
                                                           (proc.stdout + proc.stderr)[-3000:]))
    return proc.stdout, elapsed


def prepare():
    """(bundle dir, extra vars file, with_cluster): the given bundle, or the sandbox-test bundle."""
    bundle, extra = os.environ.get("BUNDLE", ""), os.environ.get("EXTRA_VARS", "")
    if bundle:
        with open(os.path.join(bundle, "manifest.json")) as handle:
            with_cluster = '"bin/kubeadm"' in handle.read()
        return os.path.abspath(bundle), os.path.abspath(extra) if extra else "", with_cluster
    sh("tests/harness/sandbox_bundle.sh")
    return os.path.join(ROOT, "build", "sandbox-bundle"), os.path.join(ROOT, "build", "sandbox-bundle.vars.yml"), False


def run_site(tags, extra, out, label):
    cmd = [os.path.join(BIN, "ansible-playbook"), "site.yml", "-i", os.path.join(SANDBOX_DIR, "inventory"), "--tags", tags]
    if extra:
        cmd += ["-e", "@" + extra]
    before = cpu_snapshot()
    tasks_file = os.path.join(out, label + ".tasks.json")
    stdout, elapsed = sh(*cmd, log=os.path.join(out, label + ".log"), tasks_file=tasks_file)
    recap = [tuple(int(x) for x in m.groups()[1:]) for m in RECAP.finditer(stdout)]
    return {"seconds": round(elapsed, 1), **cpu_used(before, cpu_snapshot()),
            "tasks": max(ok + ch + fa + sk for ok, ch, _un, fa, sk in recap),
            # tasks that ran (not skipped) on the busiest host: what a run costs, whatever the machine's load
            "ran": max(ok + ch + fa for ok, ch, _un, fa, _sk in recap),
            "changed": sum(ch for _ok, ch, _un, _fa, _sk in recap)}


def cpu_text(run):
    """'12.3 (3.0/8.1)': the machine's CPU-s; in brackets the controller's, then the node containers'."""
    if "cpu_s" not in run:
        return "-"
    return "%s (%s/%s)" % (run["cpu_s"], run["controller_cpu_s"], "-" if run["node_cpu_s"] is None else run["node_cpu_s"])


def main():
    scale = int(os.environ.get("SCALE", "0") or 0)
    bundle, extra, with_cluster = prepare()
    out = os.path.join(ROOT, "tests", "output", "bench")
    os.makedirs(out, exist_ok=True)
    topology = ["-e", "sandbox_topology=scale", "-e", "sandbox_scale_workers=%d" % scale] if scale else \
        ["-e", "sandbox_topology=ha"]
    common = ["-e", "sandbox_name=" + NAME, "-e", "sandbox_prefix=" + PREFIX, "-e", "sandbox_dir=" + SANDBOX_DIR]
    sh("tests/harness/docker.sh")
    sh("tests/harness/node_image.sh", "debian12")
    steps = [("preflight+nodes+lb", "preflight,nodes,lb")]
    if with_cluster and not scale:
        steps.append(("cluster", "cluster"))
        steps.append(("preflight..cluster", "preflight,nodes,lb,cluster"))
    rows = []
    try:
        sh(os.path.join(BIN, "ansible-playbook"), "sandbox/up.yml", *common, *topology,
           "-e", "sandbox_bundle=" + bundle, log=os.path.join(out, "up.log"))
        for label, tags in steps:
            # "preflight..cluster" re-runs everything on the built cluster: its cold time is the
            # sum of the steps above; only its no-op time is measured.
            cold = None if label == "preflight..cluster" else run_site(tags, extra, out, label + ".cold")
            noop = run_site(tags, extra, out, label + ".noop")
            rows.append({"phase": label, "cold": cold, "noop": noop})
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            subprocess.run([os.path.join(BIN, "ansible-playbook"), "sandbox/down.yml", *common],
                           cwd=ROOT, env=env(), capture_output=True, check=False)
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "topology": ("1 master + %d workers" % scale) if scale else "ha: 3 masters + VIP + 1 worker",
              "bundle": bundle, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0], "rows": rows}
    name = "bench-%s.json" % ("scale%d" % scale if scale else "ha")
    with open(os.path.join(out, name), "w") as handle:
        json.dump(result, handle, indent=2)
    header = ("phase", "cold s", "no-op s", "cold CPU-s", "no-op CPU-s", "tasks", "ran", "changed")
    print("\n%-20s %8s %8s %17s %17s %7s %5s %8s" % header)
    for row in rows:
        cold = row["cold"] or {}
        print("%-20s %8s %8s %17s %17s %7s %5s %8s" % (
            row["phase"], cold.get("seconds", "-"), row["noop"]["seconds"], cpu_text(cold), cpu_text(row["noop"]),
            row["noop"]["tasks"], row["noop"]["ran"], "%s/%s" % (cold.get("changed", "-"), row["noop"]["changed"])))
    print("(tasks: on the busiest host, skipped included; ran: of those, the ones that ran; load average %.1f "
          "when the bench started)" % result["load_before"])
    print("(CPU-s: the machine's busy CPU time during the run; in brackets the controller's share (ansible and the "
          "docker CLI), then the node containers'; the rest is the Docker engine's)")
    print("(changed: cold/no-op; written to %s)" % os.path.join(out, name))
    if os.environ.get("TASKS") == "1":
        print("Per task (TASKS=1; every task's account in tests/output/bench/*.tasks.json):")
        for row in rows:
            for phase in ("cold", "noop"):
                if row[phase]:
                    print("\n".join(task_table(os.path.join(out, "%s.%s.tasks.json" % (row["phase"], phase)))))
    if any(row["noop"]["changed"] for row in rows):
        sys.exit("bench: a no-op re-run changed something")


if __name__ == "__main__":
    main()
