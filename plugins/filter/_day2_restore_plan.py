# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_restore_plan
short_description: 'Internal: etcdutl snapshot restore arguments of every member'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Every current member is restored under its name and peer URL, with a new cluster token; without a member list
  the masters group is used.
- 'Problems: members that are not masters, masters that are not members, hosts without an address.'
- 'Logic: C(restore_plan) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Members from P(aiinfra.k8s._day2_etcd_members#filter) (may be empty).
    type: list
    required: true
  masters:
    description: The masters group.
    type: list
    required: true
  addresses:
    description: Host to address.
    type: dict
    required: true
  token:
    description: The new initial cluster token.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _plan: "{{ members | aiinfra.k8s._day2_restore_plan(groups['masters'], addresses, 'aiinfra-restore-1') }}"
"""

RETURN = r"""
_value:
  description: Mapping with members, hosts (per host name, initial_cluster, initial_cluster_token, initial_advertise_peer_urls),
    initial_cluster, token, problems.
  type: dict
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import restore_plan
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_restore_plan(members, masters, addresses, token):
    return plain(call("_day2_restore_plan", restore_plan,
                      plain(members) or [], plain(masters) or [], plain(addresses), token))


class FilterModule(object):
    def filters(self):
        return {"_day2_restore_plan": _day2_restore_plan}
