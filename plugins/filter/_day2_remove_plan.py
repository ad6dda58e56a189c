# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_remove_plan
short_description: 'Internal: what removing one node involves, and whether it may go'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Refuses the first master (the playbooks act through it), the only node, an unknown name, and a master whose removal
  leaves fewer healthy etcd members than the quorum of the smaller cluster.
- 'Logic: C(remove_plan) and C(quorum_check) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Name of the node to remove.
    type: str
    required: true
  groups:
    description: The C(groups) mapping.
    type: dict
    required: true
  nodes:
    description: The NodeList.
    type: dict
    required: true
  members:
    description: Members from P(aiinfra.k8s._day2_etcd_members#filter) (kubeadm); omitted for k3s, where the server
      nodes count (Ready = healthy).
    type: list
  distribution:
    description: C(kubeadm) or C(k3s).
    type: str
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _plan: "{{ 'worker2' | aiinfra.k8s._day2_remove_plan(groups, nodes.json, members) }}"
"""

RETURN = r"""
_value:
  description: Mapping with node, role, registered, lb_host, lb_others, masters_after, etcd_member, quorum, problems.
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import remove_plan
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_remove_plan(node, groups, nodes, members=None, distribution="kubeadm"):
    return plain(call("_day2_remove_plan", remove_plan,
                      node, plain(groups), plain(nodes), plain(members), distribution))


class FilterModule(object):
    def filters(self):
        return {"_day2_remove_plan": _day2_remove_plan}
