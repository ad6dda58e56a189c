from __future__ import annotations

import copy

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_checks import check_cluster, format_problems

BASE_SETTINGS = {
    "k8s_distribution": "kubeadm",
    "k8s_version": "1.34.3",
    "k8s_api_vip": "192.0.2.1",
    "k8s_api_port": 6553,
    "k8s_apiserver_port": 6443,
    "k8s_pod_cidr": "10.244.0.0/16",
    "k8s_service_cidr": "10.96.0.0/12",
    "k8s_node_networks": [],
    "k8s_node_cidr_mask": 24,
    "k8s_max_pods": 110,
    "k8s_allow_even_masters": False,
    "k8s_install_mode": "online",
    "k8s_bundle_dir": "",
    "k8s_bundle_transport": "copy",
    "k8s_registry_mirrors": {},
    "k8s_http_proxy": "",
    "k8s_https_proxy": "",
    "k8s_gpu_operator_enabled": True,
    "k8s_ollama_enabled": False,
}
BASE_GROUPS = {
    "masters": ["master1", "master2", "master3"],
    "workers": [],
    "gpu_nodes": ["gpu1"],
    "lb": ["master1", "master2"],
}
BASE_HOSTS = {
    "master1": {"address": "192.0.2.125", "vrrp_pass_length": 8},
    "master2": {"address": "192.0.2.7", "vrrp_pass_length": 8},
    "master3": {"address": "192.0.2.159"},
    "gpu1": {"address": "192.0.2.225"},
}


def run(settings=None, groups=None, hosts=None, context=None):
    s = copy.deepcopy(BASE_SETTINGS)
    s.update(settings or {})
    g = copy.deepcopy(BASE_GROUPS)
    g.update(groups or {})
    h = copy.deepcopy(BASE_HOSTS)
    h.update(hosts or {})
    return check_cluster(s, g, h, context)


def errors(problems):
    return [p for p in problems if p["severity"] == "error"]


def only_error(problems):
    errs = errors(problems)
    assert len(errs) == 1, format_problems(problems)
    return errs[0]


def test_seed_ha_topology_is_valid():
    assert run() == []


