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


# ---- serving add-ons: vLLM models, their GPUs, every add-on's NodePort ------------------------

# The add-on roles' defaults, as playbooks/validate.yml passes them (role_defaults).
ROLE_DEFAULTS = {
    "monitoring_grafana_node_port": 30300, "monitoring_dashboard_node_port": 30443, "ollama_node_port": 31434,
    "ollama_gpus": 1, "ollama_replicas": 1, "vllm_models": [], "vllm_node_port": 30800, "open_webui_node_port": 30080,
    "gpu_operator_time_slicing_replicas": 0,
}
QWEN = {"name": "qwen", "model": "Qwen/Qwen2.5-0.5B-Instruct"}
LLAMA = {"name": "llama", "host_path": "/data/llama", "tensor_parallel_size": 4}


def serve(models, settings=None, roles=None, hosts=None, groups=None):
    """check_cluster with vLLM on, monitoring and the dashboard on, gpu1 holding 8 GPUs."""
    s = copy.deepcopy(BASE_SETTINGS)
    s.update({"k8s_vllm_enabled": True, "k8s_monitoring_enabled": True, "k8s_dashboard_enabled": True})
    s.update(settings or {})
    r = dict(ROLE_DEFAULTS, vllm_models=copy.deepcopy(models))
    r.update(roles or {})
    h = copy.deepcopy(BASE_HOSTS)
    h["gpu1"]["gpu_count"] = 8
    h.update(hosts or {})
    g = copy.deepcopy(BASE_GROUPS)
    g.update(groups or {})
    return check_cluster(s, g, h, None, r)


def test_serving_stack_on_the_seed_topology_is_valid():
    models = [QWEN, LLAMA, {"name": "mistral", "claim": "team-models", "path": "Mistral-7B", "tensor_parallel_size": 2,
                            "node_port": 31000}]
    assert serve(models, {"k8s_ollama_enabled": True, "k8s_open_webui_enabled": True}) == []


@pytest.mark.parametrize("models,settings,roles,where,fragment,fix", [
    # a model entry without a source of weights
    ([{"name": "qwen", "tensor_parallel_size": 1}], None, None,
     "vllm_models[0] (qwen)", "the model has no source of weights", "set one of model (a Hugging Face id"),
    ([dict(QWEN, host_path="/data/qwen")], None, None,
     "vllm_models[0] (qwen)", "model and host_path are all set", "keep one of model, host_path or claim"),
    ([dict(QWEN, name="Qwen2.5_0.5B")], None, None,
     "vllm_models[0] (Qwen2.5_0.5B)", "'Qwen2.5_0.5B' is not a DNS label", "e.g. name: qwen-0-5b"),
    ([QWEN, dict(LLAMA, name="qwen")], None, None, "vllm_models", "two entries are named qwen", "its own name"),
    ([], None, None, "vllm_models", "k8s_vllm_enabled is true but vllm_models is empty", "list the models to serve"),
    (["qwen"], None, None, "vllm_models[0]", "expected a mapping, found 'qwen'", "write each model as a mapping"),
    # tensor parallel size against the GPUs of a replica
    ([dict(LLAMA, gpus=2)], None, None, "vllm_models[0] (llama)",
     "gpus is 2 but tensor_parallel_size 4 x pipeline_parallel_size 1 is 4", "or set it to 4"),
    ([dict(LLAMA, gpus=8)], None, None, "vllm_models[0] (llama)", "hold GPUs it never uses", "remove gpus"),
    ([dict(LLAMA, tensor_parallel_size=0)], None, None, "vllm_models[0] (llama)",
     "must be whole numbers of 1 or more", "tensor_parallel_size"),
    ([dict(LLAMA, extra_args=["--tensor-parallel-size=2", "--enforce-eager"])], None, None, "vllm_models[0] (llama)",
     "extra_args sets --tensor-parallel-size", "use the entry's fields"),
    # GPUs of a replica against the GPU count of the GPU nodes
    ([dict(LLAMA, tensor_parallel_size=16)], None, None, "vllm_models[0] (llama)",
     "one replica needs 16 GPUs on one node, but the GPU nodes have at most 8 (gpu_count gpu1: 8)",
     "lower tensor_parallel_size (x pipeline_parallel_size) to at most 8"),
    ([dict(LLAMA, tensor_parallel_size=2, pipeline_parallel_size=8)], None, None, "vllm_models[0] (llama)",
     "one replica needs 16 GPUs", "or add a GPU node with 16 GPUs"),
    # NodePorts: against the other add-ons of this collection, each other and the range
    ([dict(QWEN, node_port=31434)], {"k8s_ollama_enabled": True}, None, "ollama_node_port, vllm_models[0] (qwen)",
     "Ollama and vLLM model qwen (node_port) both use NodePort 31434", "e.g. 31435 (free)"),
    ([QWEN, LLAMA], None, {"vllm_node_port": 30299}, "monitoring_grafana_node_port, vllm_models[1] (llama)",
     "Grafana and vLLM model llama (vllm_node_port + 1) both use NodePort 30300", "give each its own NodePort"),
    ([QWEN], {"k8s_open_webui_enabled": True}, {"open_webui_node_port": 30443},
     "monitoring_dashboard_node_port, open_webui_node_port", "kubernetes-dashboard and Open WebUI both use NodePort 30443",
     "in 30000-32767"),
    ([QWEN, dict(LLAMA, node_port=30800)], None, None, "vllm_models[0] (qwen), vllm_models[1] (llama)",
     "both use NodePort 30800", "e.g. 30801 (free)"),
    ([QWEN], None, {"vllm_node_port": 8000}, "vllm_models[0] (qwen)",
     "vLLM model qwen (vllm_node_port + 0)'s NodePort 8000 is outside the NodePort range 30000-32767",
     "choose a free port between 30000 and 32767"),
    ([QWEN], {"k8s_open_webui_enabled": True}, {"open_webui_node_port": "web"}, "open_webui_node_port",
     "Open WebUI's NodePort 'web' is outside the NodePort range", "between 30000 and 32767"),
])
def test_serving_single_problem(models, settings, roles, where, fragment, fix):
    problem = only_error(serve(models, settings, roles))
    assert problem["where"] == where
    assert fragment in problem["problem"], problem["problem"]
    assert fix in problem["fix"], problem["fix"]


