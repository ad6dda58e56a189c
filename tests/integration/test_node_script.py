"""aiinfra.k8s.node_script through ansible-playbook: the action plugin as the roles' probes use it.

Runs real plays against the controller itself (connection local, pipelining from the project's
ansible.cfg): the task's environment and the script's arguments arrive, a failing script fails the
task with its exit status and standard error, check mode skips a script unless the task says
check_mode: false, bad arguments stop before anything runs, the node needs no Python (the play's
interpreter does not exist), and the script's text never reaches -vvv output.
"""
from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

# The probe both plays run: arguments, environment, standard input, a terminal or not.
PROBE = """
    - name: Probe
      aiinfra.k8s.node_script:
        executable: /bin/bash
        script: |
          set -euo pipefail
          # SCRIPT-TEXT-MARKER (only in the script, never echoed)
          echo "user:$(id -un)"
          printf 'arg:%%s\\n' "$@"
          echo "env:$GREETING"
          echo "stdin:[$(cat)]"
          if [ -t 0 ] || [ -t 1 ]; then echo terminal; else echo no-terminal; fi
          echo to-stderr >&2
        args: ["one word", "it's"]
      environment:
        GREETING: "hello there"
      register: probe
      changed_when: false
      check_mode: false
"""
PROBE_LINES = ["arg:one word", "arg:it's", "env:hello there", "stdin:[]", "no-terminal"]

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: /nonexistent/python3
  tasks:
""" + PROBE + """
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
    assert probe["stdout_lines"] == ["user:" + getpass.getuser()] + PROBE_LINES
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
    assert result["probe"]["stdout_lines"][1:] == PROBE_LINES   # check_mode: false: it ran
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


SSH_PLAY = """
- hosts: target
  gather_facts: false
  become: true
  vars:
    ansible_python_interpreter: /nonexistent/python3
  tasks:
""" + PROBE + """
    - name: Report
      delegate_to: localhost
      become: false
      vars:
        ansible_python_interpreter: "%(python)s"
        ansible_connection: local
      ansible.builtin.copy:
        content: "{{ probe | to_json }}"
        dest: "%(report)s"
        mode: "0600"
"""


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def sshd(tmp_path):
    """A throwaway sshd on 127.0.0.1 (its own host key, config and authorized key), for root."""
    if os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd") or not shutil.which("ssh") \
            or not shutil.which("sudo"):
        pytest.skip("needs root, /usr/sbin/sshd, ssh and sudo (tests/harness/apt_deps.sh installs them)")
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    shutil.copy(keys / "client_key.pub", keys / "authorized_keys")
    port = free_port()
    config = keys / "sshd_config"
    config.write_text("\n".join([
        "Port %d" % port, "ListenAddress 127.0.0.1", "HostKey %s" % (keys / "host_key"),
        "PidFile %s" % (keys / "sshd.pid"), "AuthorizedKeysFile %s" % (keys / "authorized_keys"),
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "StrictModes no", "UsePAM no", ""]))
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    import socket
    import time
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("sshd did not start: %s" % proc.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
    yield port, keys / "client_key"
    proc.terminate()
    proc.wait(timeout=10)


def test_over_ssh_with_become_no_terminal_and_no_python(tmp_path, sshd):
    """Over SSH (the connection real clusters use), with become: the script reaches the node's
    shell on standard input, not through a terminal (raw's -tt would merge standard error into
    standard output and end lines in \\r), and never appears in -vvv output."""
    port, key = sshd
    report = tmp_path / "report.json"
    inventory = tmp_path / "hosts.ini"
    # its own known_hosts (the user's is left alone), and ssh's notes kept off standard error
    inventory.write_text("target ansible_host=127.0.0.1 ansible_port=%d ansible_user=root "
                         "ansible_ssh_private_key_file=%s ansible_connection=ssh "
                         "ansible_ssh_extra_args='-o UserKnownHostsFile=%s -o LogLevel=ERROR'\n"
                         % (port, key, tmp_path / "known_hosts"))
    path = tmp_path / "play.yml"
    path.write_text(SSH_PLAY % {"report": report, "python": sys.executable})
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(inventory), str(path), "-vvv"],
                          cwd=ROOT, env=dict(env(), ANSIBLE_HOST_KEY_CHECKING="False"),
                          capture_output=True, text=True, check=False, timeout=180)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    probe = json.loads(report.read_text())
    assert probe["rc"] == 0
    assert probe["stdout_lines"] == ["user:root"] + PROBE_LINES
    assert probe["stderr_lines"] == ["to-stderr"]
    assert "\r" not in probe["stdout"]
    assert "SCRIPT-TEXT-MARKER" not in proc.stdout + proc.stderr
    assert "SSH: EXEC ssh" in proc.stdout
