# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: inventory and variable validation for aiinfra.k8s (pure Python).

Internal API: used by the `cluster_problems` filter (playbooks/validate.yml and the
preflight role); may change without notice.

`check_cluster(settings, groups, hosts, context, roles)` returns a list of problems. Each
problem is a dict with:
  severity: "error" (blocks the run) or "warning" (printed)
  where:    the variable(s) or host(s) at fault
  problem:  what is wrong, with the value found
  fix:      how to fix it
"""
from __future__ import annotations

import difflib
import re

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import (
    contains,
    overlaps,
    parse_address,
    parse_network,
)

DISTRIBUTIONS = ("kubeadm", "k3s")
INSTALL_MODES = ("online", "offline")
BUNDLE_TRANSPORTS = ("copy", "http")
# Pod networks per distribution (k8s_cni): flannel is k3s's built-in.
CNIS = {"kubeadm": ("calico", "none"), "k3s": ("flannel", "calico", "none")}
# Variables of earlier releases: name -> what replaces it.
RENAMED = {"k8s_calico_enabled": "k8s_cni (calico, none, or flannel with k3s)"}
NODE_GROUPS = ("masters", "workers", "gpu_nodes")
VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# Oldest Kubernetes minor the roles render configuration for (kubeadm v1beta3).
MIN_MINOR = (1, 28)
# kubeadm refuses service CIDRs larger than a /12 (20 host bits) for IPv4.
MAX_SERVICE_HOST_BITS_V4 = 20
GPU_ADDONS = ("k8s_gpu_operator_enabled", "k8s_ollama_enabled", "k8s_vllm_enabled")
BOOL_SETTINGS = (
    "k8s_allow_even_masters", "k8s_kubelet_fail_cgroup_v1", "k8s_coredns_enabled",
    "k8s_nfs_csi_enabled", "k8s_gpu_operator_enabled", "k8s_monitoring_enabled",
    "k8s_dashboard_enabled", "k8s_ollama_enabled", "k8s_vllm_enabled", "k8s_open_webui_enabled",
)
# Settings of the add-on roles the serving checks read (as the first master, where the
# add-ons are installed from, sees them; a role default where the inventory sets none).
ROLE_SETTINGS = (
    "monitoring_grafana_node_port", "monitoring_dashboard_node_port", "ollama_node_port", "ollama_gpus",
    "ollama_replicas", "vllm_models", "vllm_node_port", "open_webui_node_port", "gpu_operator_time_slicing_replicas",
)
# The NodePort range of kube-apiserver (--service-node-port-range, not changed by this collection).
NODE_PORTS = (30000, 32767)
# A vLLM model name becomes the Deployment and Service vllm-<name>: a DNS label of at most 40.
VLLM_NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$")
VLLM_SOURCES = ("model", "host_path", "claim")
# vLLM flags the role sets from a model entry's fields.
VLLM_MANAGED_FLAGS = ("--model", "--served-model-name", "--port", "--host", "--tensor-parallel-size", "-tp",
                      "--pipeline-parallel-size", "-pp", "--max-model-len", "--dtype", "--api-key")


class Problems(list):
    def error(self, where, problem, fix):
        self.append({"severity": "error", "where": where, "problem": problem, "fix": fix})

    def warning(self, where, problem, fix):
        self.append({"severity": "warning", "where": where, "problem": problem, "fix": fix})


def _truthy(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _enum(p, settings, name, allowed):
    value = settings.get(name)
    if value not in allowed:
        p.error(name, "unknown value %r" % (value,),
                "set %s to one of: %s" % (name, ", ".join(allowed)))
        return None
    return value


def _network(p, settings, name, example):
    value = settings.get(name)
    try:
        return parse_network(value)
    except ValueError as exc:
        p.error(name, str(exc), "set %s to a network in CIDR form, e.g. %s" % (name, example))
        return None


def _check_version(p, settings):
    value = settings.get("k8s_version")
    text = str(value) if value is not None else ""
    match = VERSION_RE.match(text)
    if not match:
        hint = ""
        if text.startswith("v") and VERSION_RE.match(text[1:]):
            hint = " (drop the leading 'v')"
        p.error("k8s_version", "malformed version %r%s" % (value, hint),
                'write the Kubernetes release as X.Y.Z, e.g. k8s_version: "1.34.3"')
        return None
    major, minor, _patch = (int(x) for x in match.groups())
    if (major, minor) < MIN_MINOR:
        p.error("k8s_version", "Kubernetes %s is older than the oldest supported %d.%d" % (text, MIN_MINOR[0], MIN_MINOR[1]),
                "use Kubernetes %d.%d or newer" % MIN_MINOR)
    return major, minor


def _check_groups(p, settings, groups):
    masters = groups.get("masters", [])
    if not masters:
        p.error("group masters", "the masters group is empty",
                "put at least one host under masters in the inventory")
    elif len(masters) % 2 == 0:
        if _truthy(settings.get("k8s_allow_even_masters")):
            p.warning("group masters", "%d masters: an even member count adds no etcd fault tolerance" % len(masters),
                      "use an odd number of masters (1, 3, 5) when you can")
        else:
            p.error("group masters",
                    "%d masters (%s): stacked etcd needs an odd number for quorum" % (len(masters), ", ".join(masters)),
                    "use 1, 3 or 5 masters, or set k8s_allow_even_masters: true to accept an even count knowingly")
    workers = set(groups.get("workers", []))
    gpu = set(groups.get("gpu_nodes", []))
    for host in sorted(set(masters) & workers):
        p.error("host %s" % host, "%s is in both masters and workers; a master is already a node, "
                "so it would be joined twice" % host,
                "remove %s from workers" % host)
    for host in sorted(workers & gpu):
        p.error("host %s" % host, "%s is in both workers and gpu_nodes; GPU nodes are workers already" % host,
                "list %s only under gpu_nodes" % host)


def _check_addresses(p, hosts):
    seen = {}
    for name in sorted(hosts):
        address = hosts[name].get("address")
        try:
            parse_address(address)
        except ValueError as exc:
            p.error("host %s" % name, "node address: %s" % exc,
                    "set k8s_node_address of %s to its IP address on the cluster network "
                    "(ansible_host may stay a DNS name)" % name)
            continue
        seen.setdefault(address, []).append(name)
    for address, names in sorted(seen.items()):
        if len(names) > 1:
            p.error("hosts %s" % ", ".join(names), "%s share the node address %s" % (" and ".join(names), address),
                    "give every node its own address (ansible_host / k8s_node_address)")
    return {name: hosts[name]["address"] for names in seen.values() for name in names}


def _check_cidrs(p, settings, groups, addresses):
    pod = _network(p, settings, "k8s_pod_cidr", "10.244.0.0/16")
    svc = _network(p, settings, "k8s_service_cidr", "10.96.0.0/12")
    if pod is not None and svc is not None and overlaps(pod, svc):
        p.error("k8s_pod_cidr, k8s_service_cidr",
                "pod CIDR %s overlaps service CIDR %s" % (pod, svc),
                "choose ranges that do not overlap, e.g. k8s_pod_cidr: 10.244.0.0/16 and k8s_service_cidr: 10.96.0.0/12")
    if svc is not None and svc.version == 4 and 32 - svc.prefixlen > MAX_SERVICE_HOST_BITS_V4:
        p.error("k8s_service_cidr", "service CIDR %s is larger than a /12, which kube-apiserver rejects" % svc,
                "use a /12 or smaller range, e.g. 10.96.0.0/12")
    node_networks = []
    for value in settings.get("k8s_node_networks") or []:
        try:
            node_networks.append(parse_network(value, strict=False))
        except ValueError as exc:
            p.error("k8s_node_networks", str(exc), "list the node networks in CIDR form, e.g. [192.0.2.0/24]")
    for name, net in (("k8s_pod_cidr", pod), ("k8s_service_cidr", svc)):
        if net is None:
            continue
        for node_net in node_networks:
            if overlaps(net, node_net):
                p.error(name, "%s %s overlaps the node network %s" % (name, net, node_net),
                        "pick a %s outside every node network" % name)
        inside = sorted(h for h, a in addresses.items() if contains(net, a))
        if inside:
            p.error(name, "%s %s contains the address of %s" % (name, net, ", ".join(
                "%s (%s)" % (h, addresses[h]) for h in inside)),
                "pick a %s that does not include node addresses" % name)
    if pod is not None:
        mask = settings.get("k8s_node_cidr_mask")
        try:
            mask = int(mask)
        except (TypeError, ValueError):
            p.error("k8s_node_cidr_mask", "not a prefix length: %r" % (mask,), "set k8s_node_cidr_mask to e.g. 24")
            mask = None
        if mask is not None:
            if mask <= pod.prefixlen or mask > (32 if pod.version == 4 else 128):
                p.error("k8s_node_cidr_mask", "per-node block /%d does not fit inside k8s_pod_cidr %s" % (mask, pod),
                        "use a k8s_node_cidr_mask longer than /%d (e.g. /24 for a /16)" % pod.prefixlen)
            else:
                blocks = 2 ** (mask - pod.prefixlen)
                nodes = len(set().union(*(set(groups.get(g, [])) for g in NODE_GROUPS)))
                if nodes > blocks:
                    p.error("k8s_pod_cidr", "%s holds %d blocks of /%d but the inventory has %d nodes" % (
                        pod, blocks, mask, nodes),
                        "use a larger k8s_pod_cidr or a longer k8s_node_cidr_mask")
                max_pods = settings.get("k8s_max_pods")
                try:
                    if int(max_pods) > 2 ** ((32 if pod.version == 4 else 128) - mask) - 2:
                        p.error("k8s_max_pods", "k8s_max_pods %s does not fit a /%d block per node" % (max_pods, mask),
                                "lower k8s_max_pods or shorten k8s_node_cidr_mask")
                except (TypeError, ValueError):
                    p.error("k8s_max_pods", "not a number: %r" % (max_pods,), "set k8s_max_pods to e.g. 110")
    return pod, svc, node_networks


def _port(p, settings, name):
    value = settings.get(name)
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = None
    if port is None or isinstance(value, bool) or not 1 <= port <= 65535:
        p.error(name, "not a TCP port: %r" % (value,), "set %s to a port number between 1 and 65535" % name)
        return None
    return port


def _check_vip(p, settings, groups, hosts, addresses, pod, svc, node_networks):
    vip = settings.get("k8s_api_vip") or ""
    lb = groups.get("lb", [])
    masters = groups.get("masters", [])
    api_port = _port(p, settings, "k8s_api_port")
    apiserver_port = _port(p, settings, "k8s_apiserver_port")
    if not vip:
        if lb:
            p.warning("group lb", "hosts %s are in lb but k8s_api_vip is empty: the lb phase is skipped" % ", ".join(lb),
                      "set k8s_api_vip to a free address in the lb hosts' subnet, or empty the lb group")
        return
    try:
        vip_addr = parse_address(vip)
    except ValueError as exc:
        p.error("k8s_api_vip", str(exc), "set k8s_api_vip to a free IP address in the lb hosts' subnet, e.g. 192.0.2.1")
        return
    if not lb:
        p.error("group lb", "k8s_api_vip is %s but the lb group is empty: nothing would hold the VIP" % vip,
                "put the hosts that run keepalived + haproxy under lb (seed 001: the first two masters), "
                "or empty k8s_api_vip")
    owners = sorted(h for h, a in addresses.items() if a == vip)
    if owners:
        p.error("k8s_api_vip", "the VIP %s is the address of %s" % (vip, ", ".join(owners)),
                "choose a free address for k8s_api_vip that no node uses")
    for name, net in (("k8s_pod_cidr", pod), ("k8s_service_cidr", svc)):
        if net is not None and contains(net, vip_addr):
            p.error("k8s_api_vip", "the VIP %s lies inside %s %s" % (vip, name, net),
                    "choose a VIP on the node network, outside %s" % name)
    # Subnet of the lb hosts: from their gathered facts when present, else from
    # k8s_node_networks (controller-only runs without facts).
    outside = []
    for host in lb:
        nets = hosts.get(host, {}).get("networks") or []
        source = "interfaces"
        if not nets:
            nets = [n for n in node_networks if host in addresses and contains(n, addresses[host])]
            source = "k8s_node_networks"
        if nets and not any(contains(parse_network(str(n), strict=False), vip_addr) for n in nets):
            outside.append("%s (%s: %s)" % (host, source, ", ".join(str(n) for n in nets)))
    if outside:
        p.error("k8s_api_vip", "the VIP %s is outside the subnet of lb host%s %s" % (
            vip, "s" if len(outside) > 1 else "", "; ".join(outside)),
            "choose a VIP in the same subnet as the lb hosts (keepalived can only hold it there), "
            "or fix k8s_node_networks")
    # The VRRP password is a secret: only its length reaches this code.
    unset = [h for h in lb if not hosts.get(h, {}).get("vrrp_pass_length")]
    if unset:
        p.error("keepalived_haproxy_auth_pass", "no VRRP password for lb host%s %s (k8s_api_vip is set)" % (
            "s" if len(unset) > 1 else "", ", ".join(unset)),
            "set keepalived_haproxy_auth_pass (1-8 characters, the same on every lb host) in group_vars/lb.yml, "
            "encrypted: ansible-vault encrypt_string \"$(openssl rand -base64 6)\" --name keepalived_haproxy_auth_pass")
    too_long = [h for h in lb if (hosts.get(h, {}).get("vrrp_pass_length") or 0) > 8]
    if too_long:
        p.error("keepalived_haproxy_auth_pass", "the VRRP password of %s is longer than 8 characters; keepalived "
                "would silently cut it" % ", ".join(too_long),
                "use a password of at most 8 characters")
    if api_port is not None and apiserver_port is not None and api_port == apiserver_port:
        both = sorted(set(lb) & set(masters))
        if both:
            p.error("k8s_api_port", "haproxy would listen on %d, the port kube-apiserver holds on %s (lb hosts that are masters)" % (
                api_port, ", ".join(both)),
                "set k8s_api_port to another port (seed 001 uses 6553)")


def _check_install(p, settings, context):
    mode = _enum(p, settings, "k8s_install_mode", INSTALL_MODES)
    _enum(p, settings, "k8s_bundle_transport", BUNDLE_TRANSPORTS)
    bundle = settings.get("k8s_bundle_dir") or ""
    if mode == "offline":
        if not bundle:
            p.error("k8s_bundle_dir", "k8s_install_mode is offline but k8s_bundle_dir is empty",
                    "build a bundle with playbooks/bundle.yml on a connected machine and set k8s_bundle_dir to its "
                    "directory on the controller")
        elif context.get("bundle_dir_exists") is False:
            p.error("k8s_bundle_dir", "offline bundle directory %s does not exist on the controller" % bundle,
                    "copy the bundle built by playbooks/bundle.yml to %s, or point k8s_bundle_dir at it" % bundle)


def _check_addons(p, settings, groups):
    if groups.get("gpu_nodes"):
        return
    for name in GPU_ADDONS:
        if _truthy(settings.get(name)):
            p.error(name, "%s is true but the gpu_nodes group is empty" % name,
                    "put the GPU hosts under gpu_nodes, or set %s: false" % name)


def _whole(value, default=None):
    """A whole number from an inventory value (an int or its string), else None; bools are not numbers."""
    if value is None:
        return default
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _vllm_model(p, index, entry, base_port):
    """Check one vllm_models entry; returns what the GPU and NodePort checks need."""
    name = entry.get("name")
    where = "vllm_models[%d] (%s)" % (index, name) if name else "vllm_models[%d]" % index
    if not VLLM_NAME_RE.match(str(name or "")):
        p.error(where, "model name %r is not a DNS label of at most 40 characters" % (name,),
                "name the model with lowercase letters, digits and '-' (it names the Deployment vllm-<name>), "
                "e.g. name: qwen-0-5b")
    sources = [key for key in VLLM_SOURCES if entry.get(key)]
    if not sources:
        p.error(where, "the model has no source of weights",
                "set one of model (a Hugging Face id, e.g. Qwen/Qwen2.5-0.5B-Instruct; offline the bundle's "
                "models/hf/<name>/), host_path (a directory on every GPU node) or claim (+ path: a claim in the "
                "vLLM namespace)")
    elif len(sources) > 1:
        p.error(where, "%s are all set; a model has one source of weights" % " and ".join(sources),
                "keep one of model, host_path or claim")
    tp = _whole(entry.get("tensor_parallel_size"), 1)
    pp = _whole(entry.get("pipeline_parallel_size"), 1)
    gpus = None
    if tp is None or pp is None or tp < 1 or pp < 1:
        p.error(where, "tensor_parallel_size %r and pipeline_parallel_size %r must be whole numbers of 1 or more" % (
            entry.get("tensor_parallel_size", 1), entry.get("pipeline_parallel_size", 1)),
            "set tensor_parallel_size to the GPUs each layer is split over (1, 2, 4 or 8)")
    else:
        gpus = _whole(entry.get("gpus"), tp * pp)
        if gpus != tp * pp:
            p.error(where, "gpus is %r but tensor_parallel_size %d x pipeline_parallel_size %d is %d: vLLM runs one "
                    "worker per GPU of that product, so the pod would %s" % (
                        entry.get("gpus"), tp, pp, tp * pp,
                        "hold GPUs it never uses" if (gpus or 0) > tp * pp else "lack GPUs for its workers"),
                    "remove gpus (it defaults to tensor_parallel_size x pipeline_parallel_size) or set it to %d" % (tp * pp))
            gpus = None
    flags = sorted({str(arg).split("=", 1)[0] for arg in entry.get("extra_args") or []} & set(VLLM_MANAGED_FLAGS))
    if flags:
        p.error(where, "extra_args sets %s, which the role sets from the entry" % ", ".join(flags),
                "use the entry's fields instead (name, model, tensor_parallel_size, pipeline_parallel_size, "
                "max_model_len, dtype; vllm_api_key for --api-key)")
    replicas = _whole(entry.get("replicas"), 1)
    port = entry.get("node_port")
    if port is None and base_port is not None:
        port = base_port + index
    return {"where": where, "name": name, "gpus": gpus, "replicas": replicas if replicas and replicas > 0 else 0,
            "node_port": port, "port_from": "node_port" if entry.get("node_port") is not None else "vllm_node_port + %d" % index}


def _vllm_models(p, settings, roles):
    if not _truthy(settings.get("k8s_vllm_enabled")) or "vllm_models" not in roles:
        return []
    models = roles["vllm_models"]
    if not isinstance(models, list) or not models:
        p.error("vllm_models", "k8s_vllm_enabled is true but vllm_models is %s" % (
            "empty" if models in ([], None, "") else "not a list: %r" % (models,)),
            "list the models to serve, e.g. vllm_models: [{name: qwen-0-5b, model: Qwen/Qwen2.5-0.5B-Instruct}] "
            "(docs/ai.md), or set k8s_vllm_enabled: false")
        return []
    base = _whole(roles.get("vllm_node_port"))
    checked = []
    for index, entry in enumerate(models):
        if not isinstance(entry, dict):
            p.error("vllm_models[%d]" % index, "expected a mapping, found %r" % (entry,),
                    "write each model as a mapping, e.g. {name: qwen-0-5b, model: Qwen/Qwen2.5-0.5B-Instruct}")
            continue
        checked.append(_vllm_model(p, index, entry, base))
    names = [m["name"] for m in checked if m["name"]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        p.error("vllm_models", "two entries are named %s" % name, "give every model its own name")
    return checked


def _check_gpu_fit(p, settings, groups, hosts, roles, models):
    """Each replica on one GPU node; all replicas together within the GPUs of the GPU nodes."""
    gpu_hosts = groups.get("gpu_nodes", [])
    counts = {h: _whole(hosts.get(h, {}).get("gpu_count")) for h in gpu_hosts}
    known = {h: c for h, c in counts.items() if c}
    sized = [m for m in models if m["gpus"]]
    if not sized or not gpu_hosts:
        return
    if not known:
        p.warning("group gpu_nodes", "no GPU node sets gpu_count: the GPUs the vLLM models need cannot be checked",
                  "set gpu_count (the node's expected nvidia.com/gpu count) on every host of gpu_nodes")
        return
    largest = max(known.values())
    listing = ", ".join("%s: %d" % (h, c) for h, c in sorted(known.items()))
    for m in sized:
        if m["gpus"] > largest:
            p.error(m["where"], "one replica needs %d GPUs on one node, but the GPU nodes have at most %d (gpu_count %s)" % (
                m["gpus"], largest, listing),
                "a replica runs on a single node: lower tensor_parallel_size (x pipeline_parallel_size) to at most %d, "
                "or add a GPU node with %d GPUs" % (largest, m["gpus"]))
    if len(known) < len(gpu_hosts):
        return  # the total is unknown while a GPU node has no gpu_count
    shares = max(1, _whole(roles.get("gpu_operator_time_slicing_replicas"), 1) or 1)
    # (a replica that fits no node is reported above; it does not count again here)
    demand = [("%s: %d x %d" % (m["where"], m["replicas"], m["gpus"]), m["replicas"] * m["gpus"])
              for m in sized if m["replicas"] and m["gpus"] <= largest]
    if _truthy(settings.get("k8s_ollama_enabled")):
        gpus, replicas = _whole(roles.get("ollama_gpus"), 1), _whole(roles.get("ollama_replicas"), 1)
        if gpus and replicas:
            demand.append(("Ollama: %d x %d" % (replicas, gpus), replicas * gpus))
    total = sum(known.values()) * shares
    wanted = sum(n for _label, n in demand)
    if wanted > total:
        p.error("vllm_models", "the model servers ask for %d GPUs (replicas x GPUs: %s) but the GPU nodes offer %d (%s%s)" % (
            wanted, "; ".join(label for label, _n in demand), total, listing,
            ", x %d time-slicing" % shares if shares > 1 else ""),
            "lower replicas or GPUs, park a model with replicas: 0, or add GPU nodes; pods beyond the GPUs stay Pending")


def _check_node_ports(p, settings, roles, models):
    """Every enabled add-on's NodePort inside the NodePort range, none shared."""
    wanted = []

    def add(switches, name, owner):
        if all(_truthy(settings.get(s)) for s in switches) and roles.get(name) is not None:
            wanted.append((name, owner, roles[name]))
    add(["k8s_monitoring_enabled"], "monitoring_grafana_node_port", "Grafana")
    add(["k8s_monitoring_enabled", "k8s_dashboard_enabled"], "monitoring_dashboard_node_port", "kubernetes-dashboard")
    add(["k8s_ollama_enabled"], "ollama_node_port", "Ollama")
    add(["k8s_open_webui_enabled"], "open_webui_node_port", "Open WebUI")
    wanted += [(m["where"], "vLLM model %s (%s)" % (m["name"], m["port_from"]), m["node_port"])
               for m in models if m["node_port"] is not None]
    used = {}
    for where, owner, value in wanted:
        port = _whole(value)
        if port is None or not NODE_PORTS[0] <= port <= NODE_PORTS[1]:
            p.error(where, "%s's NodePort %r is outside the NodePort range %d-%d" % (owner, value, NODE_PORTS[0], NODE_PORTS[1]),
                    "choose a free port between %d and %d" % NODE_PORTS)
            continue
        used.setdefault(port, []).append((where, owner))
    for port, owners in sorted(used.items()):
        if len(owners) > 1:
            free = next((n for n in range(port + 1, NODE_PORTS[1] + 1) if n not in used), None)
            users = " and ".join(o for _w, o in owners)
            p.error(", ".join(w for w, _o in owners),
                    "%s %s use NodePort %d" % (users, "both" if len(owners) == 2 else "all", port),
                    "give each its own NodePort in %d-%d%s" % (
                        NODE_PORTS[0], NODE_PORTS[1], ", e.g. %d (free)" % free if free else ""))


