"""Planners of the day-2 playbooks (plugins/plugin_utils/_day2.py), fed with what the
real tools and the API printed on a sandbox cluster (tests/unit/fixtures/day2/, README
there says how each file was captured) and with small hand-made cases for the edges."""
from __future__ import annotations

import copy
import datetime
import json
import os

import pytest

from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _day2

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "day2")
HA = {"masters": ["master1", "master2", "master3"], "workers": ["worker1"], "gpu_nodes": [], "lb": ["master1", "master2"]}


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def fixture_json(name):
    return json.loads(fixture(name))


def node(name, version="v1.35.6", ready=True, control_plane=False, unschedulable=False):
    labels = {"kubernetes.io/hostname": name}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "nodeInfo": {"kubeletVersion": version}, "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]},
    }


def nodes(*items):
    return {"kind": "NodeList", "items": list(items)}


def ha_nodes(version="v1.35.6", **overrides):
    out = []
    for name in ("master1", "master2", "master3", "worker1"):
        kwargs = {"version": version, "control_plane": name.startswith("master")}
        kwargs.update(overrides.get(name, {}))
        out.append(node(name, **kwargs))
    return nodes(*out)


def apiserver_pods(**versions):
    return {"items": [{"metadata": {"name": "kube-apiserver-" + n},
                       "spec": {"nodeName": n, "containers": [{"name": "kube-apiserver",
                                                               "image": "registry.k8s.io/kube-apiserver:v" + v}]}}
                      for n, v in versions.items()]}


# ---- versions ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("1.36.2", (1, 36, 2)), ("v1.35.6", (1, 35, 6)), ("v1.34.3+k3s1", (1, 34, 3)), ("v1.36.0-rc.1", (1, 36, 0)),
])
def test_parse_version(text, expected):
    assert _day2.parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "1.36", "latest", None, "v1"])
def test_parse_version_refuses(text):
    with pytest.raises(ValueError):
        _day2.parse_version(text)


def test_image_version():
    assert _day2.image_version("registry.k8s.io/kube-apiserver:v1.36.2") == (1, 36, 2)
    assert _day2.image_version("localhost:5000/kube-apiserver:v1.35.6@sha256:abc") == (1, 35, 6)
    assert _day2.image_version("registry.k8s.io/kube-apiserver") is None


# ---- API objects of the real cluster ------------------------------------------------------------


def test_node_summary_of_the_real_node_list():
    summary = _day2.node_summary(fixture_json("nodes.json"))
    assert summary["master1"]["control_plane"] and summary["master1"]["ready"]
    assert not summary["worker1"]["control_plane"]
    assert summary["worker1"]["kubelet"] == (1, 35, 6)


def test_apiserver_versions_of_the_real_pods():
    versions = _day2.apiserver_versions(fixture_json("apiserver-pods.json"))
    assert versions == {"master1": (1, 35, 6), "master2": (1, 35, 6), "master3": (1, 35, 6)}


# ---- add_nodes ------------------------------------------------------------------------------------

SPARES = {"masters": ["master1", "master2", "master3", "master4"], "workers": ["worker1", "worker2"],
          "gpu_nodes": [], "lb": ["master1", "master2"]}


def test_add_plan_finds_the_hosts_that_are_not_nodes():
    plan = _day2.add_plan(SPARES, fixture_json("nodes.json"), SPARES["masters"] + SPARES["workers"], "1.35.6")
    assert plan["new_masters"] == ["master4"]
    assert plan["new_workers"] == ["worker2"]
    assert plan["new"] == ["master4", "worker2"]
    assert plan["lb_update"] == ["master1", "master2"]
    assert [p for p in plan["problems"] if p["severity"] == "error"] == []


def test_add_plan_a_worker_alone_leaves_the_lb_hosts_alone():
    plan = _day2.add_plan(SPARES, fixture_json("nodes.json"), ["worker2"], "1.35.6")
    assert plan["new"] == ["worker2"] and plan["lb_update"] == []
    warnings = [p for p in plan["problems"] if p["severity"] == "warning"]
    assert "master4" in warnings[0]["problem"] and "--limit" in warnings[0]["problem"]


def test_add_plan_a_master_needs_the_lb_hosts_in_the_run():
    plan = _day2.add_plan(SPARES, fixture_json("nodes.json"), ["master4"], "1.35.6")
    errors = [p for p in plan["problems"] if p["severity"] == "error"]
    assert len(errors) == 1 and "--limit master4,lb" in errors[0]["fix"]


