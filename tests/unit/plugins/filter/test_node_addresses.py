from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.node_addresses import node_addresses


HOSTVARS = {
    "master1": {"ansible_host": "192.0.2.125", "k8s_node_address": "10.0.0.11"},
    "node1": {"ansible_host": "192.0.2.7"},
    "gpu1": {"ansible_host": "192.0.2.225", "k8s_node_address": ""},
    "local": {},
}


@pytest.mark.parametrize(
    "hosts, expected",
    [
        (["master1"], {"master1": "10.0.0.11"}),
        (["node1"], {"node1": "192.0.2.7"}),
        # an empty k8s_node_address falls back to ansible_host
        (["gpu1"], {"gpu1": "192.0.2.225"}),
        # neither set: the name itself (resolvable names are valid ansible_host values too)
        (["local"], {"local": "local"}),
        # a host absent from hostvars is named, not dropped
        (["ghost"], {"ghost": "ghost"}),
        ([], {}),
    ],
)
def test_node_addresses(hosts, expected):
    assert node_addresses(hosts, HOSTVARS) == expected


def test_order_follows_input():
    assert list(node_addresses(["node1", "master1", "gpu1"], HOSTVARS)) == ["node1", "master1", "gpu1"]


@pytest.mark.parametrize("hosts", ["master1", None, 3])
def test_rejects_non_list(hosts):
    with pytest.raises(AnsibleFilterError, match="list of inventory host names"):
        node_addresses(hosts, HOSTVARS)


def test_rejects_bad_names():
    with pytest.raises(AnsibleFilterError, match="non-empty strings"):
        node_addresses(["master1", ""], HOSTVARS)


def test_rejects_missing_hostvars():
    with pytest.raises(AnsibleFilterError, match="hostvars"):
        node_addresses(["master1"], ["not", "a", "mapping"])
