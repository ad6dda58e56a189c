# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: _day2_certs_report
short_description: 'Internal: kubeadm certificate expiry of every master as one table'
author: aiinfra.k8s contributors
description:
- Internal to the day-2 playbooks (docs/day2.md), not part of the collection's public API; its name, arguments and
  result may change in any release.
- Parses C(kubeadm certs check-expiration) of each master and sorts every certificate and CA by days left, with
  a warning for each within O(warn_days).
- 'Logic: C(parse_check_expiration) and C(certs_report) in plugins/plugin_utils/_day2.py.'
options:
  _input:
    description: Host to the command's output.
    type: dict
    required: true
  warn_days:
    description: Warn below this many days.
    type: int
"""

EXAMPLES = r"""
- name: Plan (as the day-2 playbooks do)
  ansible.builtin.set_fact:
    _certs: "{{ outputs | aiinfra.k8s._day2_certs_report(30) }}"
"""

RETURN = r"""
_value:
  description: Mapping with rows, table (lines), soonest, problems (warnings).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._day2 import certs_report, parse_check_expiration
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require


def _day2_certs_report(outputs, warn_days=30):
    outputs = plain(outputs)
    require("_day2_certs_report", isinstance(outputs, dict), "host -> kubeadm certs check-expiration output")
    tables = {}
    for host, text in outputs.items():
        try:
            tables[host] = parse_check_expiration(text)
        except ValueError as exc:
            raise AnsibleFilterError("_day2_certs_report: %s: %s" % (host, exc))
    return plain(call("_day2_certs_report", certs_report,
                      tables, warn_days))


class FilterModule(object):
    def filters(self):
        return {"_day2_certs_report": _day2_certs_report}
