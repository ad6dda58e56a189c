from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.haproxy_backends import FilterModule, haproxy_backends

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# Seed 001's masters (its /etc/hosts table), one with a separate cluster address.
HOSTVARS = {
    "master1": {"ansible_host": "55.192.0.125"},
    "master2": {"ansible_host": "192.0.2.7", "k8s_node_address": "55.192.0.7"},
    "master3": {"ansible_host": "55.192.0.159", "k8s_node_address": ""},
    "m4.example.com": {},
    "bad name": {"ansible_host": "55.192.0.200"},
    "cidr": {"ansible_host": "55.192.0.201/24"},
    "twin": {"ansible_host": "55.192.0.125"},
}


def test_registered_under_its_documented_name():
    assert FilterModule().filters() == {"haproxy_backends": haproxy_backends}


def test_seed_masters_in_inventory_order():
    assert haproxy_backends(["master3", "master1", "master2"], HOSTVARS, 6443) == [
        # empty k8s_node_address falls back to ansible_host
        {"name": "master3", "address": "55.192.0.159", "port": 6443},
        {"name": "master1", "address": "55.192.0.125", "port": 6443},
        # k8s_node_address wins over ansible_host
        {"name": "master2", "address": "55.192.0.7", "port": 6443},
    ]


def test_name_is_the_address_without_host_variables():
    assert haproxy_backends(["m4.example.com"], HOSTVARS) == [
        {"name": "m4.example.com", "address": "m4.example.com", "port": 6443}]


@pytest.mark.parametrize("port", [16443, "16443", " 16443 "])
def test_port_from_variable(port):
    assert haproxy_backends(["master1"], HOSTVARS, port)[0]["port"] == 16443


@pytest.mark.parametrize("hosts,hostvars,port,message", [
    ("master1", HOSTVARS, 6443, "expected a list of inventory host names"),
    (None, HOSTVARS, 6443, "expected a list of inventory host names"),
    (["master1"], ["not", "hostvars"], 6443, "expected hostvars"),
    ([], HOSTVARS, 6443, "the masters group is empty"),
    (["ghost"], HOSTVARS, 6443, "host ghost is not in the inventory"),
    ([""], HOSTVARS, 6443, "non-empty strings"),
    (["bad name"], HOSTVARS, 6443, "cannot be an haproxy server name"),
    (["cidr"], HOSTVARS, 6443, "not a plain IP address or host name"),
    (["master1", "twin"], HOSTVARS, 6443, "master1 and twin both resolve to 55.192.0.125:6443"),
    (["master1"], HOSTVARS, 0, "1 to 65535"),
    (["master1"], HOSTVARS, 70000, "1 to 65535"),
    (["master1"], HOSTVARS, "https", "1 to 65535"),
    (["master1"], HOSTVARS, True, "1 to 65535"),
])
def test_bad_input_is_explained(hosts, hostvars, port, message):
    with pytest.raises(AnsibleFilterError, match="haproxy_backends: .*%s" % message):
        haproxy_backends(hosts, hostvars, port)


def test_through_ansible_with_real_hostvars(tmp_path):
    """The filter receives Ansible's lazy HostVars object in a play, not a dict."""
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(textwrap.dedent("""\
        all:
          children:
            masters:
              hosts:
                master1: {ansible_host: 55.192.0.125}
                master2: {ansible_host: 192.0.2.7, k8s_node_address: "{{ '55.192.0.' ~ 7 }}"}
        """))
    playbook = tmp_path / "play.yml"
    playbook.write_text(textwrap.dedent("""\
        - hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - ansible.builtin.copy:
                content: "{{ groups['masters'] | aiinfra.k8s.haproxy_backends(hostvars, 6443) | to_json }}"
                dest: "{{ playbook_dir }}/out.json"
                mode: "0644"
        """))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    bindir = os.path.dirname(sys.executable)
    run = subprocess.run([os.path.join(bindir, "ansible-playbook"), "-i", str(inventory), str(playbook)],
                         env=env, capture_output=True, text=True, cwd=str(tmp_path), check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads((tmp_path / "out.json").read_text()) == [
        {"name": "master1", "address": "55.192.0.125", "port": 6443},
        {"name": "master2", "address": "55.192.0.7", "port": 6443},
    ]