def _check_serving(p, settings, groups, hosts, roles):
    """vLLM models, the GPUs they need, and the NodePorts of every add-on."""
    models = _vllm_models(p, settings, roles)
    _check_gpu_fit(p, settings, groups, hosts, roles, models)
    _check_node_ports(p, settings, roles, models)
    if _truthy(settings.get("k8s_open_webui_enabled")) and not (
            _truthy(settings.get("k8s_ollama_enabled")) or _truthy(settings.get("k8s_vllm_enabled"))):
        p.warning("k8s_open_webui_enabled", "Open WebUI is enabled but neither Ollama nor vLLM is: it has no model to offer",
                  "set k8s_ollama_enabled or k8s_vllm_enabled (with vllm_models) too, or connect it yourself (open_webui_env)")


def _check_mirrors_and_proxy(p, settings):
    mirrors = settings.get("k8s_registry_mirrors")
    if mirrors in (None, ""):
        mirrors = {}
    if not isinstance(mirrors, dict):
        p.error("k8s_registry_mirrors", "expected a mapping registry -> list of endpoints, found %r" % (mirrors,),
                'write e.g. k8s_registry_mirrors: {"docker.io": ["https://docker.m.daocloud.io"]}')
    else:
        for registry, endpoints in mirrors.items():
            if isinstance(endpoints, str) or not isinstance(endpoints, list) or not endpoints:
                p.error("k8s_registry_mirrors[%s]" % registry, "expected a non-empty list of endpoints, found %r" % (endpoints,),
                        "list the mirror URLs for %s, e.g. [\"https://mirror.example\"]" % registry)
                continue
            for endpoint in endpoints:
                if not isinstance(endpoint, str) or not re.match(r"^https?://[^/\s]+", endpoint):
                    p.error("k8s_registry_mirrors[%s]" % registry, "endpoint %r is not an http(s) URL" % (endpoint,),
                            "write mirror endpoints as URLs, e.g. https://mirror.example")
    for name in ("k8s_http_proxy", "k8s_https_proxy"):
        value = settings.get(name) or ""
        if value and not re.match(r"^https?://[^/\s]+", str(value)):
            p.error(name, "%r is not an http(s) proxy URL" % (value,), "write it as http://proxy.example:3128")


