from __future__ import annotations

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._inventory import node_address

HOSTVARS = {
    "a": {"k8s_node_address": "10.0.0.1", "ansible_host": "a.example"},
    "b": {"ansible_host": " 192.0.2.7 "},
    "c": {"k8s_node_address": "", "ansible_host": "192.0.2.9"},
    "d": {},
}


@pytest.mark.parametrize("name,expected", [
    ("a", "10.0.0.1"),      # k8s_node_address wins
    ("b", "192.0.2.7"),     # else ansible_host, stripped
    ("c", "192.0.2.9"),     # an empty k8s_node_address does not count
    ("d", "d"),             # else the inventory name
    ("missing", "missing"),
])
def test_node_address(name, expected):
    assert node_address(name, HOSTVARS) == expected
