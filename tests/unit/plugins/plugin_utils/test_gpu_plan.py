"""gpu_plan: GPU Operator driver/toolkit toggles and the capacity expectation maths."""
from __future__ import annotations

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._gpu_plan import gpu_plan

# What the gpu phase learns on a node prepared by the nodes phase (driver + toolkit as default runtime),
# e.g. the H100 host of tests/unit/fixtures/nvidia-smi (8 GPUs in the example inventories).
READY = {"gpu_count": 8, "smi_present": True, "smi_count": 8, "toolkit_present": True, "runtime_default": True}
BARE = {"gpu_count": 8, "smi_present": False, "smi_count": None, "toolkit_present": False, "runtime_default": None}


def settings(**extra):
    base = {"mode": "operator", "driver_enabled": "auto", "toolkit_enabled": "auto",
            "time_slicing_replicas": 0, "device_plugin_gfd": False}
    base.update(extra)
    return base


def test_prepared_hosts_leave_driver_and_toolkit_to_the_host():
    plan = gpu_plan({"gpu1": READY, "gpu2": READY}, settings())
    assert plan["problems"] == []
    assert plan["driver_enabled"] is False
    assert plan["toolkit_enabled"] is False
    assert plan["expected"] == {"gpu1": 8, "gpu2": 8}
    assert plan["advertised_total"] == 16


def test_bare_hosts_let_the_operator_install_both():
    plan = gpu_plan({"gpu1": BARE}, settings())
    assert plan["problems"] == []
    assert plan["driver_enabled"] is True
    assert plan["toolkit_enabled"] is True
    assert plan["expected"] == {"gpu1": 8}


def test_driver_on_host_toolkit_by_operator():
    node = dict(READY, toolkit_present=False, runtime_default=None)
    plan = gpu_plan({"gpu1": node}, settings())
    assert (plan["driver_enabled"], plan["toolkit_enabled"]) == (False, True)
    assert plan["problems"] == []


def test_mixed_drivers_is_a_problem_naming_the_nodes():
    plan = gpu_plan({"gpu1": READY, "gpu2": BARE}, settings())
    assert len(plan["problems"]) == 1
    assert "gpu1 have it on the host, gpu2 do not" in plan["problems"][0]


def test_explicit_settings_win_over_the_hosts():
    plan = gpu_plan({"gpu1": READY}, settings(driver_enabled="true", toolkit_enabled=True))
    assert (plan["driver_enabled"], plan["toolkit_enabled"]) == (True, True)


def test_runtime_installed_but_not_default_is_refused():
    node = dict(READY, runtime_default=False)
    plan = gpu_plan({"gpu1": node}, settings())
    assert any("not containerd's default runtime on gpu1" in p for p in plan["problems"])


def test_inventory_count_wins_and_disagreement_is_reported():
    node = dict(READY, gpu_count=4)
    plan = gpu_plan({"gpu1": node}, settings())
    assert plan["expected"] == {"gpu1": 4}
    assert any("gpu_count: 4 but nvidia-smi sees 8" in p for p in plan["problems"])


def test_count_from_nvidia_smi_when_inventory_is_silent():
    node = dict(READY, gpu_count=None, smi_count=2)
    plan = gpu_plan({"gpu1": node}, settings())
    assert plan["expected"] == {"gpu1": 2}
    assert plan["problems"] == []


def test_no_count_at_all_is_a_problem():
    node = dict(BARE, gpu_count=None)
    plan = gpu_plan({"gpu1": node}, settings())
    assert plan["expected"] == {}
    assert any("gpu1: no GPU count known" in p for p in plan["problems"])


@pytest.mark.parametrize("mode,gfd,replicas,expected,total", [
    # GFD labels nvidia.com/gpu.replicas: gpu_capacity multiplies, the expectation stays physical.
    ("operator", False, 4, 8, 32),
    ("device_plugin", True, 4, 8, 32),
    # No GFD, no replicas label: the expectation carries the multiplication itself.
    ("device_plugin", False, 4, 32, 32),
    # 0 and 1 both mean "no time-slicing".
    ("device_plugin", False, 1, 8, 8),
    ("operator", False, 0, 8, 8),
])
def test_time_slicing_maths(mode, gfd, replicas, expected, total):
    plan = gpu_plan({"gpu1": READY}, settings(mode=mode, device_plugin_gfd=gfd, time_slicing_replicas=replicas))
    assert plan["expected"] == {"gpu1": expected}
    assert plan["advertised_total"] == total
    assert plan["replicas_in_expected"] is (expected != 8)


def test_device_plugin_needs_driver_and_runtime_everywhere():
    plan = gpu_plan({"gpu1": READY, "gpu2": BARE}, settings(mode="device_plugin", driver_enabled="false"))
    text = " ".join(plan["problems"])
    assert "missing on: gpu2" in text
    assert "not ready on: gpu2" in text


def test_empty_gpu_group_is_a_problem():
    assert "gpu_nodes group is empty" in gpu_plan({}, settings())["problems"][0]


@pytest.mark.parametrize("bad", [
    settings(mode="mig"),
    settings(driver_enabled="maybe"),
    settings(time_slicing_replicas="four"),
])
def test_bad_settings_raise(bad):
    with pytest.raises(ValueError):
        gpu_plan({"gpu1": READY}, bad)


def test_bad_count_raises():
    with pytest.raises(ValueError, match="gpu_count of gpu1"):
        gpu_plan({"gpu1": dict(READY, gpu_count="8x")}, settings())