def test_add_plan_refuses_another_version_than_the_cluster_runs():
    plan = _day2.add_plan(SPARES, fixture_json("nodes.json"), ["worker2"], "1.36.2")
    errors = [p for p in plan["problems"] if p["severity"] == "error"]
    assert errors and errors[0]["where"] == "k8s_version" and "1.35.6" in errors[0]["fix"]
    assert "upgrade.yml" in errors[0]["fix"]


def test_add_plan_nothing_to_do_on_a_complete_cluster():
    plan = _day2.add_plan(HA, fixture_json("nodes.json"), HA["masters"] + HA["workers"], "1.36.2")
    assert plan["new"] == [] and plan["lb_update"] == []
    # no joins: the version is not checked
    assert plan["problems"] == []


def test_add_plan_without_a_cluster():
    plan = _day2.add_plan(SPARES, nodes(), SPARES["masters"], "1.35.6")
    assert any("site.yml" in p["fix"] for p in plan["problems"])


def test_add_plan_warns_about_nodes_the_inventory_lacks():
    plan = _day2.add_plan({"masters": ["master1"], "workers": []}, ha_nodes(), ["master1"], "1.35.6")
    assert any("master2" in p["problem"] for p in plan["problems"] if p["severity"] == "warning")


# ---- etcd -----------------------------------------------------------------------------------------


def test_etcd_members_of_real_etcdctl_output():
    members = _day2.etcd_members(fixture_json("etcdctl-member-list.json"), fixture_json("etcdctl-endpoint-health.json"))
    assert sorted(m["name"] for m in members) == ["master1", "master2", "master3"]
    assert all(m["healthy"] for m in members)
    assert all(len(m["id"]) == 16 or m["id"].isalnum() for m in members)
    raw = fixture_json("etcdctl-member-list.json")["members"][0]
    assert int(members[0]["id"], 16) == raw["ID"]


def test_etcd_members_health_unknown_without_health_output():
    members = _day2.etcd_members(fixture_json("etcdctl-member-list.json"))
    assert all(m["healthy"] is None for m in members)


def members(*spec):
    """('m1', True), ... -> member entries."""
    return [{"id": "%x" % (i + 1), "name": n, "peer_urls": ["https://10.0.0.%d:2380" % (i + 1)],
             "client_urls": ["https://10.0.0.%d:2379" % (i + 1)], "healthy": h, "learner": False}
            for i, (n, h) in enumerate(spec)]


@pytest.mark.parametrize("spec,removing,ok", [
    ([("m1", True), ("m2", True), ("m3", True)], "m3", True),          # 3 -> 2, both healthy
    ([("m1", True), ("m2", False), ("m3", True)], "m3", False),        # 3 -> 2, one healthy: no quorum
    ([("m1", True), ("m2", False), ("m3", True)], "m2", True),         # the broken one goes: fine
    ([("m1", True), ("m2", True), ("m3", True), ("m4", True), ("m5", False)], "m4", True),  # 5 -> 4, 3 healthy
    ([("m1", True), ("m2", True), ("m3", False), ("m4", True), ("m5", False)], "m4", False),  # 4 left, 2 healthy
    ([("m1", True)], "m1", False),                                      # the last member
    ([("m1", True), ("m2", True)], "m2", True),                         # 2 -> 1
])
def test_quorum_guard(spec, removing, ok):
    result = _day2.quorum_check(members(*spec), removing)
    assert result["ok"] is ok
    if not ok:
        assert [p for p in result["problems"] if p["severity"] == "error"]


def test_quorum_guard_says_what_is_missing():
    result = _day2.quorum_check(members(("m1", True), ("m2", False), ("m3", True)), "m3")
    error = result["problems"][0]
    assert "1 healthy" in error["problem"] and "needs 2" in error["problem"] and "m2" in error["fix"]


def test_quorum_guard_warns_about_an_even_count():
    result = _day2.quorum_check(members(("m1", True), ("m2", True), ("m3", True)), "m3")
    assert result["ok"] and result["members_after"] == 2 and result["quorum_after"] == 2
    assert result["problems"][0]["severity"] == "warning"


def test_quorum_guard_learners_do_not_count():
    spec = members(("m1", True), ("m2", True), ("m3", True))
    spec[2]["learner"] = True
    assert _day2.quorum_check(spec, "m2")["members_after"] == 1


