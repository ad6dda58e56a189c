"""make bench-kubespray KUBESPRAY=<checkout>: Kubespray's preinstall and our host layer on the same kind of nodes.

Issue 18's comparison, as an instrument: for each tool, fresh HA sandbox nodes (3 masters + 1
worker, sandbox/up.yml, online: Debian's archive through the Docker engine's NAT), a cold run,
a re-run, the nodes removed. Docker connection and pipelining for both.

- Kubespray: `cluster.yml --tags preinstall -b` with the ansible its requirements.txt pins
  (KUBESPRAY_PLAYBOOK, default <checkout>/venv/bin/ansible-playbook; make one with
  `python3 -m venv venv && venv/bin/pip install -r requirements.txt` in the checkout), from the
  checkout (its ansible.cfg). Variables go in as JSON: `-e enable_nodelocaldns=false` is the
  string "false", which Kubespray's `when: enable_nodelocaldns` takes as true, and it then loads
  the dummy kernel module (a kernel without loadable modules has none). resolvconf_mode none:
  the containers' /etc/resolv.conf is Docker's bind mount.
- Ours: `site.yml --tags preflight,nodes` with Debian's containerd (containerd_install_source
  distro, no crictl: the upstream releases are not reachable here) and the default time
  service (chrony).
- Ours, the same scope as Kubespray's preinstall: `--tags preflight,swap_sysctl` (checks, swap,
  kernel modules, sysctl, names) with no time service (Kubespray's ntp_enabled is off by default).
- Ours offline (`aiinfra-offline`), the way the collection is meant to run: `site.yml --tags
  preflight,nodes` from the sandbox bundle (tests/harness/sandbox_bundle.sh: containerd, runc and
  the CNI plugins from their release archives, one image imported, the signed manifest checked;
  its variables file, so no time service). Neither this run nor Kubespray's preinstall installs
  an OS package.

ROWS=kubespray,aiinfra,aiinfra-prep,aiinfra-offline (the default: all) picks the rows to measure.
TASKS=1 adds each task's wall time, node CPU and machine CPU for our rows (Kubespray runs its own
ansible.cfg, untouched), written next to each run's log as <log>.tasks.json, the costliest printed.
REPEAT=N measures every row N times, the rows taking turns (round 1: each row, round 2: each row,
...), so that a machine whose speed drifts during the series weighs on every row alike; the table
then gives each row's median, with the fastest and slowest run, and the JSON keeps every run.

Kubespray's preinstall installs no container runtime and no time service; the host layer does. Prints a table and writes it
to tests/output/bench/bench-kubespray.json. Not part of `make test`.
"""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the sandbox helpers of make bench)

NAME, PREFIX = "aiinfra-ksbench", "10.231.14"
SANDBOX_DIR = os.path.join(bench.ROOT, "build", "ksbench-sandbox")
COMMON = ["-e", "sandbox_name=" + NAME, "-e", "sandbox_prefix=" + PREFIX, "-e", "sandbox_dir=" + SANDBOX_DIR,
          "-e", "sandbox_topology=ha"]
KUBESPRAY_VARS = {"enable_nodelocaldns": False, "resolvconf_mode": "none"}
OUR_VARS = {"containerd_install_source": "distro", "containerd_crictl_install": False}
OUR_PREP_VARS = {"swap_sysctl_time_sync": "none"}
ROWS = ("kubespray", "aiinfra", "aiinfra-prep", "aiinfra-offline")


def kubespray_inventory(path):
    """Kubespray's groups over the sandbox's nodes (same containers, same addresses)."""
    hosts = {}
    for i, name in enumerate(["master1", "master2", "master3", "worker1"]):
        hosts[name] = {"ansible_host": "%s-%s" % (NAME, name), "ip": "%s.%d" % (PREFIX, 11 + i),
                       "access_ip": "%s.%d" % (PREFIX, 11 + i)}
    masters = {h: None for h in ["master1", "master2", "master3"]}
    inventory = {"all": {"vars": {"ansible_connection": "community.docker.docker"}, "hosts": hosts, "children": {
        "kube_control_plane": {"hosts": masters}, "etcd": {"hosts": masters},
        "kube_node": {"hosts": {"worker1": None}},
        "k8s_cluster": {"children": {"kube_control_plane": None, "kube_node": None}}}}}
    with open(path, "w") as handle:
        json.dump(inventory, handle, indent=2)