@pytest.mark.parametrize("settings,groups,hosts,where,fragment", [
    ({"k8s_distribution": "rke2"}, None, None, "k8s_distribution", "unknown value 'rke2'"),
    ({"k8s_version": "v1.34.3"}, None, None, "k8s_version", "drop the leading 'v'"),
    ({"k8s_version": "1.34"}, None, None, "k8s_version", "malformed version '1.34'"),
    ({"k8s_version": "1.26.0"}, None, None, "k8s_version", "older than the oldest supported"),
    ({"k8s_pod_cidr": "10.96.0.0/16"}, None, None, "k8s_pod_cidr, k8s_service_cidr", "overlaps service CIDR"),
    ({"k8s_pod_cidr": "10.244.0.1/16"}, None, None, "k8s_pod_cidr", "host bits set"),
    ({"k8s_service_cidr": "172.0.0.0/11"}, None, None, "k8s_service_cidr", "larger than a /12"),
    ({"k8s_pod_cidr": "192.0.2.192/26", "k8s_node_cidr_mask": 28, "k8s_max_pods": 10}, None, None,
     "k8s_pod_cidr", "contains the address of gpu1 (192.0.2.225)"),
    ({"k8s_max_pods": 300}, None, None, "k8s_max_pods", "does not fit a /24 block per node"),
    ({"k8s_node_networks": ["10.96.0.0/16"], "k8s_api_vip": ""}, {"lb": []}, None,
     "k8s_service_cidr", "overlaps the node network 10.96.0.0/16"),
    ({"k8s_pod_cidr": "10.244.0.0/23"}, {"workers": ["w1", "w2"]}, {"w1": {"address": "192.0.2.30"}, "w2": {"address": "192.0.2.31"}},
     "k8s_pod_cidr", "holds 2 blocks of /24 but the inventory has 6 nodes"),
    ({"k8s_node_cidr_mask": 16}, None, None, "k8s_node_cidr_mask", "does not fit inside"),
    ({"k8s_api_vip": "192.0.2.7"}, None, None, "k8s_api_vip", "is the address of master2"),
    ({"k8s_api_vip": "10.244.0.10"}, None, None, "k8s_api_vip", "inside k8s_pod_cidr"),
    ({"k8s_api_vip": "192.0.2.300"}, None, None, "k8s_api_vip", "not a valid IP address"),
    ({"k8s_node_networks": ["192.0.2.0/24"], "k8s_api_vip": "198.51.100.1"}, None, None,
     "k8s_api_vip", "outside the subnet of lb hosts master1 (k8s_node_networks: 192.0.2.0/24); master2 (k8s_node_networks"),
    (None, {"lb": []}, None, "group lb", "the lb group is empty"),
    ({"k8s_api_port": 6443}, None, None, "k8s_api_port", "haproxy would listen on 6443"),
    ({"k8s_api_port": 70000}, None, None, "k8s_api_port", "not a TCP port"),
    (None, {"masters": ["master1", "master2"], "lb": ["master1"]}, None, "group masters", "2 masters (master1, master2)"),
    (None, {"masters": []}, None, "group masters", "the masters group is empty"),
    (None, {"workers": ["master3"]}, None, "host master3", "in both masters and workers"),
    (None, {"workers": ["gpu1"]}, None, "host gpu1", "in both workers and gpu_nodes"),
    (None, {"workers": ["w1"]}, {"w1": {"address": "192.0.2.125"}}, "hosts master1, w1", "share the node address 192.0.2.125"),
    (None, {"workers": ["w1"]}, {"w1": {"address": "w1.example"}}, "host w1", "not a valid IP address"),
    (None, {"gpu_nodes": []}, None, "k8s_gpu_operator_enabled", "gpu_nodes group is empty"),
    ({"k8s_gpu_operator_enabled": False, "k8s_ollama_enabled": True}, {"gpu_nodes": []}, None,
     "k8s_ollama_enabled", "gpu_nodes group is empty"),
    ({"k8s_install_mode": "airgap"}, None, None, "k8s_install_mode", "unknown value 'airgap'"),
    ({"k8s_install_mode": "offline"}, None, None, "k8s_bundle_dir", "k8s_bundle_dir is empty"),
    ({"k8s_bundle_transport": "rsync"}, None, None, "k8s_bundle_transport", "unknown value 'rsync'"),
    ({"k8s_registry_mirrors": {"docker.io": "https://m.example"}}, None, None, "k8s_registry_mirrors[docker.io]",
     "expected a non-empty list"),
    ({"k8s_registry_mirrors": {"docker.io": ["m.example"]}}, None, None, "k8s_registry_mirrors[docker.io]",
     "is not an http(s) URL"),
    ({"k8s_http_proxy": "proxy:3128"}, None, None, "k8s_http_proxy", "not an http(s) proxy URL"),
    ({"k8s_allow_even_masters": "maybe"}, None, None, "k8s_allow_even_masters", "expected true or false"),
])
def test_single_problem(settings, groups, hosts, where, fragment):
    problem = only_error(run(settings, groups, hosts))
    assert problem["where"] == where
    assert fragment in problem["problem"]
    assert problem["fix"]


def test_even_masters_allowed_is_a_warning():
    problems = run({"k8s_allow_even_masters": True}, {"masters": ["master1", "master2"], "lb": ["master1"]})
    assert errors(problems) == []
    assert [p["where"] for p in problems] == ["group masters"]


def test_lb_without_vip_is_a_warning():
    problems = run({"k8s_api_vip": ""})
    assert errors(problems) == []
    assert "the lb phase is skipped" in problems[0]["problem"]


def test_offline_bundle_missing_on_controller():
    problem = only_error(run({"k8s_install_mode": "offline", "k8s_bundle_dir": "/srv/bundle"},
                             context={"bundle_dir_exists": False}))
    assert "/srv/bundle does not exist on the controller" in problem["problem"]
    assert run({"k8s_install_mode": "offline", "k8s_bundle_dir": "/srv/bundle"},
               context={"bundle_dir_exists": True}) == []


def test_vip_subnet_from_gathered_facts_wins_over_node_networks():
    hosts = {"master1": {"address": "192.0.2.125", "networks": ["192.0.2.128/25", "172.17.0.0/16"], "vrrp_pass_length": 6}}
    problem = only_error(run({"k8s_node_networks": ["192.0.2.0/24"]}, hosts=hosts))
    assert "outside the subnet of lb host master1 (interfaces: 192.0.2.128/25, 172.17.0.0/16)" in problem["problem"]


