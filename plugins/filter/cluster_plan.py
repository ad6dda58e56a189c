# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_plan
short_description: Decide which nodes must be initialised or joined, from what is on them
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Pure decision logic of the C(kubeadm_init) and C(k3s) roles. The roles look on every
    node for the files that prove it is already part of a cluster (kubeadm
    C(/etc/kubernetes/admin.conf) on the first master, C(/etc/kubernetes/kubelet.conf) on
    every node; k3s C(server/token) and C(agent/kubelet.kubeconfig)), and this filter turns
    those observations into the plan for the run.
  - The first master is the first host of the C(masters) group (inventory order), whether
    or not it is in the play. Only hosts in O(play_hosts) are ever initialised or joined.
  - Inconsistent states are returned as problems (what, where, how to fix) rather than
    acted upon, for example nodes that are joined to a cluster while the first master
    has none (a half reset), or a pending initialisation while the first master is
    outside C(--limit).
options:
  _input:
    description:
      - Per-host observations, host name to a mapping with C(joined) (bool, the node is
        part of a cluster) and, for the first master, C(initialised) (bool, it holds a
        control plane or k3s server state).
      - Hosts missing from the mapping count as not joined. The first master must be
        present (its C(initialised) value is required).
    type: dict
    required: true
  groups:
    description: The C(groups) mapping (C(masters), C(workers), C(gpu_nodes) are read).
    type: dict
    required: true
  play_hosts:
    description: Hosts of the current play (C(ansible_play_hosts_all)); defaults to every cluster host.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Plan the run
  ansible.builtin.set_fact:
    _plan: "{{ states | aiinfra.k8s.cluster_plan(groups, ansible_play_hosts_all) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    first_master:
      description: Name of the first master.
      type: str
    init:
      description: The first master must be initialised in this run.
      type: bool
    control_plane_joins:
      description: Masters (other than the first) to join as control planes, in inventory order.
      type: list
      elements: str
    worker_joins:
      description: Workers and GPU nodes to join, in inventory order.
      type: list
      elements: str
    joins:
      description: control_plane_joins + worker_joins.
      type: list
      elements: str
    join_info_needed:
      description: Join parameters (token, CA hash) must be fetched from the first master.
      type: bool
    certificate_key_needed:
      description: A control-plane join is pending, so a certificate key must be uploaded.
      type: bool
    problems:
      description: Inconsistencies that must stop the run (each with where, problem, fix).
      type: list
      elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _group(groups, name):
    hosts = groups.get(name) or []
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("cluster_plan: groups[%r] must be a list of host names" % name)
    return list(hosts)


def _flag(states, host, key):
    value = (states.get(host) or {}).get(key, False)
    if not isinstance(value, bool):
        raise AnsibleFilterError("cluster_plan: %s.%s must be a boolean, got %r" % (host, key, value))
    return value


def cluster_plan(states, groups, play_hosts=None):
    if not isinstance(states, Mapping) or not all(isinstance(v, Mapping) for v in states.values()):
        raise AnsibleFilterError("cluster_plan: expected a mapping of host name to observations")
    if not isinstance(groups, Mapping):
        raise AnsibleFilterError("cluster_plan: expected the groups mapping as its argument")
    masters = _group(groups, "masters")
    if not masters:
        raise AnsibleFilterError("cluster_plan: the masters group is empty")
    nodes = _group(groups, "workers") + _group(groups, "gpu_nodes")
    if play_hosts is None:
        play_hosts = masters + nodes
    if isinstance(play_hosts, (str, bytes)) or not isinstance(play_hosts, (list, tuple)):
        raise AnsibleFilterError("cluster_plan: play_hosts must be a list of host names")
    in_play = set(play_hosts)

    first = masters[0]
    if first not in states or "initialised" not in states[first]:
        raise AnsibleFilterError("cluster_plan: no 'initialised' observation for the first master %s" % first)
    initialised = _flag(states, first, "initialised")

    problems = []
    cp_joins = [h for h in masters[1:] if h in in_play and not _flag(states, h, "joined")]
    worker_joins = [h for h in nodes if h in in_play and h not in masters and not _flag(states, h, "joined")]
    init = not initialised and first in in_play

    if not initialised:
        if first not in in_play:
            problems.append({
                "severity": "error", "where": "host %s" % first,
                "problem": "the first master %s has no control plane yet and is outside this run (--limit)" % first,
                "fix": "include %s in --limit (or run without --limit) so it is initialised first" % first,
            })
        stale = [h for h in masters[1:] + nodes if _flag(states, h, "joined")]
        if stale:
            problems.append({
                "severity": "error", "where": "hosts %s" % ", ".join(stale),
                "problem": "%s already belong to a cluster, but the first master %s has none (a partial reset?)"
                           % (", ".join(stale), first),
                "fix": "reset them too (playbooks/reset.yml --limit %s -e reset_confirm=yes), then run again"
                       % ",".join(stale),
            })
    joins = cp_joins + worker_joins
    return {
        "first_master": first,
        "init": init,
        "control_plane_joins": cp_joins,
        "worker_joins": worker_joins,
        "joins": joins,
        "join_info_needed": bool(joins) and not problems,
        "certificate_key_needed": bool(cp_joins) and not problems,
        "problems": problems,
    }


class FilterModule(object):
    def filters(self):
        return {"cluster_plan": cluster_plan}
