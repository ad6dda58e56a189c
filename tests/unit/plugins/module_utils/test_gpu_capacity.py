# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU capacity logic over Node objects as the API server returned them (Kubernetes v1.36.2),
and variants built from them the way the NVIDIA device plugin and GPU Feature Discovery
change a node (time-slicing, renameByDefault, MIG mixed, NotReady, unhealthy GPUs)."""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils import _gpu_capacity as gpu
from ansible_collections.aiinfra.k8s.tests.unit.plugins.modules.utils import read_fixture


# -- nodes --------------------------------------------------------------------------------------------
def api(name):
    return json.loads(read_fixture("k8s-api", name))


def advertised(name="w1"):
    """The real w1 after the device plugin advertised its 8 GPUs (GFD-style labels)."""
    node = api("node-w1-gpu-advertised.json")
    node["metadata"]["name"] = node["metadata"]["labels"]["kubernetes.io/hostname"] = name
    return node


def set_resource(node, resource, capacity, allocatable=None):
    node["status"]["capacity"][resource] = capacity
    node["status"]["allocatable"][resource] = capacity if allocatable is None else allocatable
    return node


def time_sliced(node, replicas=4, rename=False):
    """GPU Operator time-slicing: count x replicas advertised, product gains -SHARED."""
    labels = node["metadata"]["labels"]
    physical = int(labels["nvidia.com/gpu.count"])
    labels.update({"nvidia.com/gpu.replicas": str(replicas), "nvidia.com/gpu.sharing-strategy": "time-slicing",
                   "nvidia.com/gpu.product": labels["nvidia.com/gpu.product"] + "-SHARED"})
    if rename:  # renameByDefault: nvidia.com/gpu.shared, nvidia.com/gpu drops to 0
        set_resource(node, "nvidia.com/gpu", "0")
        return set_resource(node, "nvidia.com/gpu.shared", str(physical * replicas))
    return set_resource(node, "nvidia.com/gpu", str(physical * replicas))


def mig_mixed(node):
    """MIG mixed strategy on 8 H200s: 6 GPUs as 7 x 1g.18gb, 2 as 2 x 3g.71gb."""
    node["metadata"]["labels"].update({"nvidia.com/mig.strategy": "mixed", "nvidia.com/mig-1g.18gb.count": "42",
                                       "nvidia.com/mig-3g.71gb.count": "4"})
    set_resource(node, "nvidia.com/gpu", "0")
    set_resource(node, "nvidia.com/mig-1g.18gb", "42")
    return set_resource(node, "nvidia.com/mig-3g.71gb", "4")


def not_ready(node):
    for condition in node["status"]["conditions"]:
        if condition["type"] == "Ready":
            condition.update(status="False", reason="KubeletNotReady",
                             message="container runtime network not ready: NetworkReady=false")
    return node


def cluster(*nodes):
    """A NodeList's items: the real control-plane node first, then the given nodes."""
    control_plane = [n for n in api("nodes-list.json")["items"] if n["metadata"]["name"] == "cp1"]
    return control_plane + list(nodes)


# -- quantities -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    ("8", 8), ("0", 0), ("24683656Ki", 24683656 * 1024), ("264212084Ki", 264212084 * 1024),
    ("243497856212", 243497856212), ("500m", Fraction(1, 2)), ("1k", 1000), ("1e3", 1000), ("1E3", 1000),
    ("2Gi", 2 * 2 ** 30), ("1E", 10 ** 18), ("+4", 4), ("-1", -1), ("1.5", Fraction(3, 2)), (".5", Fraction(1, 2)),
    ("5.", 5), (8, 8),
])
def test_parse_quantity(value, expected):
    assert gpu.parse_quantity(value) == expected


def test_every_quantity_of_the_real_nodes_parses():
    for node in api("nodes-list.json")["items"]:
        for resources in (node["status"]["capacity"], node["status"]["allocatable"]):
            for value in resources.values():
                assert gpu.parse_quantity(value) >= 0


@pytest.mark.parametrize("value", ["8x", "", "Ki", "1.2.3", "1 Gi", "one", None, True, "1e", "0x10"])
def test_parse_quantity_rejects(value):
    with pytest.raises(ValueError):
        gpu.parse_quantity(value)


@pytest.mark.parametrize("value", ["500m", "-1", "1.5"])
def test_parse_count_rejects_fractions_and_negatives(value):
    with pytest.raises(ValueError, match="whole device count"):
        gpu.parse_count(value)


# -- one node -------------------------------------------------------------------------------------------
def test_real_advertised_node():
    report = gpu.judge(gpu.node_report(advertised(), "nvidia.com/gpu", 8))
    assert report == {"name": "w1", "resource": "nvidia.com/gpu", "physical": 8, "expected": 8, "capacity": 8,
                      "allocatable": 8, "product": "NVIDIA-H200", "count_label": "8", "replicas": 1,
                      "ready": True, "ok": True, "problems": []}


