# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: interface_networks
short_description: IPv4 networks of a host from its gathered facts
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Lists the networks (CIDR) of every non-loopback IPv4 address in the host's
    gathered facts, primary and secondary addresses included, each network once, in
    the order of C(ansible_facts.interfaces).
options:
  _input:
    description: The host's C(ansible_facts) (needs the C(network) subset).
    type: dict
    required: true
requirements:
  - netaddr (on the controller)
"""

EXAMPLES = r"""
- name: Networks this host has an address in
  ansible.builtin.debug:
    msg: "{{ ansible_facts | aiinfra.k8s.interface_networks }}"   # ['192.0.2.0/24', '172.17.0.0/16']
"""

RETURN = r"""
_value:
  description: Networks in CIDR form, e.g. C(192.0.2.0/24).
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require
from ansible_collections.aiinfra.k8s.plugins.plugin_utils._network import interface_networks as _networks


def interface_networks(ansible_facts):
    require("interface_networks", isinstance(ansible_facts, Mapping), "the ansible_facts mapping")
    return call("interface_networks", _networks, plain(ansible_facts))


class FilterModule(object):
    def filters(self):
        return {"interface_networks": interface_networks}
