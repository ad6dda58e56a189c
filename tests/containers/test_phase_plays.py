"""Every phase playbook runs against an inventory that sets nothing but hosts and groups.

The 0.1.0 phase plays failed real inventories before doing anything: a play that only
include_role'd under `when: k8s_*_enabled` saw no role defaults ('k8s_distribution' is
undefined), and a static role under `when:` had its delegate_to templated before the
condition ('_k3s_plan' is undefined). Nothing in the test loop ran a phase playbook
against an inventory that does not restate the defaults.

Here one systemd node container (the harness node image) is the whole inventory: node1
in masters and gpu_nodes, the other groups empty, and per host only how to reach it and
its address. Each phase playbook of playbooks/site.yml runs in check mode (nothing is
installed). A phase may stop for what a bare container lacks (no cluster yet, no Grafana
password, no reachable release site), but always with one of the roles' own messages:
the test fails on any templating error (an undefined variable, a value that cannot be
resolved), and requires every play whose hosts exist to have run tasks on them.
Needs Docker and the node image (make harness); part of `make test`'s container lane.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
IMAGE = "aiinfra-k8s/node:debian12"
# What a templating problem looks like in ansible-core 2.19 results.
TEMPLATING = re.compile(r"is undefined|Error while resolving|Finalization of task args|could not be templated|"
                        r"Conditional result .* was derived from value", re.I)


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check).stdout.strip()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    if subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, check=False).returncode:
        pytest.fail("no %s image: run tests/harness/node_image.sh (make harness) first" % IMAGE)
    name = "aiinfra-phases-%s" % uuid.uuid4().hex[:8]
    docker("run", "-d", "--name", name, "--hostname", "node1", "--label", "owner=aiinfra-phase-plays",
           "--cgroupns", "private", "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN",
           "--security-opt", "seccomp=unconfined", "--tmpfs", "/run", "--tmpfs", "/run/lock",
           "--stop-signal", "SIGRTMIN+3", IMAGE, "/bin/sh", "-c",
           "mount -o remount,bind,rw /proc/sys; for d in /sys/fs/cgroup/*; do mount -o remount,bind,rw \"$d\" "
           "2>/dev/null || true; done; exec /lib/systemd/systemd")
    try:
        docker("exec", name, "systemctl", "is-system-running", "--wait", check=False)
        address = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name)
        node = {"ansible_connection": "community.docker.docker", "ansible_host": name, "k8s_node_address": address}
        hosts = {"all": {"children": {
            "k8s_cluster": {"children": {"masters": {"hosts": {"node1": node}}, "workers": {"hosts": {}},
                                         "gpu_nodes": {"hosts": {"node1": None}}}},
            "lb": {"hosts": {}}, "nfs_server": {"hosts": {}}}}}
        path = tmp_path_factory.mktemp("bare") / "hosts.yml"
        path.write_text(yaml.safe_dump(hosts))
        yield str(path)
    finally:
        docker("rm", "-f", "-v", name, check=False)


def phases():
    with open(os.path.join(ROOT, "playbooks", "site.yml")) as handle:
        return [p["ansible.builtin.import_playbook"] for p in yaml.safe_load(handle)]


def run_check(inventory, playbook):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "--check", "-i", inventory,
                           os.path.join("playbooks", playbook)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    # the json callback's document (ansible.cfg's timer/profile callbacks print around it)
    start, end = proc.stdout.find("{\n"), proc.stdout.rfind("\n}")
    assert start >= 0 and end > start, "%s: no JSON report (rc %d):\n%s\n%s" % (
        playbook, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    assert not TEMPLATING.search(proc.stderr), "%s: %s" % (playbook, proc.stderr[-3000:])
    return json.loads(proc.stdout[start:end + 2])


def results(report):
    """(play name, task name, host, result) of every task result in a json callback report."""
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                yield play["play"]["name"], task["task"]["name"], host, result


@pytest.mark.parametrize("playbook", phases())
def test_phase_playbook_with_a_bare_inventory(inventory, playbook):
    report = run_check(inventory, playbook)
    problems = ["%s / %s on %s: %s" % (play, task, host, result.get("msg"))
                for play, task, host, result in results(report)
                if TEMPLATING.search(str(result.get("msg", "")) + str(result.get("exception", "")))]
    assert not problems, "templating errors with a bare inventory:\n" + "\n".join(problems)
    with open(os.path.join(ROOT, "playbooks", playbook)) as handle:
        plays = yaml.safe_load(handle)
    reported = {p["play"]["name"]: p for p in report["plays"]}
    for play in plays:
        entry = reported.get(play["name"])
        assert entry is not None, "%s: play %r never started" % (playbook, play["name"])
        if play["hosts"] in ("lb", "nfs_server", "workers"):
            continue  # empty groups in this inventory
        ran_on = {host for task in entry["tasks"] for host in task["hosts"]}
        assert ran_on & {"node1", "localhost"}, "%s: play %r ran no task" % (playbook, play["name"])
        if any(r.get("failed") for t in entry["tasks"] for r in t["hosts"].values()):
            break  # node1 stopped here (a role's own message, checked above); later plays have no host