def test_real_node_before_the_device_plugin():
    report = gpu.judge(gpu.node_report(api("node-w1.json"), "nvidia.com/gpu", 8))
    assert report["ok"] is False and report["capacity"] is None
    assert report["problems"] == ["nvidia.com/gpu not advertised (device plugin not running?)"]


@pytest.mark.parametrize("rename,resource_read", [(False, "nvidia.com/gpu"), (True, "nvidia.com/gpu.shared")])
def test_time_slicing_expects_physical_times_replicas(rename, resource_read):
    report = gpu.judge(gpu.node_report(time_sliced(advertised(), 4, rename), "nvidia.com/gpu", 8))
    assert report["ok"] is True and report["resource"] == resource_read
    assert (report["replicas"], report["expected"], report["capacity"]) == (4, 32, 32)
    assert report["product"] == "NVIDIA-H200-SHARED"


def test_time_slicing_with_too_few_replicas_advertised():
    node = time_sliced(advertised(), 4)
    set_resource(node, "nvidia.com/gpu", "16")  # device plugin still on an old config
    report = gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))
    assert report["ok"] is False and "capacity 16 < expected 32" in report["problems"]


def test_explicit_shared_resource():
    report = gpu.judge(gpu.node_report(time_sliced(advertised(), 2, rename=True), "nvidia.com/gpu.shared", 8))
    assert report["ok"] is True and report["expected"] == 16


@pytest.mark.parametrize("resource,physical,expected_capacity", [
    ("nvidia.com/mig-1g.18gb", 42, 42),
    ("nvidia.com/mig-3g.71gb", 4, 4),
    ("nvidia.com/mig-*", 46, 46),   # a pattern sums every MIG profile
])
def test_mig_mixed(resource, physical, expected_capacity):
    report = gpu.judge(gpu.node_report(mig_mixed(advertised()), resource, physical))
    assert report["ok"] is True and report["capacity"] == expected_capacity


def test_mig_mixed_node_has_no_full_gpus():
    report = gpu.judge(gpu.node_report(mig_mixed(advertised()), "nvidia.com/gpu", 8))
    assert report["ok"] is False and report["capacity"] == 0


def test_not_ready_node():
    report = gpu.judge(gpu.node_report(not_ready(advertised()), "nvidia.com/gpu", 8))
    assert report["ok"] is False and report["problems"] == ["node not Ready"]
    assert gpu.judge(gpu.node_report(not_ready(advertised()), "nvidia.com/gpu", 8), require_ready=False)["ok"] is True


def test_capacity_without_allocatable():
    node = advertised()
    del node["status"]["allocatable"]["nvidia.com/gpu"]
    report = gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))
    assert report["problems"] == ["no nvidia.com/gpu allocatable (device plugin not running?)"]


def test_zero_expected_on_a_node_without_gpus():
    assert gpu.judge(gpu.node_report(api("node-w1.json"), "nvidia.com/gpu", 0))["ok"] is True


def test_unhealthy_gpu_lowers_allocatable():
    node = set_resource(advertised(), "nvidia.com/gpu", "8", "7")
    report = gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))
    assert report["ok"] is False and report["problems"] == ["allocatable 7 < expected 8"]


def test_more_than_expected_passes_unless_strict():
    report = gpu.node_report(advertised(), "nvidia.com/gpu", 4)
    assert gpu.judge(copy.deepcopy(report))["ok"] is True
    assert gpu.judge(report, strict=True)["problems"] == ["capacity 8 != expected 4", "allocatable 8 != expected 4"]


@pytest.mark.parametrize("capacity,problem", [
    ("8x", "malformed capacity: '8x' is not a Kubernetes quantity"),
    ("500m", "malformed capacity: '500m' is not a whole device count"),
])
def test_malformed_quantity(capacity, problem):
    node = set_resource(advertised(), "nvidia.com/gpu", capacity, "8")
    report = gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))
    assert report["ok"] is False and report["problems"] == [problem]


def test_malformed_replicas_label():
    node = time_sliced(advertised(), 4)
    node["metadata"]["labels"]["nvidia.com/gpu.replicas"] = "four"
    report = gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))
    assert report["ok"] is False and "is not a whole number" in report["problems"][0]


def test_node_without_ready_condition():
    node = advertised()
    node["status"]["conditions"] = []
    assert gpu.judge(gpu.node_report(node, "nvidia.com/gpu", 8))["problems"] == ["node reports no Ready condition"]


# -- a cluster ----------------------------------------------------------------------------------------------
def test_evaluate_real_node_list():
    report = gpu.evaluate(api("nodes-list.json")["items"], {"w1": 8})
    assert report["ok"] is True and report["missing"] == []
    assert [r["name"] for r in report["nodes"]] == ["w1"]  # cp1 has no GPU and no GPU label
    assert (report["total_capacity"], report["total_allocatable"], report["usable_allocatable"]) == (8, 8, 8)