def timed(cmd, cwd, env, log):
    """(seconds, changed in all, most tasks that ran on a host) of one playbook run; exits when it fails.

    env None: ours (bench.env(), with the per-task account next to the log when TASKS=1)."""
    if env is None:
        env = bench.env(tasks_file=log[:-len(".log")] + ".tasks.json")
    before, start = bench.cpu_snapshot(), time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds, cpu = round(time.monotonic() - start, 1), bench.cpu_used(before, bench.cpu_snapshot())
    with open(log, "w") as handle:
        handle.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.exit("bench-kubespray: %s failed (rc %d), see %s" % (" ".join(cmd[:2]), proc.returncode, log))
    recap = [tuple(int(x) for x in m.groups()[1:]) for m in bench.RECAP.finditer(proc.stdout)]
    return {"seconds": seconds, **cpu, "changed": sum(r[1] for r in recap), "ran": max(r[0] + r[1] + r[3] for r in recap)}


def measure(label, run_cmd, cwd, env, out, up_args=()):
    playbook = os.path.join(bench.BIN, "ansible-playbook")
    bench.sh(playbook, "sandbox/up.yml", *COMMON, *up_args, log=os.path.join(out, "ks-%s-up.log" % label))
    try:
        cold = timed(run_cmd, cwd, env, os.path.join(out, "ks-%s.cold.log" % label))
        again = timed(run_cmd, cwd, env, os.path.join(out, "ks-%s.again.log" % label))
    finally:
        subprocess.run([playbook, "sandbox/down.yml", *COMMON], cwd=bench.ROOT, env=bench.env(),
                       capture_output=True, check=False)
    return {"tool": label, "cold": cold, "again": again}


def measure_row(label, kubespray, kubespray_playbook, inventory, ks_env, out):
    """One cold run and one re-run of a row on fresh nodes."""
    ours = os.path.join(bench.BIN, "ansible-playbook")
    sandbox_inventory = os.path.join(SANDBOX_DIR, "inventory")
    if label == "kubespray":
        return measure(label, [kubespray_playbook, "-i", inventory, "cluster.yml", "--tags", "preinstall", "-b",
                               "-e", json.dumps(KUBESPRAY_VARS)], kubespray, ks_env, out)
    if label == "aiinfra":
        return measure(label, [ours, "site.yml", "-i", sandbox_inventory, "--tags", "preflight,nodes",
                               "-e", json.dumps(OUR_VARS)], bench.ROOT, None, out)
    if label == "aiinfra-prep":
        return measure(label, [ours, "site.yml", "-i", sandbox_inventory, "--tags", "preflight,swap_sysctl",
                               "-e", json.dumps(OUR_PREP_VARS)], bench.ROOT, None, out)
    bundle, extra, _with_cluster = bench.prepare()
    return measure(label, [ours, "site.yml", "-i", sandbox_inventory, "--tags", "preflight,nodes",
                           "-e", "@" + extra], bench.ROOT, None, out,
                   up_args=("-e", "sandbox_bundle=" + bundle))