def test_port_clash_ignored_for_dedicated_lb_hosts():
    groups = {"lb": ["lb1", "lb2"]}
    hosts = {"lb1": {"address": "192.0.2.11", "vrrp_pass_length": 8}, "lb2": {"address": "192.0.2.12", "vrrp_pass_length": 8}}
    assert run({"k8s_api_port": 6443}, groups, hosts) == []


def test_masters_may_also_be_gpu_nodes():
    assert run(groups={"gpu_nodes": ["master3"]}) == []


def test_string_ports_from_extra_vars():
    # -e k8s_api_port=6443 arrives as a string
    assert only_error(run({"k8s_api_port": "6443"}))["where"] == "k8s_api_port"


def test_many_problems_reported_together():
    problems = run({"k8s_version": "latest", "k8s_pod_cidr": "10.96.0.0/16", "k8s_api_vip": "192.0.2.7"},
                   {"gpu_nodes": []})
    assert len(errors(problems)) == 4
    report = format_problems(problems)
    assert report.startswith("Inventory validation failed: 4 problems.")
    assert report.count("   fix: ") == 4


def test_format_problems_orders_errors_first():
    report = format_problems([
        {"severity": "warning", "where": "w", "problem": "p1", "fix": "f1"},
        {"severity": "error", "where": "e", "problem": "p2", "fix": "f2"},
    ])
    assert report.splitlines() == [
        "Inventory validation failed: 1 problem.",
        "1. ERROR [e] p2",
        "   fix: f2",
        "2. WARNING [w] p1",
        "   fix: f1",
    ]


def test_unknown_variable_with_suggestion():
    known = sorted(BASE_SETTINGS)
    problems = run({"k8s_pod_cird": "10.244.0.0/16"}, context={"known": known})
    problem = only_error(problems)
    assert problem["where"] == "k8s_pod_cird"
    assert problem["fix"].startswith("did you mean k8s_pod_cidr?")
    assert run(context={"known": known}) == []


@pytest.mark.parametrize("lengths,fragment", [
    ((0, 8), "no VRRP password for lb host master1 (k8s_api_vip is set)"),
    ((0, 0), "no VRRP password for lb hosts master1, master2"),
    ((8, 12), "the VRRP password of master2 is longer than 8 characters"),
])
def test_vrrp_password(lengths, fragment):
    hosts = {"master1": {"address": "192.0.2.125", "vrrp_pass_length": lengths[0]},
             "master2": {"address": "192.0.2.7", "vrrp_pass_length": lengths[1]}}
    problem = only_error(run(hosts=hosts))
    assert problem["where"] == "keepalived_haproxy_auth_pass"
    assert fragment in problem["problem"]
    # the secret itself is never part of a problem
    assert "ansible-vault encrypt_string" in problem["fix"] or "at most 8" in problem["fix"]


def test_vrrp_password_not_needed_without_vip():
    hosts = {"master1": {"address": "192.0.2.125"}, "master2": {"address": "192.0.2.7"}}
    assert errors(run({"k8s_api_vip": ""}, hosts=hosts)) == []


@pytest.mark.parametrize("distribution,cni,ok", [
    ("kubeadm", "calico", True), ("kubeadm", "none", True), ("kubeadm", "flannel", False),
    ("k3s", "flannel", True), ("k3s", "calico", True), ("k3s", "none", True), ("kubeadm", "cilium", False),
])
def test_cni_choice_per_distribution(distribution, cni, ok):
    problems = run({"k8s_distribution": distribution, "k8s_cni": cni})
    if ok:
        assert errors(problems) == []
    else:
        problem = only_error(problems)
        assert problem["where"] == "k8s_cni" and problem["problem"] == "unknown value %r" % cni


def test_renamed_variable_says_what_replaces_it():
    known = sorted(BASE_SETTINGS) + ["k8s_cni"]
    problem = only_error(run({"k8s_calico_enabled": False}, context={"known": known}))
    assert problem["where"] == "k8s_calico_enabled"
    assert "replaced by k8s_cni" in problem["problem"] and problem["fix"].startswith("remove k8s_calico_enabled")

