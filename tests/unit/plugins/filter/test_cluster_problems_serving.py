"""The cluster_problems filter hands the serving checks the add-on roles' settings as the
first master sees them (its host variables, else the role defaults validate.yml passes) and
each GPU node's gpu_count."""
from __future__ import annotations

import copy

from ansible_collections.aiinfra.k8s.plugins.filter.cluster_problems import cluster_problems

SETTINGS = {
    "k8s_distribution": "kubeadm", "k8s_version": "1.34.3", "k8s_api_vip": "", "k8s_api_port": 6553,
    "k8s_apiserver_port": 6443, "k8s_pod_cidr": "10.244.0.0/16", "k8s_service_cidr": "10.96.0.0/12",
    "k8s_node_cidr_mask": 24, "k8s_max_pods": 110, "k8s_install_mode": "online", "k8s_bundle_transport": "copy",
    "k8s_gpu_operator_enabled": True, "k8s_monitoring_enabled": True, "k8s_dashboard_enabled": True,
    "k8s_ollama_enabled": True, "k8s_vllm_enabled": True,
}
GROUPS = {"masters": ["m1"], "workers": [], "gpu_nodes": ["g1"], "lb": []}
DEFAULTS = {"monitoring_grafana_node_port": 30300, "monitoring_dashboard_node_port": 30443, "ollama_node_port": 31434,
            "ollama_gpus": 1, "ollama_replicas": 1, "vllm_models": [], "vllm_node_port": 30800,
            "open_webui_node_port": 30080, "gpu_operator_time_slicing_replicas": 0,
            # not a setting the checks read: never looked at
            "ollama_image": "docker.io/ollama/ollama:{{ ollama_version }}"}
MODEL = {"name": "qwen", "model": "Qwen/Qwen2.5-0.5B-Instruct"}


def hostvars(m1=None, g1=None):
    hv = {"m1": {"ansible_host": "192.0.2.11"}, "g1": {"ansible_host": "192.0.2.21", "gpu_count": 8}}
    hv["m1"].update(m1 or {})
    hv["g1"].update(g1 or {})
    return hv


def wheres(problems):
    return [p["where"] for p in problems]


def test_role_settings_come_from_the_first_master_then_the_role_defaults():
    hv = hostvars(m1={"vllm_models": [MODEL]})
    assert cluster_problems(SETTINGS, GROUPS, hv, role_defaults=DEFAULTS) == []
    # the first model's NodePort is vllm_node_port (a role default here): moving it onto
    # Ollama's default NodePort is caught
    problems = cluster_problems(SETTINGS, GROUPS, hv, role_defaults=dict(DEFAULTS, vllm_node_port=31434))
    assert wheres(problems) == ["ollama_node_port, vllm_models[0] (qwen)"]
    # the inventory's value wins over the default
    hv["m1"]["vllm_node_port"] = 30900
    assert cluster_problems(SETTINGS, GROUPS, hv, role_defaults=dict(DEFAULTS, vllm_node_port=31434)) == []


def test_gpu_count_of_the_gpu_nodes_reaches_the_checks():
    big = dict(MODEL, tensor_parallel_size=4)
    hv = hostvars(m1={"vllm_models": [big]}, g1={"gpu_count": 2})
    problems = cluster_problems(SETTINGS, GROUPS, hv, role_defaults=DEFAULTS)
    assert wheres(problems) == ["vllm_models[0] (qwen)"]
    assert "at most 2 (gpu_count g1: 2)" in problems[0]["problem"]


def test_without_role_defaults_only_the_inventory_settings_are_checked():
    hv = hostvars(m1={"vllm_models": [{"name": "qwen"}]})
    problems = cluster_problems(SETTINGS, GROUPS, hv)
    assert wheres(problems) == ["vllm_models[0] (qwen)"]
    assert problems[0]["problem"] == "the model has no source of weights"


def test_an_empty_model_list_from_the_defaults_is_reported():
    problems = cluster_problems(SETTINGS, GROUPS, hostvars(), role_defaults=copy.deepcopy(DEFAULTS))
    assert wheres(problems) == ["vllm_models"]