def test_evaluate_missing_and_short_nodes():
    items = cluster(advertised("w1"), not_ready(advertised("w2")), api("node-w1.json"))
    items[-1]["metadata"]["name"] = "w3"
    report = gpu.evaluate(items, {"w1": 8, "w2": 8, "w3": 8, "w4": 8})
    assert report["ok"] is False and report["missing"] == ["w4"]
    assert [(r["name"], r["ok"]) for r in report["nodes"]] == [("w1", True), ("w2", False), ("w3", False), ("w4", False)]
    assert report["nodes"][3]["problems"] == ["not in the cluster"]
    assert report["usable_allocatable"] == 8 and report["total_allocatable"] == 16


def test_nodes_outside_the_expectation_are_reported_but_do_not_fail():
    report = gpu.evaluate(cluster(advertised("w1"), not_ready(advertised("w2"))), {"w1": 8})
    assert report["ok"] is True and [r["name"] for r in report["nodes"]] == ["w1", "w2"]
    assert report["nodes"][1]["expected"] is None


@pytest.mark.parametrize("min_total,require_ready,ok", [(16, True, False), (8, True, True), (16, False, True), (17, False, False)])
def test_min_total(min_total, require_ready, ok):
    report = gpu.evaluate(cluster(advertised("w1"), not_ready(advertised("w2"))), {}, min_total=min_total,
                          require_ready=require_ready)
    assert report["ok"] is ok
    assert (report["total_problem"] is None) is ok


def test_min_total_counts_time_slicing_replicas():
    report = gpu.evaluate(cluster(time_sliced(advertised("w1"), 4, rename=True)), {}, min_total=32)
    assert report["ok"] is True and report["total_capacity"] == 32


def test_hundred_nodes_in_one_evaluation():
    items = cluster(*[advertised("gpu-%03d" % i) for i in range(100)])
    expectation = dict(("gpu-%03d" % i, 8) for i in range(100))
    report = gpu.evaluate(items, expectation)
    assert report["ok"] is True and report["total_capacity"] == 800


def test_render_table():
    report = gpu.evaluate(cluster(advertised("w1"), not_ready(advertised("w2"))), {"w1": 8, "w2": 8, "w3": 8})
    lines = gpu.render_table(report["nodes"]).splitlines()
    assert lines[0].split() == ["NODE", "READY", "EXPECTED", "CAPACITY", "ALLOCATABLE", "RESOURCE", "PRODUCT", "PROBLEM"]
    assert lines[1].split()[:7] == ["w1", "yes", "8", "8", "8", "nvidia.com/gpu", "NVIDIA-H200"]
    assert lines[2].endswith("node not Ready") and lines[3].endswith("not in the cluster")
    column = lines[0].index("CAPACITY")
    assert all(line[column - 2:column] == "  " for line in lines)  # fixed width: columns line up


# -- the wait loop (fake clock, no sleeping) ---------------------------------------------------------------
class Clock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def lister(*answers):
    answers = list(answers)
    calls = []

    def list_nodes():
        calls.append(1)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer
    return list_nodes, calls


def evaluate_w1(items):
    return gpu.evaluate(items, {"w1": 8})


def test_wait_until_the_device_plugin_registers():
    list_nodes, calls = lister(cluster(api("node-w1.json")), cluster(api("node-w1.json")), cluster(advertised()))
    clock = Clock()
    report, polls, error = gpu.wait_for(list_nodes, evaluate_w1, 300, 10, clock.time, clock.sleep)
    assert report["ok"] is True and polls == 3 == len(calls) and error is None
    assert clock.sleeps == [10, 10]


def test_wait_times_out_with_the_last_report():
    list_nodes, calls = lister(cluster(api("node-w1.json")))
    clock = Clock()
    report, polls, error = gpu.wait_for(list_nodes, evaluate_w1, 25, 10, clock.time, clock.sleep)
    assert report["ok"] is False and polls == 4 == len(calls)
    assert clock.sleeps == [10, 10, 5]  # the last sleep ends at the deadline


def test_timeout_zero_checks_once():
    list_nodes, calls = lister(cluster(api("node-w1.json")))
    clock = Clock()
    report, polls, _error = gpu.wait_for(list_nodes, evaluate_w1, 0, 10, clock.time, clock.sleep)
    assert polls == 1 and clock.sleeps == [] and report["ok"] is False


def test_api_unavailable_is_retried():
    list_nodes, calls = lister(gpu.ApiUnavailable("connection refused"), cluster(advertised()))
    clock = Clock()
    report, polls, error = gpu.wait_for(list_nodes, evaluate_w1, 60, 5, clock.time, clock.sleep)
    assert report["ok"] is True and polls == 2 and error is None


def test_api_never_available():
    list_nodes, calls = lister(gpu.ApiUnavailable("connection refused"))
    clock = Clock()
    report, polls, error = gpu.wait_for(list_nodes, evaluate_w1, 20, 10, clock.time, clock.sleep)
    assert report is None and polls == 3 and error == "connection refused"


def test_fatal_api_error_stops_at_once():
    list_nodes, calls = lister(gpu.ApiFatal("forbidden"))
    clock = Clock()
    with pytest.raises(gpu.ApiFatal):
        gpu.wait_for(list_nodes, evaluate_w1, 300, 10, clock.time, clock.sleep)
    assert len(calls) == 1 and clock.sleeps == []