def test_pick_healthy_member_follows_the_inventory_order():
    spec = members(("m1", False), ("m2", True), ("m3", True))
    assert _day2.pick_healthy_member(spec, ["m1", "m3", "m2"]) == "m3"
    assert _day2.pick_healthy_member(members(("m1", False)), ["m1"]) is None


def test_snapshot_check_of_real_etcdutl_output():
    assert _day2.snapshot_check(fixture_json("etcdutl-snapshot-status.json")) == []


@pytest.mark.parametrize("status,word", [
    ({"hash": 1, "revision": 5, "totalKey": 0, "totalSize": 20480}, "0 keys"),
    ({"hash": 1, "revision": 5, "totalSize": 20480}, "lacks totalKey"),
    ("nonsense", "no status"),
])
def test_snapshot_check_refuses(status, word):
    problems = _day2.snapshot_check(status)
    assert problems and word in problems[0]["problem"]


def test_prune_keeps_the_newest():
    files = ["/b/etcd-20260103T000000Z.db", "/b/etcd-20260101T000000Z.db", "/b/etcd-20260102T000000Z.db"]
    assert _day2.prune(files, 2) == ["/b/etcd-20260101T000000Z.db"]
    assert _day2.prune(files, 5) == []
    with pytest.raises(ValueError):
        _day2.prune(files, 0)


def test_restore_plan_from_the_real_member_list():
    spec = _day2.etcd_members(fixture_json("etcdctl-member-list.json"))
    addresses = {"master1": "10.231.10.11", "master2": "10.231.10.12", "master3": "10.231.10.13"}
    plan = _day2.restore_plan(spec, HA["masters"], addresses, "aiinfra-restore-1")
    assert plan["problems"] == []
    assert sorted(plan["hosts"]) == ["master1", "master2", "master3"]
    assert plan["hosts"]["master2"]["initial_advertise_peer_urls"] == "https://10.231.10.12:2380"
    assert all(("%s=https://%s:2380" % (h, a)) in plan["initial_cluster"] for h, a in addresses.items())
    assert plan["hosts"]["master1"]["initial_cluster_token"] == "aiinfra-restore-1"


def test_restore_plan_without_members_uses_the_masters():
    plan = _day2.restore_plan([], ["m1", "m2"], {"m1": "10.0.0.1", "m2": "fd00::2"}, "t")
    assert plan["initial_cluster"] == "m1=https://10.0.0.1:2380,m2=https://[fd00::2]:2380"
    assert plan["problems"][0]["severity"] == "warning"


def test_restore_plan_refuses_members_outside_the_inventory():
    plan = _day2.restore_plan(members(("m1", True), ("old", True)), ["m1"], {"m1": "10.0.0.1"}, "t")
    assert any("old" in p["where"] for p in plan["problems"] if p["severity"] == "error")


# ---- drain ----------------------------------------------------------------------------------------


def test_drain_targets_of_a_real_worker():
    result = _day2.drain_targets(fixture_json("pods-worker1.json"), "worker1")
    reasons = {x["name"]: x["reason"] for x in result["skipped"]}
    assert any(r == "DaemonSet" for r in reasons.values())
    assert result["problems"] == []
    assert result["evict"], "the fixture has a Deployment pod on worker1"


