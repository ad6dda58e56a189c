# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: host_problems_report
short_description: Format preflight host problems as an operator-readable report
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Numbered lines, errors first, each followed by how to fix it, for one host or for
    all. The first line counts the errors when there are any.
options:
  _input:
    description: Problems from P(aiinfra.k8s.host_problems#filter) or P(aiinfra.k8s.host_duplicates#filter).
    type: list
    elements: dict
    required: true
  host:
    description: Only this host's problems (all when omitted).
    type: str
"""

EXAMPLES = r"""
- name: Fail with every problem of this host
  ansible.builtin.fail:
    msg: "{{ problems | aiinfra.k8s.host_problems_report(inventory_hostname) }}"
  when: problems | selectattr('severity', '==', 'error') | list | length > 0
"""

RETURN = r"""
_value:
  description: The report, one problem per numbered line plus a C(fix:) line.
  type: str
"""

from collections.abc import Mapping

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import plain, require


def host_problems_report(problems, host=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _host_checks

    require("host_problems_report",
            isinstance(problems, (list, tuple)) and all(isinstance(x, Mapping) for x in problems),
            "a list of problem mappings")
    return _host_checks.format_host_report(plain(problems), host)


class FilterModule(object):
    def filters(self):
        return {"host_problems_report": host_problems_report}
