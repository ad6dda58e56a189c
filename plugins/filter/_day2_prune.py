# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_prune
short_description: 'Internal: snapshot files to delete so that the newest N remain'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Names sort by time (C(etcd-<UTC time>.db)).
- 'Logic: C(prune) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: File paths.
    type: list
    required: true
  keep:
    description: How many to keep (at least 1).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    old: "{{ files | aiinfra.k8s._day2_prune(7) }}"
"""

RETURN = r"""
_value:
  description: List of paths, oldest first.
  type: list
"""

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import prune
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _day2_prune(files, keep):
    return plain(call("_day2_prune", prune,
                      plain(files) or [], keep))


class FilterModule(object):
    def filters(self):
        return {"_day2_prune": _day2_prune}
