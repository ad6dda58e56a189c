"""k3s configuration rendered by the k3s role for the example inventory.

The role's `render` entry point (the same templates and variables as a real run) writes
each host's config.yaml / registries.yaml into rendered.json on the controller; nothing
is contacted. Every config key must be a flag of `k3s server` / `k3s agent` (list taken
from the upstream sources, tests/integration/k3s_flags/flags.json), and the HA rules of
the role are checked: exactly one server with cluster-init, every other server joining
it, agents on the VIP, no token inline. Golden copies live in
tests/integration/golden/k3s/ (regenerate with AIINFRA_UPDATE_GOLDEN=1 and review).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "integration")
GOLDEN = os.path.join(HERE, "golden", "k3s")
BIN = os.path.dirname(sys.executable)
with open(os.path.join(HERE, "k3s_flags", "flags.json")) as _handle:
    FLAGS = json.load(_handle)

CASES = {
    "k3s": ("inventories/k3s", {}),
    "k3s-options": ("inventories/k3s", {
        "k8s_cni": "calico",
        "k8s_registry_mirrors": {"docker.io": ["https://docker.m.daocloud.io"],
                                 "registry.k8s.io": ["https://k8s.m.daocloud.io"]},
        "k8s_kubelet_fail_cgroup_v1": False,
        "k8s_api_cert_sans": ["api.example.com"],
        "k3s_token": "a-token-from-ansible-vault",
        "k3s_disable": ["traefik", "servicelb", "local-storage", "metrics-server"],
        "k3s_control_plane_taints": [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NoExecute"}],
        "k3s_gpu_node_taints": [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}],
        "k3s_kubelet_args": ["image-gc-high-threshold=80"],
        "k3s_server_config": {"secrets-encryption": True},
        "k3s_agent_config": {"snapshotter": "native"},
    }),
    "k3s-novip": ("inventories/k3s", {"k8s_api_vip": ""}),
    "k3s-proxy": ("inventories/k3s", {"k8s_http_proxy": "http://proxy.example:3128",
                                      "k8s_https_proxy": "http://proxy.example:3128",
                                      "k8s_no_proxy": [".example.internal"]}),
}


def render(case):
    inventory, extra = CASES[case]
    out = tempfile.mkdtemp(prefix="k3s-render-%s-" % case)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_CACHE_PLUGIN="memory")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "tests/integration/playbooks/render_k3s.yml",
         "-i", inventory, "-e", json.dumps(dict(extra, render_dir=out))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    with open(os.path.join(out, "rendered.json")) as handle:
        rendered = json.load(handle)
    shutil.rmtree(out)
    return {"%s/%s" % (host, name): text for host, names in rendered.items() for name, text in names.items()}


@pytest.fixture(scope="module")
def rendered():
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(render, CASES)))


SERVERS = ["master1", "master2", "master3"]
AGENTS = ["node1", "gpu1"]


def configs(files):
    return {name.split("/")[0]: yaml.safe_load(text) for name, text in files.items() if name.endswith("config.yaml")}


@pytest.mark.parametrize("case", CASES)
def test_keys_are_k3s_flags(rendered, case):
    found = configs(rendered[case])
    assert sorted(found) == sorted(SERVERS + AGENTS)
    for host, config in found.items():
        allowed = set(FLAGS["global"]) | set(FLAGS["server" if host in SERVERS else "agent"])
        assert sorted(set(config) - allowed) == [], host
        assert set(config.get("disable", [])) <= set(FLAGS["disable_items"])


@pytest.mark.parametrize("case", CASES)
def test_only_the_first_server_initialises_etcd(rendered, case):
    found = configs(rendered[case])
    assert [h for h, c in found.items() if c.get("cluster-init")] == ["master1"]
    assert "server" not in found["master1"]
    for host in SERVERS[1:]:
        assert found[host]["server"] == "https://192.0.2.125:6443"
        assert "cluster-init" not in found[host]


@pytest.mark.parametrize("case", CASES)
def test_no_secret_inline(rendered, case):
    for host, config in configs(rendered[case]).items():
        assert "token" not in config and "agent-token" not in config
        if host != "master1" or CASES[case][1].get("k3s_token"):
            assert config["token-file"] == "/etc/rancher/k3s/cluster-token"
        else:  # no k3s_token: the first server generates the token itself
            assert "token-file" not in config
    assert "a-token-from-ansible-vault" not in json.dumps(rendered[case])


@pytest.mark.parametrize("case", CASES)
def test_matches_golden_files(rendered, case):
    golden = os.path.join(GOLDEN, case)
    if os.environ.get("AIINFRA_UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        for name, text in rendered[case].items():
            os.makedirs(os.path.join(golden, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(golden, name + ".golden"), "w") as handle:
                handle.write(text)
    on_disk = sorted(os.path.relpath(os.path.join(d, f), golden)[:-len(".golden")]
                     for d, _dirs, fs in os.walk(golden) for f in fs)
    assert on_disk == sorted(rendered[case])
    for name, text in rendered[case].items():
        with open(os.path.join(golden, name + ".golden")) as handle:
            assert text == handle.read(), "%s/%s differs from the golden file" % (case, name)


def test_default_inventory(rendered):
    found = configs(rendered["k3s"])
    first = found["master1"]
    assert first["tls-san"][0] == "192.0.2.1"
    assert set(first["tls-san"]) >= {"master1", "master2", "master3", "192.0.2.125", "192.0.2.7", "192.0.2.159"}
    assert first["disable"] == ["traefik", "servicelb", "local-storage"]  # seed 004
    assert (first["cluster-cidr"], first["service-cidr"], first["cluster-domain"]) == (
        "10.244.0.0/16", "10.96.0.0/12", "cluster.local")
    assert first["flannel-backend"] == "vxlan"
    assert first["kube-apiserver-arg"] == ["anonymous-auth=true"]  # haproxy's /healthz checks behind the VIP
    assert first["write-kubeconfig-mode"] == "0600"
    for agent in AGENTS:
        assert found[agent]["server"] == "https://192.0.2.1:6553"
        assert found[agent]["kubelet-arg"] == ["max-pods=110"]
    gpu = found["gpu1"]
    assert gpu["default-runtime"] == "nvidia"
    assert gpu["node-label"] == ["nvidia.com/gpu.present=true", "gputype=H100"]
    assert "default-runtime" not in found["node1"] and "node-label" not in found["node1"]
    assert not [n for n in rendered["k3s"] if n.endswith("registries.yaml")]


def test_options(rendered):
    files = rendered["k3s-options"]
    found = configs(files)
    first = found["master1"]
    assert first["flannel-backend"] == "none" and first["disable-network-policy"] is True  # Calico owns the network
    assert "api.example.com" in first["tls-san"]
    assert first["secrets-encryption"] is True
    for server in SERVERS:
        assert found[server]["node-taint"] == ["CriticalAddonsOnly=true:NoExecute"]
        assert found[server]["kubelet-arg"] == ["max-pods=110", "fail-cgroupv1=false", "image-gc-high-threshold=80"]
    assert found["gpu1"]["node-taint"] == ["nvidia.com/gpu:NoSchedule"]
    assert found["node1"]["snapshotter"] == "native" and "snapshotter" not in first
    registries = yaml.safe_load(files["gpu1/registries.yaml"])
    assert registries == {"mirrors": {"docker.io": {"endpoint": ["https://docker.m.daocloud.io"]},
                                      "registry.k8s.io": {"endpoint": ["https://k8s.m.daocloud.io"]}}}


def test_without_vip_agents_register_with_the_first_server(rendered):
    found = configs(rendered["k3s-novip"])
    for agent in AGENTS:
        assert found[agent]["server"] == "https://192.0.2.125:6443"
    assert "192.0.2.1" not in found["master1"]["tls-san"]
    assert "kube-apiserver-arg" not in found["master1"]


def test_proxy_reaches_k3s_with_the_full_no_proxy(rendered):
    """k3s's proxy settings live in a drop-in the role renders on every run (0.1.0 passed a
    short NO_PROXY, without the nodes or the VIP, to the install script once, behind
    `creates:`, so a proxy change never reached k3s): NO_PROXY holds every node, the VIP,
    the pod and service networks, the cluster domain and k8s_no_proxy."""
    for host in SERVERS + AGENTS:
        dropin = rendered["k3s-proxy"]["%s/20-aiinfra-proxy.conf" % host]
        env = dict(re.findall(r'"([A-Z_]+)=([^"]*)"', dropin))
        assert env["HTTP_PROXY"] == env["HTTPS_PROXY"] == "http://proxy.example:3128", host
        no_proxy = env["NO_PROXY"].split(",")
        assert set(no_proxy) >= {"192.0.2.125", "192.0.2.7", "192.0.2.159", "192.0.2.30", "192.0.2.225",
                                 "192.0.2.1", "10.244.0.0/16", "10.96.0.0/12", ".cluster.local", ".svc",
                                 "localhost", ".example.internal"}, host
    assert not [n for n in rendered["k3s"] if n.endswith("20-aiinfra-proxy.conf")]  # no proxy, no drop-in
