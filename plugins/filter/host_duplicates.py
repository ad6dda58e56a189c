# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: host_duplicates
short_description: Hostnames, MAC addresses and product_uuid shared by several hosts
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Kubernetes needs every node to have its own hostname, MAC addresses and
    product_uuid (cloned VMs often share them). Returns one problem per host involved.
  - A shared hostname is only a warning for hosts that the nodes phase renames to their
    inventory name (C(renamed_to) set).
  - Placeholder product_uuid values (empty, C(Not Settable), all zeros, ...) and the
    all-zero MAC address are never compared.
options:
  _input:
    description:
      - Host name -> C({hostname, renamed_to, interfaces, product_uuid}); C(interfaces) is a list of
        C({name, mac}) or of the interfaces' gathered facts (C({device, macaddress})).
    type: dict
    required: true
  check_product_uuid:
    description: Compare product_uuid (turn off on containers or nested VMs that share the hypervisor's DMI).
    type: bool
    default: true
  mac_ignore:
    description: Regular expression of interface names whose MAC addresses are not compared (virtual interfaces).
    type: str
"""

EXAMPLES = r"""
- name: Compare the hosts of the play
  ansible.builtin.set_fact:
    duplicates: "{{ identities | aiinfra.k8s.host_duplicates(check_product_uuid=false, mac_ignore='^(docker|veth|cali)') }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: Problems, each C({severity, host, where, problem, fix}).
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require


def host_duplicates(hosts, check_product_uuid=True, mac_ignore=None):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _host_checks

    require("host_duplicates", isinstance(hosts, Mapping), "a mapping of host name -> identity")
    return call("host_duplicates", _host_checks.duplicate_problems, plain(hosts),
                check_product_uuid=bool(check_product_uuid), mac_ignore=mac_ignore or None)


class FilterModule(object):
    def filters(self):
        return {"host_duplicates": host_duplicates}
