# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_etcd_members
short_description: 'Internal: etcd members with their health'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Joins C(etcdctl member list -w json) with C(etcdctl endpoint health --cluster -w json) by client URL. Member IDs
  become hexadecimal, as C(etcdctl member remove) wants them.
- 'Logic: C(etcd_members) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Parsed C(etcdctl member list -w json).
    type: dict
    required: true
  endpoint_health:
    description: Parsed C(etcdctl endpoint health --cluster -w json); health unknown without it.
    type: list
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    members: "{{ list.stdout | from_json | aiinfra.k8s._day2_etcd_members(health.stdout | from_json) }}"
"""

RETURN = r"""
_value:
  description: List of mappings with id, name, peer_urls, client_urls, healthy, learner.
  type: list
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import etcd_members
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_etcd_members(member_list, endpoint_health=None):
    return plain(call("_day2_etcd_members", etcd_members,
                      plain(member_list), plain(endpoint_health)))


class FilterModule(object):
    def filters(self):
        return {"_day2_etcd_members": _day2_etcd_members}
