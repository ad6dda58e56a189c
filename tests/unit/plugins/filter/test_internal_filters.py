"""The internal filters the roles call (_cluster_plan, _gpu_plan, the day-2 group _day2_*;
_preflight_probe is in test_host_checks.py): thin wrappers whose errors name the filter.
The plans' own tests are in tests/unit/plugins/plugin_utils/test_cluster_plan.py,
test_gpu_plan.py and test_day2.py."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter import _cluster_plan, _day2, _gpu_plan

CLUSTER_PLAN = _cluster_plan.FilterModule().filters()["_cluster_plan"]
GPU_PLAN = _gpu_plan.FilterModule().filters()["_gpu_plan"]
DAY2 = _day2.FilterModule().filters()
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


def test_day2_filters_are_the_playbooks_names():
    assert sorted(DAY2) == ["_day2_add_plan", "_day2_certs_report", "_day2_drain_targets", "_day2_etcd_members",
                            "_day2_eviction_refusal", "_day2_kubeadm_plan", "_day2_prune", "_day2_remove_plan",
                            "_day2_restore_plan", "_day2_snapshot_check", "_day2_upgrade_plan", "_day2_upgrade_text"]


def test_day2_filter_passes_through_and_takes_the_arguments_in_the_playbooks_order():
    assert DAY2["_day2_prune"](["etcd-3.db", "etcd-1.db", "etcd-2.db"], 2) == ["etcd-1.db"]
    assert DAY2["_day2_eviction_refusal"]({"message": "busy"}, 500) == "HTTP 500: busy"


def test_day2_filter_error_names_the_filter():
    with pytest.raises(AnsibleFilterError, match="^_day2_prune: keep must be at least 1, got 0$"):
        DAY2["_day2_prune"](["etcd-1.db"], 0)
    with pytest.raises(AnsibleFilterError, match="^_day2_certs_report: expected host -> kubeadm"):
        DAY2["_day2_certs_report"](["not", "a", "mapping"])
