"""node_registration_problems: labels and taints kubelet / the API server would refuse."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter.node_registration_problems import (
    FilterModule, kubelet_refuses, node_registration_problems, qualified_name_error)


def problems(labels=None, taints=None):
    return node_registration_problems(labels or {}, taints or [], "gpu1")


def test_seed_labels_and_gpu_label_pass():
    assert problems({"gputype": "H100", "nvidia.com/gpu.present": "true"},
                    [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]) == []


@pytest.mark.parametrize("key", [
    "node-role.kubernetes.io/worker", "kubernetes.io/role", "k8s.io/anything", "foo.k8s.io/bar",
])
def test_restricted_namespaces_are_refused(key):
    (problem,) = problems({key: ""})
    assert problem["where"] == "host gpu1, label %s" % key
    assert "kubelet refuses to register" in problem["problem"]
    assert "set it through the API" in problem["fix"]


@pytest.mark.parametrize("key", [
    "node.kubernetes.io/instance-type", "topology.kubernetes.io/zone", "kubernetes.io/arch",
    "kubelet.kubernetes.io/foo", "node.kubernetes.io/gpu", "sub.node.kubernetes.io/x", "example.com/tier",
])
def test_kubelet_allowed_labels_pass(key):
    assert not kubelet_refuses(key)
    assert problems({key: "a"}) == []


@pytest.mark.parametrize("key, fragment", [
    ("", "non-empty"),
    ("/name", "prefix before '/' is empty"),
    ("Example.COM/x", "not a lowercase DNS subdomain"),
    ("x" * 64, "must be 1-63 characters"),
    ("-bad", "must be 1-63 characters"),
    ("a/b/c", "not a lowercase DNS subdomain"),
])
def test_bad_keys(key, fragment):
    assert fragment in qualified_name_error(key)


def test_value_must_be_a_short_string():
    (p1,) = problems({"gpus": 8})
    assert "quote it in YAML" in p1["problem"]
    (p2,) = problems({"model": "a" * 64})
    assert "at most 63 characters" in p2["problem"]
    (p3,) = problems({"model": "H100 SXM"})
    assert "at most 63 characters of [A-Za-z0-9_.-]" in p3["problem"]


def test_taints():
    found = problems(taints=[
        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
        {"key": "dedicated", "effect": "Never"},
        {"key": "bad key", "effect": "NoExecute"},
        {"key": "k", "effect": "NoSchedule", "operator": "Exists"},
        "dedicated=gpu:NoSchedule",
    ])
    text = [(p["where"], p["problem"]) for p in found]
    assert ("host gpu1, taint #2", "invalid taint effect 'Never'") in text
    assert any(w == "host gpu1, taint #3" and "invalid taint key" in p for w, p in text)
    assert ("host gpu1, taint #4", "unknown taint field(s) operator") in text
    assert any(w == "host gpu1, taint #5" and "must be a mapping" in p for w, p in text)
    assert len(found) == 4


def test_bad_input_types():
    with pytest.raises(AnsibleFilterError, match="labels must be a mapping"):
        node_registration_problems(["a=b"], [], "h")
    with pytest.raises(AnsibleFilterError, match="taints must be a list"):
        node_registration_problems({}, {"key": "a"}, "h")


def test_filter_is_registered():
    assert FilterModule().filters()["node_registration_problems"] is node_registration_problems
