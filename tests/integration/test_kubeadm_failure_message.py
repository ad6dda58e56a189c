"""kubeadm_init's failure message (tasks/failure.yml) as an operator reads it.

Runs the real task file against the controller (connection local) with a failed kubeadm
result in the shape `command` registers: kubeadm's output must come back one line per
line (a '\\n' written inside a YAML block reaches Jinja as a backslash and an n, which once
turned the whole output into one line), the last 40 lines only, with the bootstrap token
and the certificate key masked.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

TOKEN = "abcdef.0123456789abcdef"
KEY = "0f" * 32

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The role's failure path
      block:
        - name: Failure
          ansible.builtin.include_role:
            name: aiinfra.k8s.kubeadm_init
            tasks_from: failure
          vars:
            _kubeadm_init_failure_action: kubeadm join
            _kubeadm_init_failure_result: "{{ result }}"
      rescue:
        - name: Keep the message
          ansible.builtin.copy:
            content: "{{ ansible_failed_result.msg }}"
            dest: "%(out)s"
            mode: "0600"
"""


def test_kubeadm_output_is_shown_line_by_line_with_secrets_masked(tmp_path):
    stdout = "\n".join("[preflight] step %d" % i for i in range(1, 46))
    stderr = ("error execution phase preflight: couldn't validate the identity of the API Server\n\n"
              "  kubeadm join 10.0.0.1:6443 --token %s --certificate-key %s\n" % (TOKEN, KEY))
    result = {"rc": 1, "stdout": stdout, "stderr": stderr, "changed": True, "failed": False}
    play = tmp_path / "play.yml"
    out = tmp_path / "msg.txt"
    play.write_text(PLAY % {"out": out})
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CACHE_PLUGIN="memory")
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(play),
                           "-e", json.dumps({"result": result, "kubeadm_init_reset_on_failure": False,
                                             "ansible_python_interpreter": sys.executable})],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    msg = out.read_text()
    lines = msg.splitlines()
    assert lines[0] == "kubeadm join failed on localhost (exit code 1)."
    assert lines[1] == "---- kubeadm output (last 40 lines, secrets masked) ----"
    # 45 stdout lines + 2 stderr lines (a blank one left out, indentation kept): the last 40,
    # each on its own line
    assert lines[2:42] == ["[preflight] step %d" % i for i in range(8, 46)] + [
        "error execution phase preflight: couldn't validate the identity of the API Server",
        "  kubeadm join 10.0.0.1:6443 --token <redacted> --certificate-key <redacted>"]
    assert lines[42] == "---- journalctl -u kubelet -n 50 ----"
    assert "\\n" not in msg
    assert TOKEN not in proc.stdout + msg and KEY not in proc.stdout + msg
    assert "playbooks/reset.yml --limit localhost -e reset_confirm=yes" in msg
