# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_problems
short_description: Validate an aiinfra.k8s inventory and its cluster-wide variables
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Checks the cluster-wide C(k8s_*) settings, the inventory groups and the node
    addresses before anything changes on a host, and returns every problem found.
  - Checks include distribution, version, install mode and bundle directory; pod and
    service CIDRs (valid, non-overlapping with each other, with O(_input) node networks
    and node addresses, big enough for every node); the API VIP (valid, inside the lb
    hosts' subnet, not a node address, lb group present); the master count; the
    haproxy port against kube-apiserver's on lb hosts that are masters; GPU add-ons
    without GPU nodes; hosts listed in groups that exclude each other; duplicate node
    addresses; registry mirror and proxy syntax; a VRRP password (its length only) on
    every lb host when a VIP is set.
  - For the serving add-ons, every vLLM model has one source of weights, a valid name, GPUs
    equal to tensor x pipeline parallel size and fits on one GPU node (host variable
    C(gpu_count)); the model servers together fit the GPU nodes; the NodePorts of the
    enabled add-ons (Grafana, dashboard, Ollama, vLLM, Open WebUI) are in the NodePort range
    and distinct. These role settings are read from the first master's variables, falling
    back to O(role_defaults).
  - Node networks come from the hosts' gathered facts when present (the preflight role
    runs the check again after gathering them), else from C(k8s_node_networks).
options:
  _input:
    description: Mapping of the C(k8s_*) variables (name to value).
    type: dict
    required: true
  groups:
    description: The inventory C(groups) mapping.
    type: dict
    required: true
  hostvars:
    description: The C(hostvars) mapping; the node address is C(k8s_node_address),
      else C(ansible_host), else the inventory name.
    type: dict
    required: true
  bundle_dir_exists:
    description: Whether C(k8s_bundle_dir) exists on the controller (omit when unknown).
    type: bool
  known:
    description:
      - Names of every C(k8s_*) variable the collection defines. When given, any other
        C(k8s_*) name in O(_input) is reported (with the closest known name), which
        catches typos in inventories.
    type: list
    elements: str
  role_defaults:
    description:
      - Defaults of the add-on roles (name to value), used for the role settings the
        serving checks read (C(vllm_models), the C(*_node_port) variables, ...) where the
        inventory sets none.
    type: dict
"""

EXAMPLES = r"""
- name: Validate the inventory
  vars:
    problems: "{{ settings | aiinfra.k8s.cluster_problems(groups, hostvars) }}"
  ansible.builtin.fail:
    msg: "{{ problems | aiinfra.k8s.problems_report }}"
  when: problems | selectattr('severity', '==', 'error') | list | length > 0
"""

RETURN = r"""
_value:
  description: One entry per problem, errors and warnings.
  type: list
  elements: dict
  contains:
    severity:
      description: C(error) (blocks the run) or C(warning).
      type: str
    where:
      description: The variable, group or host at fault.
      type: str
    problem:
      description: What is wrong, with the value found.
      type: str
    fix:
      description: How to fix it.
      type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


GROUPS = ("masters", "workers", "gpu_nodes", "lb")


def _host_model(name, hostvars):
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._inventory import node_address
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import interface_networks

    hv = hostvars[name] if name in hostvars else {}
    address = node_address(name, hostvars)
    facts = hv.get("ansible_facts") or {}
    # Only the length of the VRRP password leaves this function (never the value).
    vrrp_pass = hv.get("keepalived_haproxy_auth_pass") or ""
    return {"address": address, "networks": interface_networks(facts) if facts else [],
            "vrrp_pass_length": len(str(vrrp_pass)), "gpu_count": hv.get("gpu_count")}


def _role_settings(groups, hostvars, defaults):
    """The add-on roles' settings as the first master (where the add-ons run) sees them."""
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_checks import ROLE_SETTINGS

    masters = list(groups.get("masters") or [])
    hv = hostvars[masters[0]] if masters and masters[0] in hostvars else {}
    found = {}
    for name in ROLE_SETTINGS:
        if name in hv:
            found[name] = hv[name]
        elif name in defaults:
            found[name] = defaults[name]
    return found


def cluster_problems(settings, groups, hostvars, bundle_dir_exists=None, known=None, role_defaults=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_checks import check_cluster
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import require_netaddr

    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("cluster_problems: input must be a mapping of k8s_* variables, got %s" % type(settings).__name__)
    if not isinstance(groups, Mapping) or not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("cluster_problems: pass the `groups` and `hostvars` mappings")
    try:
        require_netaddr()
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))
    names = set()
    selected = {}
    for group in GROUPS:
        members = list(groups.get(group) or [])
        selected[group] = members
        names.update(members)
    hosts = {}
    for name in sorted(names):
        hosts[name] = _host_model(name, hostvars)
    context = {}
    if bundle_dir_exists is not None:
        context["bundle_dir_exists"] = bool(bundle_dir_exists)
    if known:
        context["known"] = [str(x) for x in known]
    roles = _role_settings(groups, hostvars, dict(role_defaults or {}))
    return check_cluster(dict(settings), selected, hosts, context, roles)


class FilterModule(object):
    def filters(self):
        return {"cluster_problems": cluster_problems}
