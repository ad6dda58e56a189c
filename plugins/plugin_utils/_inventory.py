# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: how aiinfra.k8s reads hosts from the inventory.

Internal API: used by the collection's filters; may change without notice.
"""
from __future__ import annotations


def node_address(name, hostvars):
    """The address a host uses for cluster traffic.

    `k8s_node_address` when set, else `ansible_host`, else the inventory name itself.
    `hostvars` is Ansible's hostvars mapping (or any mapping of host -> variables); a
    host missing from it resolves to its name.
    """
    hv = hostvars[name] if name in hostvars else {}
    return str(hv.get("k8s_node_address") or hv.get("ansible_host") or name).strip()
