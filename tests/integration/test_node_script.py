"""aiinfra.k8s.node_script through ansible-playbook: the action plugin as the roles' probes use it.

Runs real plays against the controller itself (connection local, pipelining from the project's
ansible.cfg): the task's environment and the script's arguments arrive, a failing script fails the
task with its exit status and standard error, check mode skips a script unless the task says
check_mode: false, bad arguments stop before anything runs, the node needs no Python (the play's
interpreter does not exist), and the script's text never reaches -vvv output.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: /nonexistent/python3
  tasks:
    - name: Probe
      aiinfra.k8s.node_script:
        executable: /bin/bash
        script: |
          set -euo pipefail
          # SCRIPT-TEXT-MARKER (only in the script, never echoed)
          printf 'arg:%%s\\n' "$@"
          echo "env:$GREETING"
          echo "stdin:[$(cat)]"
          echo to-stderr >&2
        args: ["one word", "it's"]
      environment:
        GREETING: "hello there"
      register: probe
      changed_when: false
      check_mode: false
    - name: A change
      aiinfra.k8s.node_script:
        script: touch "$1"
        args: ["%(marker)s"]
      changed_when: true
      register: change
    - name: A failing script
      aiinfra.k8s.node_script:
        executable: /bin/bash
        script: |
          set -euo pipefail
          echo before
          echo why >&2
          false | cat
          echo notreached
      register: failing
      ignore_errors: true
    - name: Report
      delegate_to: localhost
      vars:
        ansible_python_interpreter: "%(python)s"
      ansible.builtin.copy:
        content: "{{ {'probe': probe, 'change': change, 'failing': failing} | to_json }}"
        dest: "%(report)s"
        mode: "0600"
      check_mode: false
"""


def env():
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_CACHE_PLUGIN="memory")


def play(tmp_path, text, *extra):
    path = tmp_path / "play.yml"
    path.write_text(text)
    return subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(path), *extra],
                          cwd=ROOT, env=env(), capture_output=True, text=True, check=False)


def test_probe_change_and_failure(tmp_path):
    marker, report = tmp_path / "changed", tmp_path / "report.json"
    proc = play(tmp_path, PLAY % {"marker": marker, "report": report, "python": sys.executable}, "-vvv")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(report.read_text())
    probe = result["probe"]
    assert probe["rc"] == 0 and probe["changed"] is False
    assert probe["stdout_lines"] == ["arg:one word", "arg:it's", "env:hello there", "stdin:[]"]
    assert probe["stderr"] == "to-stderr"
    assert marker.exists() and result["change"]["changed"] is True
    failing = result["failing"]
    assert failing["failed"] is True and failing["rc"] == 1 and failing["msg"] == "non-zero return code"
    assert failing["stdout_lines"] == ["before"] and failing["stderr_lines"] == ["why"]
    # the script travels on standard input: its text is in no command line, even at -vvv
    assert "SCRIPT-TEXT-MARKER" not in proc.stdout + proc.stderr
    assert "<localhost> EXEC" in proc.stdout


def test_check_mode_skips_a_script_unless_the_task_reads_only(tmp_path):
    marker, report = tmp_path / "changed", tmp_path / "report.json"
    proc = play(tmp_path, PLAY % {"marker": marker, "report": report, "python": sys.executable}, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(report.read_text())
    assert result["probe"]["stdout_lines"][0] == "arg:one word"   # check_mode: false: it ran
    assert result["change"].get("skipped") is True and not marker.exists()
    assert result["failing"].get("skipped") is True


def test_bad_arguments_stop_before_anything_runs(tmp_path):
    marker = tmp_path / "never"
    text = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Relative executable
      aiinfra.k8s.node_script:
        executable: bash
        script: touch "$1"
        args: ["%s"]
""" % marker
    proc = play(tmp_path, text)
    assert proc.returncode == 2
    assert "node_script: executable must be the absolute path of a POSIX shell (/bin/sh, /bin/bash), got 'bash'" \
        in proc.stdout
    assert not marker.exists()
