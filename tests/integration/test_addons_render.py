"""Render the add-ons (calico, nfs_csi, gpu_operator, monitoring, ollama, vllm, open_webui) for the example
inventories and a few variable sets, through the roles' own render task files
(tests/integration/addons/render.yml runs them with ansible-playbook on the controller),
then check:

- every Kubernetes object validates against the schemas of the target minor version
  (kubernetes-validate, strict: unknown fields fail);
- Calico's Installation/APIServer use only fields (and enum values) of the operator CRDs of
  the pinned Calico version, chart values only keys of the pinned chart's values.yaml /
  templates (tests/integration/upstream_keys/, see SOURCES.md);
- the values logic: driver/toolkit toggles from the GPU nodes, time-slicing maths,
  monitoring on/off -> DCGM ServiceMonitor, k3s toolkit settings, storage classes, seeds'
  settings (Calico pool, nfs-csi StorageClass, NodePorts 31434, GPU requests); vLLM's
  Deployment per model (GPUs = tensor x pipeline parallel size, /dev/shm, weight sources,
  NodePorts) and Open WebUI's connections to Ollama and every vLLM Service;
- the default renders equal the golden files in tests/integration/golden/addons/
  (<file>.golden; UPDATE_GOLDEN=1 rewrites them after an intended change).

No cluster, chart or image is needed: nothing here contacts a host.
"""
from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import kubernetes_validate
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "integration")
KEYS = os.path.join(HERE, "upstream_keys")
GOLDEN = os.path.join(HERE, "golden", "addons")
BIN = os.path.dirname(sys.executable)


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


VERSIONS = load_yaml(os.path.join(ROOT, "roles", "common", "defaults", "main", "versions.yml"))
K8S_MINOR = ".".join(VERSIONS["k8s_version"].split(".")[:2])

# What the gpu phase records on a GPU node the nodes phase prepared (driver + NVIDIA runtime as
# containerd's default), e.g. the H100 host of the unit fixtures.
PREPARED = {"gpu_count": 8, "smi_present": True, "smi_count": 8, "gpu_names": ["NVIDIA H100 80GB HBM3"],
            "toolkit_present": True, "runtime_default": True}
COMMON = {"nfs_csi_server": "192.0.2.50", "monitoring_grafana_admin_password": "not-a-real-password",
          "open_webui_admin_password": "not-a-real-password"}
# AI serving: Ollama, three vLLM models (a Hugging Face id, a hostPath with 4-way tensor
# parallelism, an existing claim with 2 x 2 GPUs on its own NodePort) and Open WebUI.
VLLM_MODELS = [
    {"name": "qwen-0-5b", "model": "Qwen/Qwen2.5-0.5B-Instruct", "max_model_len": 4096},
    {"name": "llama-70b", "host_path": "/data/models/Llama-3.3-70B-Instruct", "tensor_parallel_size": 4,
     "dtype": "bfloat16", "extra_args": ["--gpu-memory-utilization", "0.85"]},
    {"name": "mistral", "claim": "team-models", "path": "Mistral-7B-Instruct", "tensor_parallel_size": 2,
     "pipeline_parallel_size": 2, "node_port": 31000},
]

SCENARIOS = {
    # The example inventories as they are.
    "single": ("single", {}),
    "ha": ("ha", {}),
    "k3s": ("k3s", {}),
    # Prepared GPU hosts, time-slicing, NFS storage for everything, monitoring off.
    "prepared_timeslicing": ("ha", {
        "gpu_operator_node_facts": PREPARED, "gpu_operator_time_slicing_replicas": 4,
        "k8s_nfs_csi_enabled": True, "k8s_monitoring_enabled": False,
        "monitoring_grafana_persistence": True, "monitoring_prometheus_persistence": True,
        "ollama_models": ["qwen2.5:0.5b", "llama3.2"], "calico_registry": "m.daocloud.io",
        "calico_encapsulation": "IPIP", "k8s_node_cidr_mask": 26}),
    # The light alternative: the standalone device plugin with time-slicing and no GFD.
    "device_plugin": ("single", {
        "gpu_operator_mode": "device_plugin", "gpu_operator_node_facts": PREPARED,
        "gpu_operator_time_slicing_replicas": 2, "gpu_operator_mig_strategy": "none",
        "ollama_models": ["qwen2.5:0.5b"]}),
    "ai_serving": ("ha", {
        "k8s_nfs_csi_enabled": True, "k8s_ollama_enabled": True, "k8s_vllm_enabled": True,
        "k8s_open_webui_enabled": True, "vllm_models": VLLM_MODELS, "vllm_api_key": "not-a-real-api-key",
        "vllm_hf_token": "not-a-real-hf-token"}),
}


