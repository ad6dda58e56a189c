"""The bench's arithmetic and wiring (tests/harness/bench.py, bench_kubespray.py).

- REPEAT=N: each row's median run and range, from the runs of a real REPEAT=3 series;
- TASKS=1: the per-task report read from a real per-task account (the offline host layer's
  cold run on the sandbox, written by tests/harness/callback_plugins/bench_tasks.py), and the
  environment that enables that callback only when asked, next to ansible.cfg's own callbacks;
- the callback itself, through ansible-playbook: one row per task, in order, with its action.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
import bench  # noqa: E402
import bench_kubespray  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "bench",
                       "offline-host-layer.cold.tasks.json")


def run(cold, again):
    return {"tool": "aiinfra-offline", "cold": {"seconds": cold, "changed": 40}, "again": {"seconds": again, "changed": 0}}


# the aiinfra-offline row of the eleventh round's REPEAT=3 series, in the order it ran
SERIES = [run(33.0, 13.9), run(33.5, 14.1), run(34.5, 11.1)]


def test_a_row_is_its_median_run_with_the_range():
    row = bench_kubespray.summarize("aiinfra-offline", SERIES)
    assert row["cold"]["seconds"] == 33.5 and row["again"]["seconds"] == 13.9
    assert row["cold_range"] == [33.0, 34.5] and row["again_range"] == [11.1, 14.1]
    assert row["runs"] == SERIES


def test_an_even_count_takes_the_lower_middle_run_and_one_run_has_no_range():
    assert bench_kubespray.median_run(SERIES[:2] + [run(40.0, 9.0), run(31.0, 20.0)], "cold")["seconds"] == 33.0
    single = bench_kubespray.summarize("kubespray", SERIES[:1])
    assert single["cold"]["seconds"] == 33.0 and "runs" not in single and "cold_range" not in single


def test_the_task_report_sums_the_tasks_that_used_no_node_cpu():
    # the numbers are the fixture's, added up by hand once (not by the code under test)
    lines = bench.task_table(FIXTURE, top=3)
    assert lines[0] == ("  offline-host-layer.cold.tasks.json: 90 tasks, 31.3 s; 75 of them used no node CPU "
                        "(controller only or skipped): 10.2 s, 16.5 CPU-s")
    # then the costliest tasks by the machine's CPU, most first
    assert len(lines) == 4
    assert lines[1].startswith("      3.04 s   6.00 CPU-s (nodes  5.04)  aiinfra.k8s.containerd : Release | Unpack containerd")
    assert lines[2].startswith("      2.87 s   5.32 CPU-s (nodes  1.65)  aiinfra.k8s.common : Artifacts | send them")
    assert lines[3].startswith("      2.60 s   5.03 CPU-s (nodes  4.09)  aiinfra.k8s.containerd : Service | Enable and start")


def test_the_bench_callback_is_enabled_only_with_tasks(monkeypatch, tmp_path):
    monkeypatch.delenv("TASKS", raising=False)
    assert "BENCH_TASKS_FILE" not in bench.env(str(tmp_path / "x.json"))
    monkeypatch.setenv("TASKS", "1")
    assert "BENCH_TASKS_FILE" not in bench.env()
    env = bench.env(str(tmp_path / "x.json"))
    enabled = [name.strip() for name in env["ANSIBLE_CALLBACKS_ENABLED"].split(",")]
    # ansible.cfg's callbacks stay (prefork changes what a run costs), the bench's is added
    assert enabled[-1] == "bench_tasks" and "aiinfra.k8s.prefork" in enabled
    assert env["BENCH_TASKS_FILE"] == str(tmp_path / "x.json")
    assert os.path.isfile(os.path.join(env["ANSIBLE_CALLBACK_PLUGINS"], "bench_tasks.py"))


PLAY = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "%s"
  tasks:
    - name: A controller-only task
      ansible.builtin.set_fact:
        answer: 42
    - name: A skipped task
      ansible.builtin.command: "false"
      when: answer | int != 42
    - name: A module run
      ansible.builtin.command: "true"
      changed_when: false
"""


@pytest.mark.skipif(not os.path.exists(os.path.join(bench.BIN, "ansible-playbook")), reason="needs make deps")
def test_the_callback_writes_one_row_per_task(monkeypatch, tmp_path):
    monkeypatch.setenv("TASKS", "1")
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY % sys.executable)
    out = tmp_path / "tasks.json"
    proc = subprocess.run([os.path.join(bench.BIN, "ansible-playbook"), "-i", "h1,h2,", str(playbook)], cwd=ROOT,
                          env=bench.env(str(out)), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    rows = json.loads(out.read_text())
    assert [(row["task"], row["action"]) for row in rows] == [
        ("A controller-only task", "ansible.builtin.set_fact"), ("A skipped task", "ansible.builtin.command"),
        ("A module run", "ansible.builtin.command")]
    for row in rows:
        assert row["seconds"] > 0 and row["cpu_s"] >= 0 and row["node_cpu_s"] >= 0
