"""aiinfra.k8s.prefork through ansible-playbook: the workers forked for the tasks start with
the plugins already loaded.

A sitecustomize (on PYTHONPATH, for these runs only) records in each forked worker the
modules it imports between its fork and its end (a worker of the play's last task may be
stopped before it writes its record; the tasks checked come before it). The same play (ansible-core's and the
collection's filters and tests, the render lookup, node_script, set_fact, assert) runs with
the project's ansible.cfg, which enables the callback, and with callbacks_enabled set
without it. Without it every worker imports filter and test plugins; with it no worker
imports a filter, test, lookup or action plugin or the collection's shared code, and the
play's results are the same. A connection plugin that does not exist in its option costs
a line at -vvv, not the run.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

SITECUSTOMIZE = '''
import json, os, sys
import multiprocessing.util

_OUT = os.environ["PREFORK_TEST_LOG"]


class _Token:
    """multiprocessing runs the after-fork hooks of live objects in each forked worker."""


def _in_worker(_token):
    before = set(sys.modules)

    def report():
        with open(_OUT, "a") as f:
            f.write(json.dumps(sorted(set(sys.modules) - before)) + "\\n")

    # finalizers run when the worker's run() returns
    multiprocessing.util.Finalize(None, report, exitpriority=100)


_TOKEN = _Token()
multiprocessing.util.register_after_fork(_TOKEN, _in_worker)
'''

TEMPLATE = "{{ greeting }} from {{ inventory_hostname }}\n"

PLAY = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "%(python)s"
    greeting: hello
  tasks:
    - name: Filters and tests of ansible-core and of the collection, the render lookup
      ansible.builtin.set_fact:
        as_json: "{{ {'a': 1} | to_json }}"
        matched: "{{ '10.0.0.1' is match('10[.]') }}"
        duplicates: "{{ {'h1': {'hostname': 'node'}, 'h2': {'hostname': 'node'}} | aiinfra.k8s.host_duplicates }}"
        rendered: "{{ lookup('aiinfra.k8s.render', '%(template)s') }}"
    - name: An action plugin of the collection
      aiinfra.k8s.node_script:
        script: echo "script on $1"
        args: ["{{ inventory_hostname }}"]
      register: script
      changed_when: false
    - name: What the tasks got
      ansible.builtin.assert:
        that:
          - "as_json == '{\\"a\\": 1}'"
          - matched | bool
          - duplicates | length > 0
          - rendered == 'hello from ' ~ inventory_hostname ~ '\\n'
          - script.stdout == 'script on ' ~ inventory_hostname
    # ansible-core stops the workers still alive when the playbook ends: a worker of the last
    # task may go before it writes its record, so the tasks checked above are not the last
    - name: The last task
      ansible.builtin.debug:
        msg: done
"""

PLUGIN_MODULE = re.compile(r"(^|\.)plugins\.(filter|test|lookup|action|plugin_utils|module_utils)\.")


def run_play(tmp_path, name, extra_env):
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    template = tmp_path / "greeting.j2"
    template.write_text(TEMPLATE)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY % {"python": sys.executable, "template": template})
    log = tmp_path / ("%s.jsonl" % name)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
               PYTHONPATH=str(site), PREFORK_TEST_LOG=str(log), **extra_env)
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "h1,h2,", str(playbook), "-vvv"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    workers = [json.loads(line) for line in log.read_text().splitlines()]
    # one record per task and host, the last task's possibly missing (see the play)
    assert len(workers) >= 6, "a record per task and host of the first three tasks expected, got %d" % len(workers)
    recap = [line.split(":", 1)[1].split() for line in proc.stdout.splitlines() if re.match(r"^h[12] +:", line)]
    return workers, recap, proc.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prefork")
    with_callback = run_play(tmp, "with", {})
    without = run_play(tmp, "without", {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.timer"})
    return with_callback, without


def plugin_imports(workers):
    return sorted({name for imported in workers for name in imported if PLUGIN_MODULE.search(name)})


def test_without_it_every_worker_loads_the_jinja_plugins(runs):
    workers = runs[1][0]
    first_task = [w for w in workers if any(".plugins.filter.core" in name for name in w)]
    assert first_task, "the probe must see the workers' own imports: %s" % workers
    assert any("aiinfra.k8s.plugins.filter.host_duplicates" in name for name in plugin_imports(workers))
    assert "aiinfra.k8s.prefork" not in runs[1][2]


def test_with_it_no_worker_loads_a_plugin(runs):
    workers, out = runs[0][0], runs[0][2]
    assert plugin_imports(workers) == []
    assert re.search(r"aiinfra\.k8s\.prefork: \d+ plugins or plugin groups loaded before the first task, 0 not", out)


def test_the_play_does_the_same_with_and_without_it(runs):
    assert runs[0][1] == runs[1][1]
    assert all("failed=0" in fields for fields in runs[0][1])


def test_a_plugin_that_does_not_load_is_left_to_the_workers(tmp_path):
    recap, out = run_play(tmp_path, "missing", {"AIINFRA_K8S_PREFORK_CONNECTIONS": "no.such.connection"})[1:]
    assert "aiinfra.k8s.prefork: no.such.connection not loaded before the first task: no such plugin" in out
    assert re.search(r"loaded before the first task, 1 not", out)
    assert all("failed=0" in fields for fields in recap)