def render(name, tmp_root):
    inventory, extra = SCENARIOS[name]
    out = os.path.join(tmp_root, name)
    os.makedirs(out, exist_ok=True)
    variables = dict(COMMON, render_dir=out, ansible_connection="local", ansible_python_interpreter=sys.executable)
    variables.update(extra)
    extra_file = os.path.join(tmp_root, name + ".json")
    with open(extra_file, "w") as handle:
        json.dump(variables, handle)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_FACT_CACHING="memory", ANSIBLE_LOCALHOST_WARNING="0")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(ROOT, "inventories", inventory),
         os.path.join(HERE, "addons", "render.yml"), "-e", "@" + extra_file],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    for secret in ("not-a-real-password", "not-a-real-api-key", "not-a-real-hf-token"):
        assert secret not in proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("addons"))
    # One ansible-playbook per scenario, side by side (each spends most of its time starting
    # template modules).
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        outs = dict(zip(SCENARIOS, pool.map(lambda name: render(name, root), SCENARIOS)))
    return outs


def docs(path):
    with open(path) as handle:
        return [d for d in yaml.safe_load_all(handle) if d]


def objects(out, role, name):
    return docs(os.path.join(out, role, name))


def values(out, role, name="values.yaml"):
    return load_yaml(os.path.join(out, role, name)) or {}


def find(items, kind, name=None):
    found = [d for d in items if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert found, "no %s %s" % (kind, name or "")
    return found[0]


# ---- schemas -------------------------------------------------------------------------------

MANIFESTS = {
    "calico": ["custom-resources.yaml"],
    "nfs_csi": ["storageclass.yaml", "smoke-pvc.yaml"],
    "gpu_operator": ["namespace.yaml", "time-slicing-configmap.yaml", "gpu-test-pod.yaml"],
    "monitoring": ["namespaces.yaml", "gpu-dashboard-configmap.yaml", "dashboard-admin.yaml", "grafana-admin-secret.yaml"],
    "ollama": ["ollama.yaml", "pull-job.yaml"],
    "vllm": ["vllm-storage.yaml", "vllm.yaml", "copy-jobs.yaml", "credentials-secret.yaml"],
    "open_webui": ["open-webui.yaml", "open-webui-secret.yaml"],
}
CUSTOM = {("operator.tigera.io/v1", "Installation"): "calico-installation",
          ("operator.tigera.io/v1", "APIServer"): "calico-apiserver"}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_object_validates_against_the_kubernetes_schemas(rendered, scenario):
    out = rendered[scenario]
    checked = 0
    for role, names in MANIFESTS.items():
        for name in names:
            path = os.path.join(out, role, name)
            if role == "calico" and not os.path.exists(path):
                assert SCENARIOS[scenario][0] == "k3s"  # Calico renders for kubeadm only
                continue
            for doc in docs(path):
                if (doc["apiVersion"], doc["kind"]) in CUSTOM:
                    continue  # checked against the operator CRDs below
                kubernetes_validate.validate(doc, K8S_MINOR, strict=True)
                checked += 1
    assert checked >= 14


def test_the_schema_check_catches_a_wrong_field(rendered):
    sc = objects(rendered["ha"], "nfs_csi", "storageclass.yaml")[0]
    sc["mountOption"] = sc.pop("mountOptions")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(sc, K8S_MINOR, strict=True)


def crd_fields(name):
    path = os.path.join(KEYS, "%s-%s.txt" % (name, VERSIONS["calico_version"]))
    assert os.path.exists(path), "no field list for Calico %s: regenerate %s" % (VERSIONS["calico_version"], path)
    fields = {}
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            enum = [p[5:].split("|") for p in parts[2:] if p.startswith("enum=")]
            fields[parts[0]] = (parts[1], enum[0] if enum else None)
    return fields


PY_TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}