def pod(name, node="w1", owner="ReplicaSet", mirror=False, empty_dir=False, phase="Running", deleting=False):
    meta = {"name": name, "namespace": "default"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner, "name": "x", "controller": True}]
    if mirror:
        meta["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec = {"nodeName": node, "volumes": [{"name": "v", "emptyDir": {}}] if empty_dir else []}
    return {"metadata": meta, "spec": spec, "status": {"phase": phase}}


def test_drain_rules():
    pods = {"items": [pod("app"), pod("ds", owner="DaemonSet"), pod("static", owner="Node", mirror=True),
                      pod("bare", owner=None), pod("cache", empty_dir=True), pod("done", owner=None, phase="Succeeded"),
                      pod("going", deleting=True), pod("elsewhere", node="w2")]}
    result = _day2.drain_targets(pods, "w1")
    assert [x["name"] for x in result["evict"]] == ["app", "cache", "done"]
    assert [p["where"] for p in result["problems"]] == ["pod default/bare"]
    assert {x["name"] for x in result["remaining"]} == {"app", "cache", "done", "going"}
    strict = _day2.drain_targets(pods, "w1", delete_emptydir_data=False, force=True)
    assert [x["name"] for x in strict["evict"]] == ["app", "bare", "done"]
    assert [p["where"] for p in strict["problems"]] == ["pod default/cache"]
    with_ds = _day2.drain_targets(pods, "w1", ignore_daemonsets=False, force=True)
    assert any(p["where"] == "pod default/ds" for p in with_ds["problems"])


def test_eviction_refusal_names_the_budget():
    body = {"kind": "Status", "message": "Cannot evict pod as it would violate the pod's disruption budget.",
            "details": {"causes": [{"reason": "DisruptionBudget",
                                    "message": "The disruption budget web needs 1 healthy pods and has 1 currently"}]}}
    assert "The disruption budget web" in _day2.eviction_refusal(429, body)
    assert _day2.eviction_refusal(500, {"message": "boom"}) == "HTTP 500: boom"


# ---- remove_node --------------------------------------------------------------------------------


def healthy3():
    return _day2.etcd_members(fixture_json("etcdctl-member-list.json"), fixture_json("etcdctl-endpoint-health.json"))


def test_remove_a_worker():
    plan = _day2.remove_plan("worker1", HA, fixture_json("nodes.json"))
    assert plan["role"] == "worker" and plan["registered"] and plan["problems"] == []
    assert plan["etcd_member"] is None


def test_remove_a_master_with_quorum():
    plan = _day2.remove_plan("master3", HA, fixture_json("nodes.json"), healthy3())
    assert plan["role"] == "master" and plan["etcd_member"]["name"] == "master3"
    assert [p["severity"] for p in plan["problems"]] == ["warning"]   # two masters left
    assert plan["lb_host"] is False and plan["lb_others"] == ["master1", "master2"]
    assert plan["masters_after"] == ["master1", "master2"]


def test_remove_refuses_when_quorum_would_go():
    spec = healthy3()
    for m in spec:
        if m["name"] == "master2":
            m["healthy"] = False
    plan = _day2.remove_plan("master3", HA, fixture_json("nodes.json"), spec)
    assert any("quorum" in p["problem"] for p in plan["problems"] if p["severity"] == "error")


def test_remove_refuses_the_first_master_and_unknown_names():
    plan = _day2.remove_plan("master1", HA, fixture_json("nodes.json"), healthy3())
    assert any("first master" in p["problem"] for p in plan["problems"])
    plan = _day2.remove_plan("nobody", HA, fixture_json("nodes.json"))
    assert any("neither in the inventory" in p["problem"] for p in plan["problems"])
    assert _day2.remove_plan("", HA, fixture_json("nodes.json"))["problems"][0]["where"] == "node"


def test_remove_a_node_already_gone_from_the_api():
    inventory = dict(HA, workers=["worker1", "worker2"])
    plan = _day2.remove_plan("worker2", inventory, fixture_json("nodes.json"))
    assert plan["registered"] is False and plan["problems"] == []


def test_remove_a_k3s_server_counts_ready_servers():
    listing = ha_nodes("v1.34.3+k3s1", master2={"ready": False})
    plan = _day2.remove_plan("master3", HA, listing, None, "k3s")
    assert any("k3s server" in p["problem"] for p in plan["problems"] if p["severity"] == "error")


# ---- upgrade --------------------------------------------------------------------------------------


def test_upgrade_plan_of_the_real_cluster():
    plan = _day2.upgrade_plan("1.36.2", HA, fixture_json("nodes.json"), _day2.apiserver_versions(fixture_json("apiserver-pods.json")))
    assert plan["problems"] == []
    assert plan["path"] == ["1.35.6", "1.36.2"]
    step = plan["steps"][0]
    assert step["apply"] == "master1"
    assert step["control_plane_nodes"] == ["master2", "master3"]
    assert step["kubelet_masters"] == ["master1", "master2", "master3"]
    assert step["worker_batches"] == [["worker1"]]
    assert [h["host"] for h in plan["hosts"]] == ["master1", "master2", "master3", "worker1"]
    text = _day2.upgrade_text(plan)
    assert text[0] == "Upgrade 1.35.6 -> 1.36.2: 1.35.6 -> 1.36.2"
    assert "kubeadm upgrade apply v1.36.2" in text[2]


def test_upgrade_refuses_a_downgrade():
    plan = _day2.upgrade_plan("1.34.3", HA, ha_nodes(), {"master1": "1.35.6", "master2": "1.35.6", "master3": "1.35.6"})
    assert any("downgrade" in p["problem"] for p in plan["problems"])


def test_upgrade_refuses_a_skipped_minor_and_names_the_fix():
    plan = _day2.upgrade_plan("1.37.1", HA, ha_nodes(), {"master1": "1.35.6", "master2": "1.35.6", "master3": "1.35.6"})
    errors = [p for p in plan["problems"] if p["severity"] == "error"]
    assert len(errors) == 1 and "skips 1.36" in errors[0]["problem"]
    assert "upgrade_intermediate_versions" in errors[0]["fix"]


def test_upgrade_steps_through_every_minor():
    cp = {"master1": "1.34.3", "master2": "1.34.3", "master3": "1.34.3"}
    plan = _day2.upgrade_plan("1.37.1", HA, ha_nodes("v1.34.3"), cp, ["1.36.4", "1.35.6"], batch=2)
    assert plan["problems"] == []
    assert plan["path"] == ["1.34.3", "1.35.6", "1.36.4", "1.37.1"]
    assert [s["worker_batches"] for s in plan["steps"]] == [[["worker1"]]] * 3


@pytest.mark.parametrize("intermediate,word", [
    (["1.37.0"], "not between"), (["1.35.1", "1.35.6"], "two releases"), (["x"], "not a version"),
])
def test_upgrade_checks_the_intermediate_releases(intermediate, word):
    cp = {"master1": "1.34.3", "master2": "1.34.3", "master3": "1.34.3"}
    plan = _day2.upgrade_plan("1.36.2", HA, ha_nodes("v1.34.3"), cp, intermediate)
    assert any(word in p["problem"] for p in plan["problems"])


def test_upgrade_offline_takes_one_step_per_run():
    cp = {"master1": "1.34.3", "master2": "1.34.3", "master3": "1.34.3"}
    plan = _day2.upgrade_plan("1.36.2", HA, ha_nodes("v1.34.3"), cp, ["1.35.6"], offline=True)
    error = [p for p in plan["problems"] if p["severity"] == "error"][0]
    assert "-e k8s_version=1.35.6 -e k8s_bundle_dir=<bundle of 1.35.6>; then -e k8s_version=1.36.2" in error["fix"]


def test_upgrade_patch_release_and_nothing_to_do():
    cp = {"master1": "1.36.0", "master2": "1.36.0", "master3": "1.36.0"}
    plan = _day2.upgrade_plan("1.36.2", HA, ha_nodes("v1.36.0"), cp)
    assert plan["path"] == ["1.36.0", "1.36.2"] and not plan["nothing_to_do"]
    cp = {"master1": "1.36.2", "master2": "1.36.2", "master3": "1.36.2"}
    plan = _day2.upgrade_plan("1.36.2", HA, ha_nodes("v1.36.2"), cp)
    assert plan["nothing_to_do"] and plan["hosts"] == []


def test_upgrade_resumes_where_it_stopped():
    # control plane done, master1's kubelet done, the rest not
    cp = {"master1": "1.36.2", "master2": "1.36.2", "master3": "1.36.2"}
    listing = ha_nodes("v1.35.6", master1={"version": "v1.36.2", "control_plane": True})
    step = _day2.upgrade_plan("1.36.2", HA, listing, cp)["steps"][0]
    assert step["apply"] is None and step["control_plane_nodes"] == []
    assert step["kubelet_masters"] == ["master2", "master3"] and step["workers"] == ["worker1"]
    assert step["masters"] == ["master2", "master3"]


def test_upgrade_refuses_nodes_not_ready_and_unknown_nodes():
    cp = {"master1": "1.35.6", "master2": "1.35.6", "master3": "1.35.6"}
    listing = ha_nodes(worker1={"ready": False})
    listing["items"].append(node("stray"))
    plan = _day2.upgrade_plan("1.36.2", HA, listing, cp)
    wheres = [p["where"] for p in plan["problems"] if p["severity"] == "error"]
    assert "nodes worker1" in wheres and "nodes stray" in wheres


def test_upgrade_worker_batches():
    inventory = dict(HA, workers=["w1", "w2", "w3"], gpu_nodes=["g1"])
    listing = nodes(*([node(m, control_plane=True) for m in HA["masters"]] + [node(w) for w in ("w1", "w2", "w3", "g1")]))
    cp = {"master1": "1.35.6", "master2": "1.35.6", "master3": "1.35.6"}
    step = _day2.upgrade_plan("1.36.2", inventory, listing, cp, batch=2)["steps"][0]
    assert step["worker_batches"] == [["w1", "w2"], ["w3", "g1"]]
    assert _day2.upgrade_plan("1.36.2", inventory, listing, cp, batch=0)["problems"][0]["where"] == "upgrade_worker_batch"


# ---- certificates -------------------------------------------------------------------------------------


def test_parse_the_real_check_expiration_output():
    rows = _day2.parse_check_expiration(fixture("kubeadm-certs-check-expiration.txt"))
    certs = [r for r in rows if r["kind"] == "certificate"]
    cas = [r for r in rows if r["kind"] == "ca"]
    assert {"admin.conf", "apiserver", "etcd-server", "front-proxy-client"} <= {r["name"] for r in certs}
    assert {"ca", "etcd-ca", "front-proxy-ca"} == {r["name"] for r in cas}
    apiserver = [r for r in certs if r["name"] == "apiserver"][0]
    assert apiserver["authority"] == "ca" and apiserver["externally_managed"] is False
    assert apiserver["expires"].endswith("Z") and apiserver["residual"].endswith("d")


def test_certs_report_sorts_and_warns():
    rows = _day2.parse_check_expiration(fixture("kubeadm-certs-check-expiration.txt"))
    first = datetime.datetime.strptime(min(r["expires"] for r in rows if r["kind"] == "certificate"),
                                       "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    now = first - datetime.timedelta(days=10)
    report = _day2.certs_report({"master1": rows, "master2": copy.deepcopy(rows)}, 30, now)
    assert report["soonest"]["days_left"] in (9, 10)
    assert report["table"][0].startswith("HOST")
    assert len(report["table"]) == 1 + 2 * len(rows)
    warned = {p["problem"].split()[1] for p in report["problems"]}
    assert "apiserver" in warned and "ca" not in warned      # CAs live 10 years
    assert all("certs_renew=true" in p["fix"] for p in report["problems"])
    assert _day2.certs_report({"master1": rows}, 30, now - datetime.timedelta(days=3650))["problems"] == []


def test_parse_check_expiration_refuses_other_output():
    with pytest.raises(ValueError):
        _day2.parse_check_expiration("error execution phase: no such file")


def test_a_joined_master_has_no_super_admin_conf():
    rows = _day2.parse_check_expiration(fixture("kubeadm-certs-check-expiration-joined-master.txt"))
    missing = [r for r in rows if r["missing"]]
    assert [r["name"] for r in missing] == ["super-admin.conf"] and missing[0]["kind"] == "certificate"
    report = _day2.certs_report({"master2": rows}, 30)
    # kubeadm keeps super-admin.conf on the first master only: shown, not a warning
    assert report["problems"] == []
    assert any("super-admin.conf" in line and "first master only" in line for line in report["table"])


def test_a_missing_certificate_is_a_warning():
    lines = fixture("kubeadm-certs-check-expiration-joined-master.txt").splitlines()
    lines = ["!MISSING! apiserver-etcd-client" if line.startswith("apiserver-etcd-client ") else line for line in lines]
    rows = _day2.parse_check_expiration("\n".join(lines))
    report = _day2.certs_report({"master2": rows}, 30)
    assert [p["problem"] for p in report["problems"]] == ["apiserver-etcd-client is missing"]


def test_parse_the_real_kubeadm_upgrade_plan():
    plan = _day2.parse_upgrade_plan(fixture("kubeadm-upgrade-plan.txt"))
    assert (plan["cluster"], plan["kubeadm"], plan["target"]) == ("1.35.6", "1.36.2", "1.36.2")
    kubelets = {c["node"]: (c["current"], c["target"]) for c in plan["components"] if c["component"] == "kubelet"}
    assert kubelets == {n: ("v1.35.6", "v1.36.2") for n in ("master1", "master2", "master3", "worker1")}
    etcd = [c for c in plan["components"] if c["component"] == "etcd"]
    assert [c["target"] for c in etcd] == ["3.6.8-0"] * 3
    # kubeadm's list of kubelets to upgrade is the plan's
    ours = _day2.upgrade_plan("1.36.2", HA, fixture_json("nodes.json"),
                              _day2.apiserver_versions(fixture_json("apiserver-pods.json")))["steps"][0]
    assert sorted(kubelets) == sorted(ours["kubelet_masters"] + ours["workers"])
    with pytest.raises(ValueError):
        _day2.parse_upgrade_plan("error: preflight checks failed")


def test_nothing_to_do_text():
    cp = {"master1": "1.36.2", "master2": "1.36.2", "master3": "1.36.2"}
    plan = _day2.upgrade_plan("1.36.2", HA, ha_nodes("v1.36.2"), cp)
    assert _day2.upgrade_text(plan) == ["Upgrade to 1.36.2: nothing to do, every API server and kubelet already runs it."]