def _check_unknown(p, settings, known):
    if not known:
        return
    for name in sorted(set(settings) - set(known)):
        if name in RENAMED:
            p.error(name, "%s was replaced by %s" % (name, RENAMED[name]),
                    "remove %s and set %s instead" % (name, RENAMED[name]))
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = "did you mean %s? " % close[0] if close else ""
        p.error(name, "unknown cluster variable %s (not defined by aiinfra.k8s)" % name,
                "%sfix the name or remove it; the k8s_* variables are listed in the inventory's "
                "group_vars/all.yml and roles/common/defaults/main/" % hint)


def check_cluster(settings, groups, hosts, context=None, roles=None):
    """Validate cluster settings, inventory groups and host addresses.

    settings: dict of k8s_* variables; groups: dict group -> list of host names;
    hosts: dict host -> {"address": str, "networks": [cidr, ...] (optional),
    "gpu_count": int (GPU nodes, optional)};
    context: {"bundle_dir_exists": bool, "known": [names of every k8s_* variable the
    collection defines]} and other controller-side observations;
    roles: the add-on roles' settings of ROLE_SETTINGS (NodePorts, vllm_models, ...);
    a name that is absent is not checked.
    """
    context = context or {}
    p = Problems()
    _check_unknown(p, settings, context.get("known"))
    groups = {k: list(v or []) for k, v in (groups or {}).items()}
    for name in BOOL_SETTINGS:
        value = settings.get(name)
        if value is not None and not isinstance(value, bool) and str(value).lower() not in (
                "true", "false", "yes", "no", "1", "0", "on", "off"):
            p.error(name, "expected true or false, found %r" % (value,), "set %s: true or %s: false" % (name, name))
    distribution = _enum(p, settings, "k8s_distribution", DISTRIBUTIONS)
    if distribution and settings.get("k8s_cni") is not None:
        _enum(p, settings, "k8s_cni", CNIS[distribution])
    _check_version(p, settings)
    _check_groups(p, settings, groups)
    cluster_hosts = set()
    for g in NODE_GROUPS + ("lb",):
        cluster_hosts.update(groups.get(g, []))
    addresses = _check_addresses(p, {h: hosts.get(h, {}) for h in cluster_hosts})
    pod, svc, node_networks = _check_cidrs(p, settings, groups, addresses)
    _check_vip(p, settings, groups, hosts, addresses, pod, svc, node_networks)
    _check_install(p, settings, context)
    _check_addons(p, settings, groups)
    _check_serving(p, settings, groups, hosts, roles or {})
    _check_mirrors_and_proxy(p, settings)
    return list(p)


def format_problems(problems):
    """Human-readable report: errors first, numbered, each with where/what/fix."""
    errors = [x for x in problems if x.get("severity") == "error"]
    warnings = [x for x in problems if x.get("severity") != "error"]
    lines = []
    if errors:
        lines.append("Inventory validation failed: %d problem%s." % (len(errors), "" if len(errors) == 1 else "s"))
    for number, item in enumerate(errors + warnings, 1):
        tag = "ERROR" if item.get("severity") == "error" else "WARNING"
        lines.append("%d. %s [%s] %s" % (number, tag, item.get("where"), item.get("problem")))
        lines.append("   fix: %s" % item.get("fix"))
    return "\n".join(lines)
