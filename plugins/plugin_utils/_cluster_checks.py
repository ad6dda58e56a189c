# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: inventory and variable validation for aiinfra.k8s (pure Python).

Internal API: used by the `cluster_problems` filter (playbooks/validate.yml and the
preflight role); may change without notice.

`check_cluster(settings, groups, hosts)` returns a list of problems. Each problem is
a dict with:
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
GPU_ADDONS = ("k8s_gpu_operator_enabled", "k8s_ollama_enabled")
BOOL_SETTINGS = (
    "k8s_allow_even_masters", "k8s_kubelet_fail_cgroup_v1", "k8s_coredns_enabled",
    "k8s_nfs_csi_enabled", "k8s_gpu_operator_enabled", "k8s_monitoring_enabled",
    "k8s_dashboard_enabled", "k8s_ollama_enabled",
)


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


def check_cluster(settings, groups, hosts, context=None):
    """Validate cluster settings, inventory groups and host addresses.

    settings: dict of k8s_* variables; groups: dict group -> list of host names;
    hosts: dict host -> {"address": str, "networks": [cidr, ...] (optional)};
    context: {"bundle_dir_exists": bool, "known": [names of every k8s_* variable the
    collection defines]} and other controller-side observations.
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