def test_all_model_servers_together_must_fit_the_gpu_nodes():
    models = [dict(LLAMA, name="a"), dict(LLAMA, name="b", replicas=2)]
    problem = only_error(serve(models, {"k8s_ollama_enabled": True}))
    assert problem["where"] == "vllm_models"
    assert problem["problem"] == ("the model servers ask for 13 GPUs (replicas x GPUs: vllm_models[0] (a): 1 x 4; "
                                  "vllm_models[1] (b): 2 x 4; Ollama: 1 x 1) but the GPU nodes offer 8 (gpu1: 8)")
    assert "replicas: 0" in problem["fix"]
    # a parked model (replicas 0) holds no GPU; time-slicing multiplies what the nodes offer
    assert serve([dict(LLAMA, name="a"), dict(LLAMA, name="b", replicas=0)], {"k8s_ollama_enabled": True}) == []
    assert serve(models, {"k8s_ollama_enabled": True}, {"gpu_operator_time_slicing_replicas": 2}) == []


def test_gpus_spread_over_several_nodes():
    # two 4-GPU nodes: a 4-GPU replica fits one, an 8-GPU replica fits none even though 8 GPUs exist
    hosts = {"gpu1": {"address": "192.0.2.225", "gpu_count": 4}, "gpu2": {"address": "192.0.2.226", "gpu_count": 4}}
    groups = {"gpu_nodes": ["gpu1", "gpu2"]}
    assert serve([dict(LLAMA, replicas=2)], hosts=hosts, groups=groups) == []
    problem = only_error(serve([dict(LLAMA, tensor_parallel_size=8)], hosts=hosts, groups=groups))
    assert "at most 4 (gpu_count gpu1: 4, gpu2: 4)" in problem["problem"]


def test_without_gpu_count_the_gpu_check_is_a_warning():
    problems = serve([LLAMA], hosts={"gpu1": {"address": "192.0.2.225"}})
    assert errors(problems) == []
    assert [(p["severity"], p["where"]) for p in problems] == [("warning", "group gpu_nodes")]
    assert "set gpu_count" in problems[0]["fix"]


def test_total_unknown_while_a_gpu_node_lacks_gpu_count():
    # gpu2's GPUs are unknown: only the per-replica check runs
    hosts = {"gpu2": {"address": "192.0.2.226"}}
    assert serve([dict(LLAMA, replicas=3)], hosts=hosts, groups={"gpu_nodes": ["gpu1", "gpu2"]}) == []


def test_disabled_add_ons_are_not_checked():
    # vLLM off: its models are not looked at; dashboard off: its NodePort is free for Open WebUI
    assert serve([{"name": "Broken!"}], {"k8s_vllm_enabled": False}) == []
    assert serve([QWEN], {"k8s_dashboard_enabled": False, "k8s_open_webui_enabled": True},
                 {"open_webui_node_port": 30443}) == []


def test_values_from_extra_vars_arrive_as_strings():
    models = [dict(LLAMA, tensor_parallel_size="4", gpus="4", node_port="30900")]
    assert serve(models, roles={"vllm_node_port": "30800"}) == []


def test_vllm_needs_gpu_nodes():
    problems = serve([QWEN], {"k8s_gpu_operator_enabled": False}, groups={"gpu_nodes": []})
    assert only_error(problems)["where"] == "k8s_vllm_enabled"


def test_open_webui_without_a_model_server_is_a_warning():
    problems = serve([], {"k8s_vllm_enabled": False, "k8s_open_webui_enabled": True})
    assert errors(problems) == []
    assert [p["where"] for p in problems] == ["k8s_open_webui_enabled"]


def test_serving_checks_need_the_role_settings():
    # callers that pass no role settings (roles=None) get no serving problems
    settings = dict(BASE_SETTINGS, k8s_vllm_enabled=True)
    assert check_cluster(settings, copy.deepcopy(BASE_GROUPS), copy.deepcopy(BASE_HOSTS)) == []


def test_three_add_ons_on_one_nodeport():
    problem = only_error(serve([dict(QWEN, node_port=30300)], {"k8s_open_webui_enabled": True},
                               {"open_webui_node_port": 30300}))
    assert problem["where"] == "monitoring_grafana_node_port, open_webui_node_port, vllm_models[0] (qwen)"
    assert problem["problem"] == "Grafana and Open WebUI and vLLM model qwen (node_port) all use NodePort 30300"
