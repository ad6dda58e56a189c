# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_snapshot_check
short_description: 'Internal: problems of an etcd snapshot'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- 'Checks C(etcdutl snapshot status -w json): all fields present, keys and a revision.'
- 'Logic: C(snapshot_check) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Parsed C(etcdutl snapshot status -w json).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    problems: "{{ status.stdout | from_json | aiinfra.k8s._day2_snapshot_check }}"
"""

RETURN = r"""
_value:
  description: 'List of problems (empty: usable).'
  type: list
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import snapshot_check
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_snapshot_check(status):
    return plain(call("_day2_snapshot_check", snapshot_check,
                      plain(status)))


class FilterModule(object):
    def filters(self):
        return {"_day2_snapshot_check": _day2_snapshot_check}
