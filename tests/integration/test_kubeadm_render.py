"""kubeadm configuration rendered by the kubeadm_init role for the example inventories.

The role's `render` entry point (the same templates and variables as a real run) writes
each host's files into rendered.json on the controller; nothing is contacted. Every rendered kubeadm,
kubelet and kube-proxy document is checked against the field tree extracted from the
upstream Go types (tests/integration/kubeadm_types/fields.json): an unknown field or a
wrong JSON type fails. The files are also compared with golden copies
(tests/integration/golden/kubeadm/; regenerate with AIINFRA_UPDATE_GOLDEN=1 after a
deliberate change and review the diff).
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
GOLDEN = os.path.join(HERE, "golden", "kubeadm")
FIELDS = os.path.join(HERE, "kubeadm_types", "fields.json")
BIN = os.path.dirname(sys.executable)

# case -> (inventory, extra vars)
CASES = {
    "single": ("inventories/single", {}),
    "ha": ("inventories/ha", {}),
    # every knob the role exposes, offline, kubelet on cgroup v1, RHEL file locations
    "ha-options": ("inventories/ha", {
        "k8s_install_mode": "offline",
        "k8s_kubelet_fail_cgroup_v1": False,
        "k8s_image_repository": "registry.cn-hangzhou.aliyuncs.com/google_containers",
        "k8s_api_cert_sans": ["api.example.com"],
        "k8s_max_pods": 200,
        "kubeadm_init_render_os_family": "RedHat",
        "kubeadm_init_kube_proxy_mode": "ipvs",
        "kubeadm_init_apiserver_extra_args": {"audit-log-maxage": 30, "service-node-port-range": "30000-32767"},
        "kubeadm_init_controller_manager_extra_args": {"node-cidr-mask-size": 24},
        "kubeadm_init_scheduler_extra_args": {"bind-address": "0.0.0.0"},
        "kubeadm_init_etcd_extra_args": {"quota-backend-bytes": "8589934592"},
        "kubeadm_init_kubelet_extra_args": {"image-gc-high-threshold": 80},
        "kubeadm_init_kubelet_config": {"serializeImagePulls": False, "evictionHard": {"memory.available": "200Mi"},
                                        "shutdownGracePeriod": "30s"},
        "kubeadm_init_kube_proxy_config": {"ipvs": {"scheduler": "rr", "strictARP": True}},
        "kubeadm_init_feature_gates": {"ControlPlaneKubeletLocalMode": True},
        "kubeadm_init_ignore_preflight_errors": ["NumCPU"],
        "kubeadm_init_gpu_node_taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
        "kubeadm_init_control_plane_taints": [],
        "k8s_http_proxy": "http://proxy.example:3128",
        "k8s_no_proxy": [".example.internal"],
    }),
    # Kubernetes before 1.31: kubeadm.k8s.io/v1beta3, extra args as maps
    "single-v1beta3": ("inventories/single", {
        "k8s_version": "1.30.4",
        "kubeadm_init_apiserver_extra_args": {"audit-log-maxage": 30},
        "kubeadm_init_kubelet_extra_args": {"image-gc-high-threshold": 80},
        "k8s_kubelet_fail_cgroup_v1": False,
    }),
    # Kubernetes 1.36 on cgroup v1 hosts in the deprecated mode, without CoreDNS (the sandbox)
    "ha-1.36-cgroupv1": ("inventories/ha", {
        "k8s_version": "1.36.2",
        "k8s_kubelet_fail_cgroup_v1": False,
        "kubeadm_init_render_cgroup_v1": True,
        "k8s_coredns_enabled": False,
        "kubeadm_init_ignore_preflight_errors": ["NumCPU"],
        "kubeadm_init_kube_proxy_config": {"conntrack": {"maxPerCore": 0}},
    }),
}
STAND_IN_TOKEN = "abcdef.0123456789abcdef"


def render(case):
    inventory, extra = CASES[case]
    out = tempfile.mkdtemp(prefix="kubeadm-render-%s-" % case)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_CACHE_PLUGIN="memory")
    extra = dict(extra, render_dir=out)
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "tests/integration/playbooks/render_kubeadm.yml",
         "-i", inventory, "-e", json.dumps(extra)],
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


def documents(text):
    return [d for d in yaml.safe_load_all(text) if d is not None]


def kubeadm_split(text):
    """Split a configuration file as kubeadm does, or raise ValueError with kubeadm's complaint.

    k8s.io/apimachinery's YAMLReader cuts the file at lines that start with '---' (only a
    comment may follow on that line) and returns each non-empty chunk; kubeadm's
    SplitConfigDocuments then reads apiVersion and kind of every chunk, refuses a chunk
    without a group, version or kind (a chunk of comments only, for example), refuses a kind
    given twice, and stops at the first empty chunk.
    """
    chunks, buf = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise ValueError("yaml: invalid document separator %r" % line)
            if buf:
                chunks.append("".join(buf))
                buf = []
            continue
        buf.append(line)
    if buf:
        chunks.append("".join(buf))
    kinds = []
    for chunk in chunks:
        meta = yaml.safe_load(chunk)
        meta = meta if isinstance(meta, dict) else {}
        api, kind = str(meta.get("apiVersion") or ""), str(meta.get("kind") or "")
        group, _sep, version = api.rpartition("/")
        if not (group and version and kind):
            raise ValueError("invalid configuration for GroupVersionKind %r: kind and apiVersion is mandatory "
                             "information that must be specified (chunk: %r)" % (api + ", Kind=" + kind, chunk[:80]))
        if kind in kinds:
            raise ValueError("invalid configuration: kind %r is specified twice in YAML file" % kind)
        kinds.append(kind)
    return kinds


# ---- the upstream field tree ---------------------------------------------------------------
with open(FIELDS) as _handle:
    TYPES = json.load(_handle)
DURATION = re.compile(r"^-?((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$|^0$")


def type_errors(value, schema, path):
    """Differences between a decoded YAML value and the upstream field tree."""
    kind = schema["kind"]
    if kind == "object":
        if not isinstance(value, dict):
            return ["%s: expected an object, got %r" % (path, value)]
        errors = []
        for key, item in value.items():
            if key not in schema["fields"]:
                errors.append("%s.%s: unknown field" % (path, key))
            else:
                errors.extend(type_errors(item, schema["fields"][key], "%s.%s" % (path, key)))
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return ["%s: expected a list, got %r" % (path, value)]
        return [e for i, item in enumerate(value) for e in type_errors(item, schema["items"], "%s[%d]" % (path, i))]
    if kind == "map":
        if not isinstance(value, dict):
            return ["%s: expected a map, got %r" % (path, value)]
        return [e for key, item in value.items() for e in type_errors(item, schema["values"], "%s[%s]" % (path, key))]
    ok = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "duration": isinstance(value, str) and bool(DURATION.match(value)),
        "quantity": isinstance(value, (str, int, float)) and not isinstance(value, bool),
        "int-or-string": isinstance(value, (str, int)) and not isinstance(value, bool),
    }.get(kind)
    if ok is None:
        return ["%s: the field tree has an unknown kind %r" % (path, kind)]
    if not ok:
        return ["%s: expected %s, got %r" % (path, kind, value)]
    if "enum" in schema and value not in schema["enum"] and value != "":
        return ["%s: %r is not one of %s" % (path, value, ", ".join(schema["enum"]))]
    return []


def check_document(doc):
    api, kind = doc.get("apiVersion"), doc.get("kind")
    assert api in TYPES and kind in TYPES[api], "no upstream type for %s %s" % (api, kind)
    return type_errors(doc, TYPES[api][kind], kind)


# ---- tests ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_every_document_matches_the_upstream_types(rendered, case):
    checked = 0
    for name, text in rendered[case].items():
        if name.endswith(".yaml"):
            for doc in documents(text):
                assert check_document(doc) == [], "%s/%s" % (case, name)
                checked += 1
    assert checked >= 4 + len([n for n in rendered[case] if n.endswith("kubeadm-join.yaml")])


def test_kubeadm_split_refuses_what_kubeadm_refuses():
    """The splitter is kubeadm's: a comment-only chunk before the first '---' (the 0.1.0
    templates' header, which real kubeadm v1.36.2 rejected), a kind given twice and junk after
    a separator all fail; the same comments inside the first document are fine."""
    doc = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"
    with pytest.raises(ValueError, match="kind and apiVersion is mandatory"):
        kubeadm_split("# Ansible managed\n# kubeadm configuration\n---\n" + doc)
    with pytest.raises(ValueError, match="specified twice"):
        kubeadm_split(doc + "---\n" + doc)
    with pytest.raises(ValueError, match="invalid document separator"):
        kubeadm_split(doc + "--- junk\n" + doc)
    with pytest.raises(ValueError, match="kind and apiVersion is mandatory"):
        kubeadm_split("apiVersion: v1\nkind: Pod\n")  # no group: not a kubeadm API
    assert kubeadm_split("---\n# Ansible managed\n" + doc) == ["InitConfiguration"]


@pytest.mark.parametrize("case", CASES)
def test_kubeadm_reads_every_document(rendered, case):
    """Every rendered kubeadm file splits into documents that each carry apiVersion and kind."""
    for name, text in rendered[case].items():
        if name.endswith("kubeadm-init.yaml"):
            assert kubeadm_split(text) == ["InitConfiguration", "ClusterConfiguration", "KubeletConfiguration",
                                           "KubeProxyConfiguration"], name
        elif name.endswith("kubeadm-join.yaml"):
            assert kubeadm_split(text) == ["JoinConfiguration"], name


KUBEADM = os.environ.get("AIINFRA_KUBEADM", "")


@pytest.mark.skipif(not KUBEADM, reason="AIINFRA_KUBEADM=/path/to/kubeadm (a real binary) runs kubeadm's own validation")
@pytest.mark.parametrize("case", CASES)
def test_real_kubeadm_validates_every_file(rendered, case, tmp_path):
    """`kubeadm config validate` of a real kubeadm accepts every rendered init and join file of
    the cases for its own minor version and the one before (the versions it can deploy)."""
    own = subprocess.run([KUBEADM, "version", "-o", "short"], capture_output=True, text=True, check=True).stdout
    own_minor = tuple(int(x) for x in own.strip().lstrip("v").split(".")[:2])
    target = by_kind(rendered[case]["master1/kubeadm-init.yaml"])["ClusterConfiguration"]["kubernetesVersion"]
    minor = tuple(int(x) for x in target.lstrip("v").split(".")[:2])
    if own_minor[0] != minor[0] or own_minor[1] - minor[1] not in (0, 1):
        pytest.skip("kubeadm %s cannot deploy %s" % (own.strip(), target))
    validated = 0
    for name, text in rendered[case].items():
        if name.endswith((".yaml")):
            path = tmp_path / name.replace("/", "_")
            path.write_text(text)
            proc = subprocess.run([KUBEADM, "config", "validate", "--config", str(path)],
                                  capture_output=True, text=True, check=False)
            assert proc.returncode == 0, "%s/%s: %s" % (case, name, proc.stderr or proc.stdout)
            validated += 1
    assert validated >= 2


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
    assert on_disk == sorted(rendered[case]), "rendered files differ from %s" % golden
    for name, text in rendered[case].items():
        with open(os.path.join(golden, name + ".golden")) as handle:
            assert text == handle.read(), "%s/%s differs from the golden file" % (case, name)


def by_kind(text):
    return {d["kind"]: d for d in documents(text)}


def test_ha_control_plane_endpoint_is_the_vip_and_certificates_cover_it(rendered):
    files = rendered["ha"]
    init = by_kind(files["master1/kubeadm-init.yaml"])
    cluster = init["ClusterConfiguration"]
    assert init["InitConfiguration"]["apiVersion"] == "kubeadm.k8s.io/v1beta4"
    assert cluster["controlPlaneEndpoint"] == "192.0.2.1:6553"
    assert cluster["kubernetesVersion"] == "v1.34.3"
    assert cluster["networking"] == {"podSubnet": "10.244.0.0/16", "serviceSubnet": "10.96.0.0/12",
                                     "dnsDomain": "cluster.local"}
    assert set(cluster["apiServer"]["certSANs"]) >= {"192.0.2.1", "master1", "master2", "master3",
                                                     "192.0.2.125", "192.0.2.7", "192.0.2.159"}
    assert init["InitConfiguration"]["localAPIEndpoint"] == {"advertiseAddress": "192.0.2.125", "bindPort": 6443}
    kubelet = init["KubeletConfiguration"]
    assert (kubelet["cgroupDriver"], kubelet["maxPods"], kubelet["failSwapOn"]) == ("systemd", 110, True)
    assert "failCgroupV1" not in kubelet  # k8s_kubelet_fail_cgroup_v1 defaults to true
    assert init["KubeProxyConfiguration"]["mode"] == "iptables"
    # only the first master initialises
    assert [n for n in files if n.endswith("kubeadm-init.yaml")] == ["master1/kubeadm-init.yaml"]


def test_ha_joins(rendered):
    files = rendered["ha"]
    for master, address in (("master2", "192.0.2.7"), ("master3", "192.0.2.159")):
        join = by_kind(files["%s/kubeadm-join.yaml" % master])["JoinConfiguration"]
        assert join["discovery"]["bootstrapToken"]["apiServerEndpoint"] == "192.0.2.1:6553"
        assert join["discovery"]["bootstrapToken"]["token"] == STAND_IN_TOKEN
        assert join["controlPlane"]["localAPIEndpoint"] == {"advertiseAddress": address, "bindPort": 6443}
        assert len(join["controlPlane"]["certificateKey"]) == 64
        assert join["nodeRegistration"]["taints"] == [{"key": "node-role.kubernetes.io/control-plane",
                                                       "effect": "NoSchedule"}]
    gpu = by_kind(files["gpu1/kubeadm-join.yaml"])["JoinConfiguration"]
    assert "controlPlane" not in gpu
    args = {a["name"]: a["value"] for a in gpu["nodeRegistration"]["kubeletExtraArgs"]}
    assert args == {"node-ip": "192.0.2.225", "node-labels": "nvidia.com/gpu.present=true,gputype=H100"}
    assert gpu["nodeRegistration"]["taints"] == []
    assert gpu["nodeRegistration"]["name"] == "gpu1"


def test_single_master_endpoint_is_the_first_master(rendered):
    files = rendered["single"]
    cluster = by_kind(files["master1/kubeadm-init.yaml"])["ClusterConfiguration"]
    assert cluster["controlPlaneEndpoint"] == "192.0.2.125:6443"
    assert cluster["apiServer"]["certSANs"] == ["master1", "192.0.2.125"]
    for worker in ("node1", "node2", "gpu1"):
        join = by_kind(files["%s/kubeadm-join.yaml" % worker])["JoinConfiguration"]
        assert join["discovery"]["bootstrapToken"]["apiServerEndpoint"] == "192.0.2.125:6443"
        assert "controlPlane" not in join


def test_options_reach_the_right_fields(rendered):
    files = rendered["ha-options"]
    init = by_kind(files["master1/kubeadm-init.yaml"])
    cluster = init["ClusterConfiguration"]
    assert cluster["imageRepository"] == "registry.cn-hangzhou.aliyuncs.com/google_containers"
    assert "api.example.com" in cluster["apiServer"]["certSANs"]
    # v1beta4: extra args are lists of {name, value} with string values
    assert {"name": "audit-log-maxage", "value": "30"} in cluster["apiServer"]["extraArgs"]
    assert cluster["controllerManager"]["extraArgs"] == [{"name": "node-cidr-mask-size", "value": "24"}]
    assert cluster["etcd"]["local"]["extraArgs"] == [{"name": "quota-backend-bytes", "value": "8589934592"}]
    assert cluster["featureGates"] == {"ControlPlaneKubeletLocalMode": True}
    registration = init["InitConfiguration"]["nodeRegistration"]
    assert registration["imagePullPolicy"] == "Never"  # offline: images come from the bundle
    assert registration["taints"] == []  # schedulable masters asked for
    assert registration["ignorePreflightErrors"] == ["NumCPU"]
    assert {"name": "image-gc-high-threshold", "value": "80"} in registration["kubeletExtraArgs"]
    kubelet = init["KubeletConfiguration"]
    assert kubelet["failCgroupV1"] is False and kubelet["maxPods"] == 200
    assert kubelet["serializeImagePulls"] is False and kubelet["evictionHard"] == {"memory.available": "200Mi"}
    proxy = init["KubeProxyConfiguration"]
    assert proxy["mode"] == "ipvs" and proxy["ipvs"] == {"scheduler": "rr", "strictARP": True}
    gpu = by_kind(files["gpu1/kubeadm-join.yaml"])["JoinConfiguration"]["nodeRegistration"]
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert "EnvironmentFile=-/etc/sysconfig/kubelet" in files["master1/10-kubeadm.conf"]
    # kubelet's proxy drop-in, next to its unit: the common NO_PROXY (nodes, VIP, networks)
    dropin = files["gpu1/20-aiinfra-proxy.conf"]
    assert 'Environment="HTTP_PROXY=http://proxy.example:3128"' in dropin
    no_proxy = re.search(r'"NO_PROXY=([^"]*)"', dropin).group(1).split(",")
    assert set(no_proxy) >= {"192.0.2.1", "192.0.2.125", "192.0.2.7", "192.0.2.159", "192.0.2.225",
                             "10.244.0.0/16", "10.96.0.0/12", ".example.internal"}
    assert not [n for n in rendered["ha"] if n.endswith("20-aiinfra-proxy.conf")]  # no proxy, no drop-in


def test_before_1_31_the_config_is_v1beta3_with_maps(rendered):
    files = rendered["single-v1beta3"]
    init = by_kind(files["master1/kubeadm-init.yaml"])
    assert init["InitConfiguration"]["apiVersion"] == "kubeadm.k8s.io/v1beta3"
    assert init["ClusterConfiguration"]["apiServer"]["extraArgs"] == {"audit-log-maxage": "30"}
    assert init["InitConfiguration"]["nodeRegistration"]["kubeletExtraArgs"] == {
        "node-ip": "192.0.2.125", "image-gc-high-threshold": "80"}
    # failCgroupV1 is a kubelet 1.31 field: not rendered for older kubelets
    assert "failCgroupV1" not in init["KubeletConfiguration"]
    join = by_kind(files["gpu1/kubeadm-join.yaml"])["JoinConfiguration"]
    assert join["apiVersion"] == "kubeadm.k8s.io/v1beta3"
    assert join["nodeRegistration"]["kubeletExtraArgs"]["node-labels"] == "nvidia.com/gpu.present=true,gputype=H100"


def test_kubelet_unit_and_dropin(rendered):
    unit = rendered["ha"]["gpu1/kubelet.service"]
    dropin = rendered["ha"]["gpu1/10-kubeadm.conf"]
    assert "ExecStart=/usr/bin/kubelet\n" in unit
    assert "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env" in dropin
    assert "EnvironmentFile=-/etc/default/kubelet" in dropin
    assert dropin.rstrip().endswith(
        "ExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS "
        "$KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS")


# ---- the check itself must be able to fail --------------------------------------------------
def test_the_type_check_catches_mistakes(rendered):
    init = by_kind(rendered["ha"]["master1/kubeadm-init.yaml"])
    cluster = dict(init["ClusterConfiguration"], controlPlaneEndPoint="192.0.2.1:6553")
    assert check_document(cluster) == ["ClusterConfiguration.controlPlaneEndPoint: unknown field"]
    first = dict(init["InitConfiguration"], localAPIEndpoint={"advertiseAddress": "192.0.2.125", "bindPort": "6443"})
    assert check_document(first) == ["InitConfiguration.localAPIEndpoint.bindPort: expected integer, got '6443'"]
    # v1beta3-style map in a v1beta4 document
    v3_args = dict(cluster, apiServer={"extraArgs": {"audit-log-maxage": "30"}})
    v3_args.pop("controlPlaneEndPoint")
    assert check_document(v3_args) == ["ClusterConfiguration.apiServer.extraArgs: expected a list, got "
                                       "{'audit-log-maxage': '30'}"]
    kubelet = dict(init["KubeletConfiguration"], cgroupDriver=True, shutdownGracePeriod="30 seconds")
    assert sorted(check_document(kubelet)) == [
        "KubeletConfiguration.cgroupDriver: expected string, got True",
        "KubeletConfiguration.shutdownGracePeriod: expected duration, got '30 seconds'"]
    taint = dict(init["InitConfiguration"])
    taint["nodeRegistration"] = dict(taint["nodeRegistration"], taints=[{"key": "a", "effect": "Never"}])
    assert check_document(taint) == [
        "InitConfiguration.nodeRegistration.taints[0].effect: 'Never' is not one of NoExecute, NoSchedule, "
        "PreferNoSchedule"]


def test_field_tree_has_the_fields_the_role_relies_on():
    v4 = TYPES["kubeadm.k8s.io/v1beta4"]
    assert v4["ClusterConfiguration"]["fields"]["apiServer"]["fields"]["extraArgs"]["kind"] == "list"
    assert TYPES["kubeadm.k8s.io/v1beta3"]["ClusterConfiguration"]["fields"]["apiServer"]["fields"][
        "extraArgs"]["kind"] == "map"
    assert v4["JoinConfiguration"]["fields"]["controlPlane"]["fields"]["certificateKey"]["kind"] == "string"
    kubelet = TYPES["kubelet.config.k8s.io/v1beta1"]["KubeletConfiguration"]["fields"]
    assert kubelet["failCgroupV1"]["kind"] == "boolean" and kubelet["maxPods"]["kind"] == "integer"


def test_cgroup_v1_hosts_skip_system_verification_and_coredns_can_be_left_out(rendered):
    """Kubernetes >= 1.35 on cgroup v1 with k8s_kubelet_fail_cgroup_v1 false: kubelet's
    failCgroupV1 is false and every node's kubeadm skips SystemVerification (kubeadm v1.36.2
    fails its preflight otherwise); k8s_coredns_enabled false skips the addon/coredns phase."""
    files = rendered["ha-1.36-cgroupv1"]
    init = by_kind(files["master1/kubeadm-init.yaml"])
    assert init["KubeletConfiguration"]["failCgroupV1"] is False
    assert init["InitConfiguration"]["skipPhases"] == ["addon/coredns"]
    assert init["InitConfiguration"]["nodeRegistration"]["ignorePreflightErrors"] == ["NumCPU", "SystemVerification"]
    assert init["KubeProxyConfiguration"]["conntrack"] == {"maxPerCore": 0}
    for name, text in files.items():
        if name.endswith("kubeadm-join.yaml"):
            registration = by_kind(text)["JoinConfiguration"]["nodeRegistration"]
            assert registration["ignorePreflightErrors"] == ["NumCPU", "SystemVerification"], name
    # the same hosts on cgroup v2 (the default render) keep SystemVerification
    assert "ignorePreflightErrors" not in by_kind(rendered["ha"]["master1/kubeadm-init.yaml"])[
        "InitConfiguration"]["nodeRegistration"]
    assert "skipPhases" not in by_kind(rendered["ha"]["master1/kubeadm-init.yaml"])["InitConfiguration"]