def crd_problems(node, path, fields):
    problems = []
    if path in fields:
        kind, enum = fields[path]
        if kind in PY_TYPES and not isinstance(node, PY_TYPES[kind]):
            problems.append("%s: %r is not %s" % (path, node, kind))
        if enum and str(node) not in enum:
            problems.append("%s: %r not one of %s" % (path, node, enum))
    elif path != "spec":
        return ["%s: no such field" % path]
    if isinstance(node, dict):
        for key, value in node.items():
            problems += crd_problems(value, "%s.%s" % (path, key), fields)
    elif isinstance(node, list):
        for item in node:
            problems += crd_problems(item, path + "[]", fields)
    return problems


@pytest.mark.parametrize("scenario", [s for s in sorted(SCENARIOS) if SCENARIOS[s][0] != "k3s"])
def test_calico_resources_use_only_operator_crd_fields(rendered, scenario):
    items = objects(rendered[scenario], "calico", "custom-resources.yaml")
    for doc in items:
        name = CUSTOM[(doc["apiVersion"], doc["kind"])]
        assert crd_problems(doc["spec"], "spec", crd_fields(name)) == []


def test_crd_check_catches_typos_and_bad_enums():
    fields = crd_fields("calico-installation")
    spec = {"calicoNetwork": {"ipPools": [{"cidr": "10.0.0.0/16", "encapsulation": "VXLANCrossSubnet"}]}}
    assert crd_problems(spec, "spec", fields) == []
    spec["calicoNetwork"]["ipPools"][0]["encapsulation"] = "VXLANCrossSubNet"
    spec["calicoNetwork"]["ipPool"] = []
    problems = crd_problems(spec, "spec", fields)
    assert any("not one of" in p for p in problems)
    assert any("spec.calicoNetwork.ipPool: no such field" in p for p in problems)


# ---- chart keys ------------------------------------------------------------------------------

CHART_FILES = {
    ("nfs_csi", "values.yaml"): "csi-driver-nfs-%s" % VERSIONS["csi_driver_nfs_version"],
    ("monitoring", "values-kube-prometheus-stack.yaml"): "kube-prometheus-stack-%s" % VERSIONS["kube_prometheus_stack_version"],
    ("monitoring", "values-kubernetes-dashboard.yaml"): "kubernetes-dashboard-%s" % VERSIONS["kubernetes_dashboard_version"],
}
# Keys whose upstream value is a free-form map (anything below them is data, not a chart key).
FREE_FORM = ("config.map.", "prometheus.prometheusSpec.storageSpec.")


def chart_keys(name):
    path = os.path.join(KEYS, name + ".txt")
    assert os.path.exists(path), "no key list for %s: regenerate it (tests/integration/upstream_keys/SOURCES.md)" % name
    with open(path) as handle:
        return {line.strip() for line in handle if line.strip() and not line.startswith("#")}


def leaf_paths(node, prefix=""):
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaf_paths(value, "%s.%s" % (prefix, key) if prefix else key)
    else:
        yield prefix


def unknown_keys(data, keys):
    return sorted(p for p in leaf_paths(data) if p not in keys and not p.startswith(FREE_FORM))


