# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: haproxy_backends
short_description: haproxy backend servers (the masters) from the inventory
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Turns a list of inventory host names (normally C(groups['masters'])) into the
    server list of the haproxy API backend, in the order of the input list.
  - The address of each host is the one the collection uses for cluster traffic,
    C(k8s_node_address) when set, else C(ansible_host), else the inventory name
    itself (a resolvable name).
  - Fails with an explanation on an empty list, a host missing from the inventory,
    a server name haproxy cannot use, an address with a prefix length or blanks, a
    port outside 1-65535, or two hosts sharing one address and port.
options:
  _input:
    description: Inventory host names, for example C(groups['masters']).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) mapping.
    type: dict
    required: true
  port:
    description: Port kube-apiserver listens on, on every host (C(k8s_apiserver_port)).
    type: int
    default: 6443
"""

EXAMPLES = r"""
- name: Render the API backend
  ansible.builtin.template:
    src: haproxy.cfg.j2
    dest: /etc/haproxy/haproxy.cfg
    validate: haproxy -c -f %s
  vars:
    backends: "{{ groups['masters'] | aiinfra.k8s.haproxy_backends(hostvars, k8s_apiserver_port) }}"
# in the template:
#   {% for b in backends %}
#   server {{ b.name }} {{ b.address }}:{{ b.port }} check check-ssl verify none
#   {% endfor %}
"""

RETURN = r"""
_value:
  description: One entry per host, in the order of the input list.
  type: list
  elements: dict
  contains:
    name:
      description: The inventory host name (the haproxy server name).
      type: str
    address:
      description: C(k8s_node_address), else C(ansible_host), else the host name.
      type: str
    port:
      description: The API server port.
      type: int
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._inventory import node_address

# haproxy server names: letters, digits and - _ . : (cfgparse's invalid_char()).
_NAME = re.compile(r"^[A-Za-z0-9_.:-]+$")


def _fail(message):
    raise AnsibleFilterError("haproxy_backends: %s" % message)


def _port(value):
    if isinstance(value, bool):
        _fail("port must be a number from 1 to 65535, got %r" % (value,))
    try:
        port = int(str(value).strip())
    except (TypeError, ValueError):
        _fail("port must be a number from 1 to 65535, got %r (set k8s_apiserver_port)" % (value,))
    if not 1 <= port <= 65535:
        _fail("port must be a number from 1 to 65535, got %r (set k8s_apiserver_port)" % (value,))
    return port


def haproxy_backends(hosts, hostvars, port=6443):
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, (list, tuple)):
        _fail("expected a list of inventory host names such as groups['masters'], got %r" % (hosts,))
    if not isinstance(hostvars, Mapping):
        _fail("expected hostvars as the first argument, got %s" % type(hostvars).__name__)
    port = _port(port)
    if not hosts:
        _fail("no backend hosts: the masters group is empty; put the control-plane hosts under "
              "`masters` in the inventory")
    result = []
    seen = {}
    for name in hosts:
        if not isinstance(name, str) or not name:
            _fail("host names must be non-empty strings, got %r" % (name,))
        if name not in hostvars:
            _fail("host %s is not in the inventory (hostvars has no entry for it)" % name)
        if not _NAME.match(name):
            _fail("host name %r cannot be an haproxy server name (allowed: letters, digits, "
                  "'-', '_', '.', ':'); rename the inventory host" % name)
        address = node_address(name, hostvars)
        if not address or any(c.isspace() for c in address) or "/" in address:
            _fail("host %s: address %r is not a plain IP address or host name (no prefix length, "
                  "no blanks); fix k8s_node_address / ansible_host" % (name, address))
        key = (address, port)
        if key in seen:
            _fail("hosts %s and %s both resolve to %s:%d; give each master its own "
                  "k8s_node_address" % (seen[key], name, address, port))
        seen[key] = name
        result.append({"name": name, "address": address, "port": port})
    return result


class FilterModule(object):
    def filters(self):
        return {"haproxy_backends": haproxy_backends}
