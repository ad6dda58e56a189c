from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.cluster_problems import FilterModule, cluster_problems
from ansible_collections.aiinfra.k8s.plugins.filter.problems_report import problems_report

FACTS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "facts", "debian12-network.json")

SETTINGS = {
    "k8s_distribution": "kubeadm", "k8s_version": "1.34.3", "k8s_api_vip": "192.0.2.1",
    "k8s_api_port": 6553, "k8s_apiserver_port": 6443, "k8s_pod_cidr": "10.244.0.0/16",
    "k8s_service_cidr": "10.96.0.0/12", "k8s_node_cidr_mask": 24, "k8s_max_pods": 110,
    "k8s_install_mode": "online", "k8s_bundle_transport": "copy", "k8s_gpu_operator_enabled": False,
}
GROUPS = {"all": ["m1", "m2", "m3", "other"], "masters": ["m1", "m2", "m3"], "workers": [], "gpu_nodes": [],
          "lb": ["m1", "m2"], "ungrouped": ["other"]}


def hostvars(**extra):
    hv = {
        "m1": {"ansible_host": "192.0.2.11", "keepalived_haproxy_auth_pass": "s3cr3t!"},
        "m2": {"ansible_host": "192.0.2.12", "k8s_node_address": "192.0.2.22", "keepalived_haproxy_auth_pass": "s3cr3t!"},
        "m3": {},  # no ansible_host: the inventory name is the address
        "other": {"ansible_host": "192.0.2.1"},  # not in any cluster group: ignored
    }
    for host, values in extra.items():
        hv[host].update(values)
    return hv


def test_registered_name():
    assert FilterModule().filters()["cluster_problems"] is cluster_problems


def test_address_resolution_order():
    problems = cluster_problems(SETTINGS, GROUPS, hostvars())
    # m3 has neither k8s_node_address nor ansible_host: its name is not an IP address
    assert [p["where"] for p in problems] == ["host m3"]
    assert "'m3' is not a valid IP address" in problems[0]["problem"]
    assert "set k8s_node_address of m3" in problems[0]["fix"]


def test_k8s_node_address_wins_over_ansible_host():
    settings = dict(SETTINGS, k8s_api_vip="192.0.2.22")
    problems = cluster_problems(settings, GROUPS, hostvars(m3={"ansible_host": "192.0.2.13"}))
    assert [p["problem"] for p in problems] == ["the VIP 192.0.2.22 is the address of m2"]


def test_vip_checked_against_real_interface_facts():
    with open(FACTS) as handle:
        facts = json.load(handle)  # eth0 192.0.2.2/24, docker0 172.17.0.0/16
    hv = hostvars(m3={"ansible_host": "192.0.2.13"}, m1={"ansible_facts": facts, "ansible_host": "192.0.2.2"})
    assert cluster_problems(SETTINGS, GROUPS, hv) == []
    problems = cluster_problems(dict(SETTINGS, k8s_api_vip="198.51.100.1"), GROUPS, hv)
    assert [p["problem"] for p in problems] == [
        "the VIP 198.51.100.1 is outside the subnet of lb host m1 (interfaces: 192.0.2.0/24, 172.17.0.0/16)"]


def test_bundle_dir_flag_is_passed_through():
    settings = dict(SETTINGS, k8s_install_mode="offline", k8s_bundle_dir="/srv/b")
    hv = hostvars(m3={"ansible_host": "192.0.2.13"})
    assert cluster_problems(settings, GROUPS, hv) == []
    problems = cluster_problems(settings, GROUPS, hv, bundle_dir_exists=False)
    assert problems[0]["where"] == "k8s_bundle_dir"


@pytest.mark.parametrize("args", [(["not", "a", "dict"], GROUPS, {}), (SETTINGS, None, {}), (SETTINGS, GROUPS, "x")])
def test_bad_arguments(args):
    with pytest.raises(AnsibleFilterError):
        cluster_problems(*args)


def test_problems_report():
    text = problems_report([{"severity": "error", "where": "k8s_x", "problem": "bad", "fix": "good"}])
    assert text == "Inventory validation failed: 1 problem.\n1. ERROR [k8s_x] bad\n   fix: good"
    with pytest.raises(AnsibleFilterError):
        problems_report("nope")


def test_vrrp_password_checked_by_length_only():
    hv = hostvars(m3={"ansible_host": "192.0.2.13"}, m2={"keepalived_haproxy_auth_pass": "far-too-long-secret"})
    problems = cluster_problems(SETTINGS, GROUPS, hv)
    assert [p["where"] for p in problems] == ["keepalived_haproxy_auth_pass"]
    assert "far-too-long-secret" not in repr(problems)
    hv["m1"].pop("keepalived_haproxy_auth_pass")
    hv["m2"]["keepalived_haproxy_auth_pass"] = "ok"
    problems = cluster_problems(SETTINGS, GROUPS, hv)
    assert "no VRRP password for lb host m1" in problems[0]["problem"]
