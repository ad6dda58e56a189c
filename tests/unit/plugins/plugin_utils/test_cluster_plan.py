"""cluster_plan: which nodes a run initialises and joins, from what is on them."""
from __future__ import annotations

import re

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_plan import cluster_plan

HA = {"masters": ["m1", "m2", "m3"], "workers": ["w1"], "gpu_nodes": ["g1"], "lb": ["m1", "m2"]}
ALL = ["m1", "m2", "m3", "w1", "g1"]


def states(initialised=False, joined=()):
    out = {h: {"joined": h in joined} for h in ALL}
    out["m1"]["initialised"] = initialised
    return out


def test_fresh_cluster_initialises_the_first_master_and_joins_everyone():
    plan = cluster_plan(states(), HA, ALL)
    assert plan["first_master"] == "m1"
    assert plan["init"] is True
    assert plan["control_plane_joins"] == ["m2", "m3"]
    assert plan["worker_joins"] == ["w1", "g1"]
    assert plan["joins"] == ["m2", "m3", "w1", "g1"]
    assert plan["join_info_needed"] is True
    assert plan["certificate_key_needed"] is True
    assert plan["problems"] == []


def test_built_cluster_does_nothing_and_asks_for_no_secret():
    plan = cluster_plan(states(True, ALL), HA, ALL)
    assert plan["init"] is False
    assert plan["joins"] == []
    assert plan["join_info_needed"] is False
    assert plan["certificate_key_needed"] is False
    assert plan["problems"] == []


def test_new_worker_needs_a_token_but_no_certificate_key():
    plan = cluster_plan(states(True, ["m1", "m2", "m3", "w1"]), HA, ALL)
    assert plan["joins"] == ["g1"]
    assert plan["join_info_needed"] is True
    assert plan["certificate_key_needed"] is False


def test_new_master_needs_a_certificate_key():
    plan = cluster_plan(states(True, ["m1", "m2", "w1", "g1"]), HA, ALL)
    assert plan["control_plane_joins"] == ["m3"]
    assert plan["worker_joins"] == []
    assert plan["certificate_key_needed"] is True


def test_limit_to_one_worker_with_the_first_master_outside_the_play():
    # `--limit w1`: the first master is only observed (delegated stat), not in the play.
    obs = {"m1": {"initialised": True}, "w1": {"joined": False}}
    plan = cluster_plan(obs, HA, ["w1"])
    assert plan["init"] is False
    assert plan["joins"] == ["w1"]
    assert plan["certificate_key_needed"] is False
    assert plan["problems"] == []


def test_pending_init_with_the_first_master_outside_the_play_is_a_problem():
    obs = {"m1": {"initialised": False}, "w1": {"joined": False}}
    plan = cluster_plan(obs, HA, ["w1"])
    assert plan["init"] is False
    assert plan["join_info_needed"] is False
    assert len(plan["problems"]) == 1
    assert "the first master m1 has no control plane yet" in plan["problems"][0]["problem"]
    assert "include m1 in --limit" in plan["problems"][0]["fix"]


def test_half_reset_cluster_is_refused_not_re_initialised():
    # m1 was reset but w1 and m2 still carry a kubelet.conf of the old cluster
    plan = cluster_plan(states(False, ["m2", "w1"]), HA, ALL)
    assert plan["join_info_needed"] is False and plan["certificate_key_needed"] is False
    (problem,) = plan["problems"]
    assert problem["where"] == "hosts m2, w1"
    assert "already belong to a cluster" in problem["problem"]
    assert "playbooks/reset.yml --limit m2,w1" in problem["fix"]


def test_hosts_outside_the_cluster_groups_are_ignored():
    groups = dict(HA, lb=["lb1"])
    obs = states()
    obs["lb1"] = {"joined": False}
    plan = cluster_plan(obs, groups, ALL + ["lb1"])
    assert "lb1" not in plan["joins"]


def test_a_host_listed_as_master_and_worker_joins_once_as_control_plane():
    groups = dict(HA, workers=["w1", "m2"])
    plan = cluster_plan(states(), groups, ALL)
    assert plan["control_plane_joins"] == ["m2", "m3"]
    assert plan["worker_joins"] == ["w1", "g1"]


def test_play_hosts_default_to_every_cluster_host():
    assert cluster_plan(states(), HA)["joins"] == ["m2", "m3", "w1", "g1"]


@pytest.mark.parametrize("obs, groups, message", [
    ({"m1": {"joined": False}}, HA, "no 'initialised' observation for the first master m1"),
    ({"m1": {"initialised": "yes"}}, HA, "m1.initialised must be a boolean"),
    ({"m1": {"initialised": True}}, {"masters": []}, "the masters group is empty"),
    ({"m1": {"initialised": True}}, {"masters": "m1"}, "groups['masters'] must be a list"),
    (["m1"], HA, "expected a mapping"),
])
def test_bad_input_is_an_error(obs, groups, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cluster_plan(obs, groups, ["m1"])
