"""The internal filters the roles call (_cluster_plan, _gpu_plan; _preflight_probe is in
test_host_checks.py): thin wrappers whose errors name the filter. The plans' own tests
are in tests/unit/plugins/plugin_utils/test_cluster_plan.py and test_gpu_plan.py."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter import _cluster_plan, _gpu_plan

CLUSTER_PLAN = _cluster_plan.FilterModule().filters()["_cluster_plan"]
GPU_PLAN = _gpu_plan.FilterModule().filters()["_gpu_plan"]
GROUPS = {"masters": ["m1", "m2"], "workers": ["w1"]}


def test_cluster_plan_passes_through():
    plan = CLUSTER_PLAN({"m1": {"initialised": True, "joined": True}, "m2": {"joined": False}}, GROUPS, ["m1", "m2", "w1"])
    assert plan["control_plane_joins"] == ["m2"] and plan["worker_joins"] == ["w1"]


def test_cluster_plan_error_names_the_filter():
    with pytest.raises(AnsibleFilterError, match="^_cluster_plan: the masters group is empty$"):
        CLUSTER_PLAN({}, {"masters": []})


def test_gpu_plan_passes_through():
    node = {"gpu_count": 2, "smi_present": True, "smi_count": 2, "toolkit_present": True, "runtime_default": True}
    plan = GPU_PLAN({"gpu1": node}, {"mode": "operator"})
    assert plan["expected"] == {"gpu1": 2} and plan["problems"] == []


def test_gpu_plan_error_names_the_filter():
    with pytest.raises(AnsibleFilterError, match="^_gpu_plan: settings.mode must be one of"):
        GPU_PLAN({}, {"mode": "mig"})