def gpu_chart(scenario):
    mode = SCENARIOS[scenario][1].get("gpu_operator_mode", "operator")
    if mode == "operator":
        return "gpu-operator-%s" % VERSIONS["gpu_operator_version"]
    return "nvidia-device-plugin-%s" % VERSIONS["nvidia_device_plugin_version"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_chart_values_use_only_upstream_keys(rendered, scenario):
    out = rendered[scenario]
    for (role, name), chart in CHART_FILES.items():
        assert unknown_keys(values(out, role, name), chart_keys(chart)) == [], chart
    assert unknown_keys(values(out, "gpu_operator"), chart_keys(gpu_chart(scenario))) == []


def test_key_check_catches_a_typo(rendered):
    data = values(rendered["ha"], "gpu_operator")
    data["dcgmExporter"]["serviceMonitors"] = {"enabled": True}
    assert unknown_keys(data, chart_keys(gpu_chart("ha"))) == ["dcgmExporter.serviceMonitors.enabled"]


# ---- values logic ----------------------------------------------------------------------------

def plan(out):
    return load_yaml(os.path.join(out, "gpu_operator", "plan.json"))


def test_bare_gpu_nodes_let_the_operator_install_driver_and_toolkit(rendered):
    data = values(rendered["ha"], "gpu_operator")
    assert data["driver"]["enabled"] is True and data["toolkit"]["enabled"] is True
    env = {e["name"]: e["value"] for e in data["toolkit"]["env"]}
    assert env["CONTAINERD_SOCKET"] == "/run/containerd/containerd.sock"
    assert env["RUNTIME_DROP_IN_CONFIG"] == "/etc/containerd/conf.d/99-nvidia.toml"
    assert plan(rendered["ha"])["expected"] == {"gpu1": 8}  # gpu_count of the inventory


def test_k3s_toolkit_uses_k3s_containerd(rendered):
    env = {e["name"]: e["value"] for e in values(rendered["k3s"], "gpu_operator")["toolkit"]["env"]}
    assert env == {"CONTAINERD_CONFIG": "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
                   "CONTAINERD_SOCKET": "/run/k3s/containerd/containerd.sock",
                   "CONTAINERD_RUNTIME_CLASS": "nvidia", "CONTAINERD_SET_AS_DEFAULT": "true"}


def test_prepared_hosts_keep_driver_and_toolkit_and_time_slicing_multiplies(rendered):
    out = rendered["prepared_timeslicing"]
    data = values(out, "gpu_operator")
    assert data["driver"] == {"enabled": False}
    assert data["toolkit"] == {"enabled": False}
    assert data["devicePlugin"]["config"] == {"name": "time-slicing-config", "default": "any"}
    cm = objects(out, "gpu_operator", "time-slicing-configmap.yaml")[0]
    assert cm["metadata"]["name"] == "time-slicing-config"
    sharing = yaml.safe_load(cm["data"]["any"])["sharing"]["timeSlicing"]
    assert sharing["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]
    result = plan(out)
    # GFD labels nvidia.com/gpu.replicas=4: gpu_capacity multiplies, the expectation stays physical.
    assert result["expected"] == {"gpu1": 8} and result["advertised_total"] == 32


def test_device_plugin_without_gfd_carries_the_replicas_in_the_expectation(rendered):
    out = rendered["device_plugin"]
    data = values(out, "gpu_operator")
    assert data["gfd"] == {"enabled": False}
    assert data["migStrategy"] == "none"
    assert data["config"]["default"] == "default"
    config = yaml.safe_load(data["config"]["map"]["default"])
    assert config["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 2}]
    assert plan(out)["expected"] == {"gpu1": 16}


@pytest.mark.parametrize("scenario,monitoring", [("ha", True), ("prepared_timeslicing", False)])
def test_dcgm_service_monitor_follows_monitoring(rendered, scenario, monitoring):
    assert values(rendered[scenario], "gpu_operator")["dcgmExporter"]["serviceMonitor"]["enabled"] is monitoring


def test_calico_pool_follows_the_cluster_network(rendered):
    inventory_vars = load_yaml(os.path.join(ROOT, "inventories", "ha", "group_vars", "all.yml"))
    spec = find(objects(rendered["ha"], "calico", "custom-resources.yaml"), "Installation")["spec"]
    pool = spec["calicoNetwork"]["ipPools"][0]
    assert pool["cidr"] == inventory_vars["k8s_pod_cidr"]
    assert pool["blockSize"] == inventory_vars["k8s_node_cidr_mask"]
    assert (pool["encapsulation"], pool["natOutgoing"]) == ("VXLANCrossSubnet", "Enabled")
    assert spec["calicoNetwork"]["nodeAddressAutodetectionV4"] == {"kubernetes": "NodeInternalIP"}
    assert "registry" not in spec
    changed = find(objects(rendered["prepared_timeslicing"], "calico", "custom-resources.yaml"), "Installation")["spec"]
    assert changed["registry"] == "m.daocloud.io"
    assert changed["calicoNetwork"]["ipPools"][0]["blockSize"] == 26
    assert changed["calicoNetwork"]["ipPools"][0]["encapsulation"] == "IPIP"


def test_nfs_storage_class_is_seed_002s(rendered):
    sc = objects(rendered["ha"], "nfs_csi", "storageclass.yaml")[0]
    assert sc["provisioner"] == "nfs.csi.k8s.io"
    assert sc["parameters"] == {"server": "192.0.2.50", "share": "/srv/nfs/k8s"}
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert (sc["reclaimPolicy"], sc["volumeBindingMode"], sc["allowVolumeExpansion"]) == ("Retain", "Immediate", True)
    assert sc["mountOptions"] == ["async", "rsize=32768", "wsize=32768", "nconnect=8", "nfsvers=4.1", "hard"]
    assert values(rendered["ha"], "nfs_csi")["storageClass"] == {"create": False}  # the role owns it


def test_grafana_secret_and_selection(rendered):
    out = rendered["ha"]
    data = values(out, "monitoring", "values-kube-prometheus-stack.yaml")
    secret = objects(out, "monitoring", "grafana-admin-secret.yaml")[0]
    admin = data["grafana"]["admin"]
    assert admin["existingSecret"] == secret["metadata"]["name"]
    assert set(secret["stringData"]) == {admin["userKey"], admin["passwordKey"]}
    assert secret["stringData"][admin["passwordKey"]] == COMMON["monitoring_grafana_admin_password"]
    assert data["grafana"]["service"] == {"type": "NodePort", "nodePort": 30300}
    assert data["prometheus"]["prometheusSpec"]["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert "persistence" not in data["grafana"] and "storageSpec" not in data["prometheus"]["prometheusSpec"]


def test_persistence_uses_nfs_csi(rendered):
    data = values(rendered["prepared_timeslicing"], "monitoring", "values-kube-prometheus-stack.yaml")
    assert data["grafana"]["persistence"] == {"enabled": True, "size": "10Gi", "storageClassName": "nfs-csi"}
    claim = data["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "nfs-csi" and claim["resources"]["requests"]["storage"] == "50Gi"
    pvc = find(objects(rendered["prepared_timeslicing"], "ollama", "ollama.yaml"), "PersistentVolumeClaim")
    assert pvc["spec"]["storageClassName"] == "nfs-csi"
    default_pvc = find(objects(rendered["ha"], "ollama", "ollama.yaml"), "PersistentVolumeClaim")
    assert "storageClassName" not in default_pvc["spec"]  # nfs-csi off: the cluster's default class


def test_gpu_dashboard_is_valid_grafana_json_on_dcgm_default_metrics(rendered):
    cm = objects(rendered["ha"], "monitoring", "gpu-dashboard-configmap.yaml")[0]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    with open(os.path.join(ROOT, "roles", "monitoring", "files", "gpu-dcgm-dashboard.json")) as handle:
        source = handle.read()
    assert cm["data"]["gpu-dcgm.json"] == source.rstrip("\n")  # not templated on the way (file lookup strips the newline)
    dashboard = json.loads(source)
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    metrics = set(re.findall(r"DCGM_FI_[A-Z_]+", " ".join(exprs)))
    with open(os.path.join(KEYS, "dcgm-exporter-default-counters.txt")) as handle:
        defaults = {line.strip() for line in handle if line.startswith("DCGM_")}
    assert metrics and metrics <= defaults, metrics - defaults
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])


def test_dashboard_nodeport_and_admin(rendered):
    out = rendered["ha"]
    assert values(out, "monitoring", "values-kubernetes-dashboard.yaml")["kong"]["proxy"]["tls"]["nodePort"] == 30443
    items = objects(out, "monitoring", "dashboard-admin.yaml")
    binding = find(items, "ClusterRoleBinding", "admin-user")
    assert binding["roleRef"]["name"] == "cluster-admin"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "admin-user", "namespace": "kubernetes-dashboard"}]


def test_ollama_requests_gpus_and_serves_on_31434(rendered):
    items = objects(rendered["ha"], "ollama", "ollama.yaml")
    pod = find(items, "Deployment", "ollama")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert container["readinessProbe"]["httpGet"]["path"] == "/"
    assert container["image"] == "docker.io/ollama/ollama:%s" % VERSIONS["ollama_version"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    service = find(items, "Service", "ollama")
    assert service["spec"]["ports"][0]["nodePort"] == 31434


def test_ollama_pull_job_follows_the_model_list(rendered):
    job = objects(rendered["prepared_timeslicing"], "ollama", "pull-job.yaml")[0]
    script = job["spec"]["template"]["spec"]["containers"][0]["args"][0]
    assert "ollama pull qwen2.5:0.5b" in script and "ollama pull llama3.2:latest" in script
    other = objects(rendered["device_plugin"], "ollama", "pull-job.yaml")[0]
    assert job["metadata"]["name"] != other["metadata"]["name"]  # a new list is a new Job


def test_gpu_test_pod_log_check_on_real_nvidia_smi_output(rendered):
    # nvidia-smi-h100.txt: captured on an H100 host (driver 580.159.04); the role's check must
    # accept it and refuse a log without a GPU.
    with open(os.path.join(rendered["ha"], "gpu_operator", "test-pod-check.json")) as handle:
        assert json.load(handle) == {"h100": True, "no_device": False}


def test_gpu_test_pod_asks_for_one_gpu(rendered):
    pod = objects(rendered["ha"], "gpu_operator", "gpu-test-pod.yaml")[0]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["containers"][0]["command"] == ["nvidia-smi"]
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": 1}


# ---- AI serving: vLLM and Open WebUI ------------------------------------------------------------

def vllm_objects(scenario):
    return objects(scenario, "vllm", "vllm.yaml")


def env_of(container):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_vllm_serves_each_model_from_its_own_deployment_and_nodeport(rendered):
    items = vllm_objects(rendered["ai_serving"])
    deployments = {d["metadata"]["name"]: d for d in items if d["kind"] == "Deployment"}
    services = {d["metadata"]["name"]: d for d in items if d["kind"] == "Service"}
    assert sorted(deployments) == sorted(services) == ["vllm-llama-70b", "vllm-mistral", "vllm-qwen-0-5b"]
    # NodePorts: vllm_node_port, then the next port, unless the entry sets its own
    ports = {name: svc["spec"]["ports"][0]["nodePort"] for name, svc in services.items()}
    assert ports == {"vllm-qwen-0-5b": 30800, "vllm-llama-70b": 30801, "vllm-mistral": 31000}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        args = container["args"]
        gpus = int(args[args.index("--tensor-parallel-size") + 1])
        if "--pipeline-parallel-size" in args:
            gpus *= int(args[args.index("--pipeline-parallel-size") + 1])
        # GPUs requested (and limited) = tensor x pipeline parallel size
        assert container["resources"]["requests"]["nvidia.com/gpu"] == gpus
        assert container["resources"]["limits"]["nvidia.com/gpu"] == gpus
        assert args[args.index("--served-model-name") + 1] == name[len("vllm-"):]
        assert container["command"] == ["vllm", "serve"] and args[args.index("--port") + 1] == "8000"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
        # /dev/shm in memory, 2Gi per GPU (vllm_shm_size_per_gpu)
        shm = [v for v in pod["volumes"] if v["name"] == "shm"][0]["emptyDir"]
        assert shm == {"medium": "Memory", "sizeLimit": "%dGi" % (2 * gpus)}
        assert {"name": "shm", "mountPath": "/dev/shm"} in container["volumeMounts"]
        assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}
        assert env_of(container)["VLLM_API_KEY"] == {"secretKeyRef": {"name": "vllm-credentials", "key": "api-key"}}
    assert [deployments[n]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
            for n in ("vllm-qwen-0-5b", "vllm-llama-70b", "vllm-mistral")] == [1, 4, 4]


def test_vllm_weight_sources(rendered):
    out = rendered["ai_serving"]
    deployments = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in vllm_objects(out) if d["kind"] == "Deployment"}

    def weights(name):
        pod = deployments[name]
        container = pod["containers"][0]
        mount = [m for m in container["volumeMounts"] if m["name"] == "weights"][0]
        volume = [v for v in pod["volumes"] if v["name"] == "weights"][0]
        return container["args"][0], mount, volume, env_of(container)

    # a Hugging Face id: downloaded by vLLM into the role's claim (nfs-csi), cache on the claim
    arg, mount, volume, env = weights("vllm-qwen-0-5b")
    assert arg == "Qwen/Qwen2.5-0.5B-Instruct" and mount == {"name": "weights", "mountPath": "/models"}
    assert volume["persistentVolumeClaim"] == {"claimName": "vllm-qwen-0-5b-weights"}
    assert env["HF_HOME"] == "/models/huggingface" and "HF_HUB_OFFLINE" not in env
    assert env["HF_TOKEN"] == {"secretKeyRef": {"name": "vllm-credentials", "key": "hf-token"}}
    claims = [d for d in objects(out, "vllm", "vllm-storage.yaml") if d["kind"] == "PersistentVolumeClaim"]
    assert [(c["metadata"]["name"], c["spec"]["storageClassName"]) for c in claims] == [("vllm-qwen-0-5b-weights", "nfs-csi")]
    # a hostPath on the GPU nodes, read-only, never asking the Hub
    arg, mount, volume, env = weights("vllm-llama-70b")
    assert arg == "/models" and mount["readOnly"] is True
    assert volume["hostPath"] == {"path": "/data/models/Llama-3.3-70B-Instruct", "type": "Directory"}
    assert env["HF_HUB_OFFLINE"] == "1" and "HF_TOKEN" not in env
    # an existing claim and the model's directory in it
    arg, mount, volume, env = weights("vllm-mistral")
    assert arg == "/models/Mistral-7B-Instruct" and mount["readOnly"] is True
    assert volume["persistentVolumeClaim"] == {"claimName": "team-models"}
    # online: no copy Job
    assert objects(out, "vllm", "copy-jobs.yaml") == []


