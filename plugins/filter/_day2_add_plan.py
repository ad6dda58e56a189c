# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_add_plan
short_description: 'Internal: which inventory hosts add_nodes.yml joins, and which lb hosts it updates'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- 'Compares the inventory with the cluster''s NodeList: hosts of C(masters), C(workers) and C(gpu_nodes) that are
  not Nodes and are in this run join; the others are left alone.'
- 'Problems (what, where, fix) stop the run: the first master not a node, the inventory''s version (C(k8s_version),
  or C(k3s_version)) not the cluster''s, lb hosts outside C(--limit) while masters join. Warnings: hosts left out
  by C(--limit), nodes the inventory does not list.'
- 'Logic: C(add_plan) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: The NodeList (GET /api/v1/nodes).
    type: dict
    required: true
  groups:
    description: The C(groups) mapping.
    type: dict
    required: true
  play_hosts:
    description: Hosts this run may touch (C(ansible_play_hosts_all)).
    type: list
    required: true
  version:
    description: The version new nodes would install.
    type: str
    required: true
  distribution:
    description: C(kubeadm) or C(k3s).
    type: str
  lb_needed:
    description: Whether there is a VIP (lb hosts to update).
    type: bool
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _day2_add: "{{ nodes.json | aiinfra.k8s._day2_add_plan(groups, ansible_play_hosts_all, k8s_version) }}"
"""

RETURN = r"""
_value:
  description: Mapping with new, new_masters, new_workers, lb_update, registered, cluster_versions, problems.
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import add_plan
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_add_plan(nodes, groups, play_hosts, version, distribution="kubeadm", lb_needed=True):
    return plain(call("_day2_add_plan", add_plan,
                      plain(groups), plain(nodes), plain(play_hosts) or [], version, distribution, bool(lb_needed)))


class FilterModule(object):
    def filters(self):
        return {"_day2_add_plan": _day2_add_plan}