def median_run(runs, phase):
    """The run whose wall time is the median of the phase's (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run[phase]["seconds"])
    return ordered[(len(ordered) - 1) // 2][phase]


def summarize(label, runs):
    """A row of the table: the median cold and again runs, the range, every run."""
    row = {"tool": label, "cold": median_run(runs, "cold"), "again": median_run(runs, "again")}
    if len(runs) > 1:
        row["runs"] = runs
        for phase in ("cold", "again"):
            seconds = [run[phase]["seconds"] for run in runs]
            row[phase + "_range"] = [min(seconds), max(seconds)]
    return row


def main():
    wanted = [r for r in os.environ.get("ROWS", ",".join(ROWS)).split(",") if r]
    unknown = sorted(set(wanted) - set(ROWS))
    if unknown:
        sys.exit("bench-kubespray: ROWS names %s; known rows: %s" % (", ".join(unknown), ", ".join(ROWS)))
    repeat = os.environ.get("REPEAT", "1") or "1"
    if not repeat.isdigit() or int(repeat) < 1:
        sys.exit("bench-kubespray: REPEAT must be a whole number, 1 or more (got %r)" % repeat)
    repeat = int(repeat)
    kubespray = os.path.abspath(os.environ.get("KUBESPRAY", ""))
    if "kubespray" in wanted and not os.path.isfile(os.path.join(kubespray, "cluster.yml")):
        sys.exit("bench-kubespray: KUBESPRAY=<a Kubespray checkout> is required (cluster.yml not found in %r)" % kubespray)
    kubespray_playbook = os.environ.get("KUBESPRAY_PLAYBOOK", os.path.join(kubespray, "venv", "bin", "ansible-playbook"))
    if "kubespray" in wanted and not os.access(kubespray_playbook, os.X_OK):
        sys.exit("bench-kubespray: no %s: make Kubespray's virtualenv (python3 -m venv venv && venv/bin/pip install "
                 "-r requirements.txt in the checkout) or set KUBESPRAY_PLAYBOOK" % kubespray_playbook)
    out = os.path.join(bench.ROOT, "tests", "output", "bench")
    os.makedirs(out, exist_ok=True)
    bench.sh("tests/harness/docker.sh")
    bench.sh("tests/harness/node_image.sh", "debian12")
    inventory = os.path.join(out, "kubespray-inventory.json")
    kubespray_inventory(inventory)
    ks_env = dict(os.environ, ANSIBLE_PIPELINING="True", ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False",
                  PATH=os.path.dirname(kubespray_playbook) + os.pathsep + os.environ["PATH"])
    for key in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH"):
        ks_env.pop(key, None)
    runs = {label: [] for label in wanted}
    for _round in range(repeat):
        for label in wanted:
            runs[label].append(measure_row(label, kubespray, kubespray_playbook, inventory, ks_env, out))
    rows = [summarize(label, runs[label]) for label in wanted]
    commit = os.environ.get("KUBESPRAY_COMMIT") or "kubespray" in wanted and subprocess.run(
        ["git", "-C", kubespray, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "kubespray_commit": commit or "unknown", "cpus": os.cpu_count(), "rows": rows}
    with open(os.path.join(out, "bench-kubespray.json"), "w") as handle:
        json.dump(result, handle, indent=2)
    header = ("tool", "cold s", "again s", "cold CPU-s", "again CPU-s", "changed", "changed", "ran")
    print("\n%-16s %8s %8s %17s %17s %9s %9s %5s" % header)
    for row in rows:
        print("%-16s %8s %8s %17s %17s %9s %9s %5s" % (
            row["tool"], row["cold"]["seconds"], row["again"]["seconds"], bench.cpu_text(row["cold"]),
            bench.cpu_text(row["again"]), row["cold"]["changed"], row["again"]["changed"], row["again"]["ran"]))
    print("(changed: cold, then the re-run; ran: tasks that ran on the busiest host in the re-run; CPU-s: the "
          "machine's busy CPU time, in brackets the controller's share, then the node containers')")
    if repeat > 1:
        print("(median of %d runs per row, the rows taking turns; fastest-slowest: %s)" % (repeat, "; ".join(
            "%s cold %s-%s s, again %s-%s s" % ((row["tool"],) + tuple(row["cold_range"]) + tuple(row["again_range"]))
            for row in rows)))
    if os.environ.get("TASKS") == "1":
        print("Per task, the last round's runs (TASKS=1):")
        for label in wanted:
            for phase in ("cold", "again"):
                path = os.path.join(out, "ks-%s.%s.tasks.json" % (label, phase))
                if label != "kubespray" and os.path.exists(path):
                    print("\n".join(bench.task_table(path)))
    if "kubespray" in wanted:
        base = rows[wanted.index("kubespray")]
        for row in rows:
            if row is not base:
                print("%s against Kubespray: %.2fx cold, %.2fx again" % (
                    row["tool"], row["cold"]["seconds"] / base["cold"]["seconds"],
                    row["again"]["seconds"] / base["again"]["seconds"]))


if __name__ == "__main__":
    main()