def test_vllm_secret_holds_the_token_and_key(rendered):
    secret = objects(rendered["ai_serving"], "vllm", "credentials-secret.yaml")[0]
    assert secret["metadata"]["name"] == "vllm-credentials"
    assert secret["stringData"] == {"hf-token": "not-a-real-hf-token", "api-key": "not-a-real-api-key"}


def test_vllm_off_by_default_renders_only_its_namespace(rendered):
    for scenario in ("single", "ha", "k3s"):
        assert [d["kind"] for d in objects(rendered[scenario], "vllm", "vllm-storage.yaml")] == ["Namespace"]
        assert vllm_objects(rendered[scenario]) == []


def test_open_webui_talks_to_ollama_and_every_vllm_service(rendered):
    out = rendered["ai_serving"]
    container = find(objects(out, "open_webui", "open-webui.yaml"), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = env_of(container)
    ollama = find(objects(out, "ollama", "ollama.yaml"), "Service")
    assert env["OLLAMA_BASE_URL"] == "http://%s.%s.svc:%d" % (
        ollama["metadata"]["name"], ollama["metadata"]["namespace"], ollama["spec"]["ports"][0]["port"])
    services = [d for d in vllm_objects(out) if d["kind"] == "Service"]
    assert env["OPENAI_API_BASE_URLS"].split(";") == [
        "http://%s.%s.svc:%d/v1" % (s["metadata"]["name"], s["metadata"]["namespace"], s["spec"]["ports"][0]["port"])
        for s in services]
    assert (env["ENABLE_OLLAMA_API"], env["ENABLE_OPENAI_API"]) == ("True", "True")
    assert env["ENABLE_PERSISTENT_CONFIG"] == "False" and env["ENABLE_SIGNUP"] == "False"
    secret = objects(out, "open_webui", "open-webui-secret.yaml")[0]
    for name, key in (("WEBUI_ADMIN_PASSWORD", "admin-password"), ("WEBUI_SECRET_KEY", "secret-key"),
                      ("OPENAI_API_KEYS", "openai-api-keys")):
        assert env[name] == {"secretKeyRef": {"name": secret["metadata"]["name"], "key": key}}
    # one key per connection, in the same order
    assert secret["stringData"]["openai-api-keys"].split(";") == ["not-a-real-api-key"] * len(services)
    assert secret["stringData"]["admin-password"] == COMMON["open_webui_admin_password"]
    assert {"name": "data", "mountPath": "/app/backend/data"} in container["volumeMounts"]
    assert find(objects(out, "open_webui", "open-webui.yaml"), "Service")["spec"]["ports"][0]["nodePort"] == 30080


def test_open_webui_without_backends_turns_both_apis_off(rendered):
    container = find(objects(rendered["ha"], "open_webui", "open-webui.yaml"), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = env_of(container)
    assert (env["ENABLE_OLLAMA_API"], env["ENABLE_OPENAI_API"]) == ("False", "False")
    assert "OLLAMA_BASE_URL" not in env and "OPENAI_API_BASE_URLS" not in env and "OPENAI_API_KEYS" not in env


# ---- golden files ----------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["single", "ha", "k3s"])
def test_renders_match_the_golden_files(rendered, scenario):
    out = rendered[scenario]
    files = sorted(os.path.relpath(p, out) for p in glob.glob(os.path.join(out, "*", "*"))
                   if not p.endswith("secret.yaml"))
    golden = os.path.join(GOLDEN, scenario)
    if os.environ.get("UPDATE_GOLDEN"):
        for name in files:
            os.makedirs(os.path.dirname(os.path.join(golden, name)), exist_ok=True)
            with open(os.path.join(out, name)) as src, open(os.path.join(golden, name + ".golden"), "w") as dst:
                dst.write(src.read())
    # ".golden": kept out of yamllint/ansible-lint, which would lint rendered output as sources
    expected = sorted(os.path.relpath(p, golden)[:-len(".golden")] for p in glob.glob(os.path.join(golden, "*", "*.golden")))
    assert files == expected
    for name in files:
        with open(os.path.join(out, name)) as a, open(os.path.join(golden, name + ".golden")) as b:
            assert a.read() == b.read(), "%s/%s differs from the golden file (UPDATE_GOLDEN=1 after an intended change)" % (scenario, name)


# ---- offline image lists ---------------------------------------------------------------------

def image_list(name):
    def resolve(ref):
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(VERSIONS[m.group(1)]), ref)
    return [resolve(ref) for ref in VERSIONS[name]]


def test_images_the_roles_run_are_in_the_offline_lists(rendered):
    out = rendered["ha"]
    pod = objects(out, "gpu_operator", "gpu-test-pod.yaml")[0]
    assert pod["spec"]["containers"][0]["image"] in image_list("gpu_operator_images")
    ollama = find(objects(out, "ollama", "ollama.yaml"), "Deployment")
    job = objects(rendered["prepared_timeslicing"], "ollama", "pull-job.yaml")[0]
    assert ollama["spec"]["template"]["spec"]["containers"][0]["image"] in image_list("ollama_images")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] in image_list("ollama_images")
    ai = rendered["ai_serving"]
    server = find(objects(ai, "vllm", "vllm.yaml"), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    webui = find(objects(ai, "open_webui", "open-webui.yaml"), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert server["image"] in image_list("vllm_images")
    assert webui["image"] in image_list("open_webui_images")
    for name in ("csi_driver_nfs_images", "gpu_operator_images", "nvidia_device_plugin_images",
                 "monitoring_images", "dashboard_images", "ollama_images", "vllm_images", "open_webui_images"):
        refs = image_list(name)
        assert refs and all(re.match(r"^[a-z0-9.-]+(:\d+)?/[^:@\s]+:[\w.-]+$", r) for r in refs), (name, refs)
