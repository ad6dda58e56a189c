# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the planners of the day-2 playbooks (pure Python, no Ansible, no I/O).

Internal API: used by the filters in plugins/filter/_day2.py (add_nodes.yml,
remove_node.yml, upgrade.yml, certs.yml, etcd_backup.yml, etcd_restore.yml); may change
without notice.

Every planner takes what the playbook observed (API objects as the API returns them,
etcdctl/etcdutl/kubeadm output as the tools print it) and returns a plan plus a list of
problems in the shape of _cluster_checks (severity, where, problem, fix). A playbook
stops before acting while any problem is an error.
"""
from __future__ import annotations

import datetime
import re

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._cluster_checks import Problems

VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")
CONTROL_PLANE_LABELS = ("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master")


# ---- versions ------------------------------------------------------------------------------


def parse_version(text):
    """(major, minor, patch) of '1.36.2', 'v1.36.2', 'v1.34.3+k3s1' or an image tag; ValueError otherwise."""
    match = VERSION_RE.match(str(text or "").strip())
    if not match:
        raise ValueError("not a Kubernetes version: %r" % (text,))
    return tuple(int(x) for x in match.groups())


def version_text(version):
    return "%d.%d.%d" % tuple(version)


def minor_text(version):
    return "%d.%d" % tuple(version[:2])


def image_version(image):
    """Version of an image reference such as registry.k8s.io/kube-apiserver:v1.36.2 (None without one)."""
    tag = str(image or "").rsplit("/", 1)[-1].partition("@")[0]
    if ":" not in tag:
        return None
    try:
        return parse_version(tag.rsplit(":", 1)[1])
    except ValueError:
        return None


# ---- API objects ---------------------------------------------------------------------------


def _items(obj):
    if isinstance(obj, dict):
        return list(obj.get("items") or [])
    return list(obj or [])


def node_summary(nodes):
    """name -> {ready, unschedulable, kubelet (version tuple or None), control_plane, addresses} of a NodeList."""
    out = {}
    for node in _items(nodes):
        meta = node.get("metadata") or {}
        status = node.get("status") or {}
        labels = meta.get("labels") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
        try:
            kubelet = parse_version((status.get("nodeInfo") or {}).get("kubeletVersion"))
        except ValueError:
            kubelet = None
        out[meta.get("name")] = {
            "ready": ready,
            "unschedulable": bool((node.get("spec") or {}).get("unschedulable")),
            "kubelet": kubelet,
            "control_plane": any(label in labels for label in CONTROL_PLANE_LABELS),
            "addresses": [a.get("address") for a in status.get("addresses") or []],
        }
    return out


def apiserver_versions(pods):
    """node name -> version of the kube-apiserver static pod running there (from its image)."""
    out = {}
    for pod in _items(pods):
        spec = pod.get("spec") or {}
        containers = [c for c in spec.get("containers") or [] if c.get("name") == "kube-apiserver"]
        if not containers or not spec.get("nodeName"):
            continue
        version = image_version(containers[0].get("image"))
        if version:
            out[spec["nodeName"]] = version
    return out


def _cluster_hosts(groups):
    masters = list(groups.get("masters") or [])
    workers = [h for h in list(groups.get("workers") or []) + list(groups.get("gpu_nodes") or []) if h not in masters]
    return masters, workers


# ---- add_nodes -----------------------------------------------------------------------------


def add_plan(groups, nodes, play_hosts, inventory_version, distribution="kubeadm", lb_needed=True):
    """Which inventory hosts join, and what else the run must touch.

    groups: the inventory's groups. nodes: the NodeList of the cluster. play_hosts: the hosts
    this run may touch (--limit). inventory_version: k8s_version (kubeadm) or k3s_version (k3s),
    which new nodes install; it must be the version the cluster runs.
    """
    p = Problems()
    masters, workers = _cluster_hosts(groups)
    lb = list(groups.get("lb") or [])
    registered = node_summary(nodes)
    in_play = set(play_hosts or [])
    first = masters[0] if masters else None
    if first is None:
        p.error("group masters", "the masters group is empty", "list the control-plane hosts under masters")
        return {"new": [], "new_masters": [], "new_workers": [], "lb_update": [], "problems": p}
    if first not in registered:
        p.error("host %s" % first, "the first master %s is not a node of the cluster the API reports" % first,
                "add_nodes.yml grows an existing cluster; build it first with site.yml")
    new_masters = [h for h in masters if h not in registered and h in in_play]
    new_workers = [h for h in workers if h not in registered and h in in_play]
    outside = [h for h in masters + workers if h not in registered and h not in in_play]
    if outside:
        p.warning("hosts %s" % ", ".join(outside),
                  "%s %s not nodes yet but outside this run (--limit): not added now"
                  % (", ".join(outside), "is" if len(outside) == 1 else "are"),
                  "run again with them in --limit (or without --limit) to add them")
    unknown = sorted(set(registered) - set(masters) - set(workers))
    if unknown:
        p.warning("nodes %s" % ", ".join(unknown),
                  "the cluster has nodes the inventory does not list: %s" % ", ".join(unknown),
                  "add them to the inventory, or remove them (remove_node.yml) if they are gone")
    versions = sorted({v["kubelet"] for v in registered.values() if v["kubelet"]})
    try:
        wanted = parse_version(inventory_version)
    except ValueError:
        wanted = None
        p.error("k8s_version" if distribution == "kubeadm" else "k3s_version",
                "not a version: %r" % (inventory_version,), "write the version the cluster runs, e.g. 1.34.3")
    if wanted and versions and (new_masters or new_workers):
        newest = versions[-1]
        if wanted[:2] != newest[:2] or wanted > newest:
            name = "k8s_version" if distribution == "kubeadm" else "k3s_version"
            p.error(name, "the new nodes would install %s, but the cluster runs %s"
                    % (version_text(wanted), ", ".join(version_text(v) for v in versions)),
                    "set %s to the version the cluster runs (%s), or upgrade the cluster first (upgrade.yml)"
                    % (name, version_text(newest)))
    # haproxy balances over every master, and (unicast) keepalived peers with every lb host:
    # a new master or a new lb host means the lb role runs on every lb host again.
    lb_update = []
    if lb_needed and lb and (new_masters or set(lb) & set(new_masters + new_workers)):
        lb_update = [h for h in lb if h in in_play]
        missing = [h for h in lb if h not in in_play]
        if missing:
            p.error("hosts %s" % ", ".join(missing),
                    "masters or lb hosts join (%s) but the lb hosts %s are outside --limit: haproxy there "
                    "would not send API traffic to the new masters"
                    % (", ".join(new_masters + new_workers), ", ".join(missing)),
                    "add the lb hosts to the limit, e.g. --limit %s,lb" % ",".join(new_masters + new_workers))
    return {
        "first_master": first,
        "new": new_masters + new_workers,
        "new_masters": new_masters,
        "new_workers": new_workers,
        "lb_update": lb_update,
        "registered": sorted(registered),
        "cluster_versions": [version_text(v) for v in versions],
        "problems": p,
    }


# ---- etcd ----------------------------------------------------------------------------------


def _member_id(member):
    value = member.get("ID", member.get("id"))
    if isinstance(value, str):
        return value.lower()
    return "%x" % int(value)


def etcd_members(member_list, endpoint_health=None):
    """Members of `etcdctl member list -w json`, each with its health from `endpoint health --cluster -w json`.

    Returns a list of {id (hex), name, peer_urls, client_urls, healthy (True/False/None: unknown), learner}.
    """
    health = {}
    for entry in endpoint_health or []:
        health[str(entry.get("endpoint", "")).rstrip("/")] = bool(entry.get("health"))
    members = []
    for member in (member_list or {}).get("members") or []:
        clients = [str(u).rstrip("/") for u in member.get("clientURLs") or []]
        known = [health[u] for u in clients if u in health]
        members.append({
            "id": _member_id(member),
            "name": member.get("name") or "",
            "peer_urls": list(member.get("peerURLs") or []),
            "client_urls": clients,
            "healthy": (all(known) if known else (None if endpoint_health is None else False)),
            "learner": bool(member.get("isLearner")),
        })
    return members


def quorum(members_total):
    return members_total // 2 + 1


def quorum_check(members, removing, distribution="kubeadm"):
    """May the etcd member `removing` go without losing quorum?

    members: etcd_members() (k3s: one entry per server node, healthy = Ready). Refuses when the
    members that stay healthy after the removal are fewer than the quorum of the smaller
    cluster, and when nothing would be left.
    """
    p = Problems()
    voting = [m for m in members if not m.get("learner")]
    target = [m for m in voting if m["name"] == removing]
    after = [m for m in voting if m["name"] != removing]
    healthy_after = [m["name"] for m in after if m.get("healthy")]
    need = quorum(len(after)) if after else 0
    what = "etcd member" if distribution == "kubeadm" else "k3s server"
    if not target:
        p.warning("node %s" % removing, "%s is not an %s (already removed?)" % (removing, what),
                  "nothing to do for etcd; the rest of the removal goes on")
    if not after:
        p.error("node %s" % removing, "%s is the last %s: removing it destroys the cluster" % (removing, what),
                "use reset.yml to tear the whole cluster down instead")
    elif len(healthy_after) < need:
        unhealthy = [m["name"] for m in after if not m.get("healthy")]
        p.error("node %s" % removing,
                "removing %s leaves %d %ss of which %d healthy (%s); etcd needs %d for quorum, so the cluster "
                "would stop" % (removing, len(after), what, len(healthy_after), ", ".join(healthy_after) or "none",
                                need),
                "bring %s back to health first (or restore from a snapshot: etcd_restore.yml)"
                % (", ".join(unhealthy) or "the other members"))
    if after and len(after) % 2 == 0 and not p:
        p.warning("node %s" % removing,
                  "%d %ss remain: an even count tolerates no more failures than %d"
                  % (len(after), what, len(after) - 1),
                  "add a master back (add_nodes.yml) when you can; keep k8s_allow_even_masters: true in the "
                  "inventory meanwhile")
    return {
        "member": target[0] if target else None,
        "members_before": len(voting),
        "members_after": len(after),
        "healthy_after": healthy_after,
        "quorum_after": need,
        "ok": not any(x["severity"] == "error" for x in p),
        "problems": p,
    }


def pick_healthy_member(members, preferred):
    """Name of the first host of `preferred` (masters in inventory order) that is a healthy member."""
    healthy = {m["name"] for m in members if m.get("healthy") and not m.get("learner")}
    for host in preferred:
        if host in healthy:
            return host
    return None


def snapshot_check(status, min_keys=1):
    """Problems of `etcdutl snapshot status -w json` ({hash, revision, totalKey, totalSize, version})."""
    p = Problems()
    if not isinstance(status, dict):
        p.error("snapshot", "etcdutl printed no status", "check that the file is an etcd snapshot")
        return p
    for key in ("hash", "revision", "totalKey", "totalSize"):
        if key not in status:
            p.error("snapshot", "the status lacks %s: %r" % (key, status), "check the etcdutl version")
            return p
    if int(status["totalKey"]) < min_keys:
        p.error("snapshot", "the snapshot holds %s keys" % status["totalKey"],
                "a Kubernetes etcd always holds keys: the snapshot is empty or of another cluster")
    if int(status["revision"]) <= 0:
        p.error("snapshot", "revision %s" % status["revision"], "take the snapshot again")
    return p


def prune(files, keep):
    """Oldest snapshot files to delete so that `keep` remain (names sort by time: etcd-<UTC stamp>.db)."""
    keep = int(keep)
    if keep < 1:
        raise ValueError("keep must be at least 1, got %r" % keep)
    ordered = sorted(set(files))
    return ordered[:-keep] if len(ordered) > keep else []


def restore_plan(members, masters, addresses, token, data_dir="/var/lib/etcd", peer_port=2380):
    """The `etcdutl snapshot restore` arguments of every member (kubeadm's stacked etcd).

    members: etcd_members() before the restore; masters: inventory masters; addresses:
    master -> node address. The restored cluster has exactly the current members, each with
    its name and peer URL; the token is new.
    """
    p = Problems()
    names = [m["name"] for m in members if not m.get("learner")]
    if not names:
        # no member list (etcd down everywhere): the inventory's masters are the members
        names = list(masters)
        p.warning("etcd", "no member list (etcd does not answer): the members are taken from the masters group",
                  "check that the masters group lists exactly the control-plane nodes")
    peers = {}
    for m in members:
        if m["peer_urls"]:
            peers[m["name"]] = m["peer_urls"][0]
    for name in names:
        if name not in masters:
            p.error("etcd member %s" % name, "%s is an etcd member but not in the masters group" % name,
                    "add it to the inventory, or remove the member first (remove_node.yml)")
        if name not in peers:
            address = addresses.get(name)
            if not address:
                p.error("host %s" % name, "no address for %s" % name, "set k8s_node_address of %s" % name)
                continue
            peers[name] = "https://%s:%d" % (("[%s]" % address) if ":" in address else address, peer_port)
    missing = [h for h in masters if h not in names]
    if missing:
        p.error("hosts %s" % ", ".join(missing),
                "%s %s in masters but not etcd members" % (", ".join(missing), "is" if len(missing) == 1 else "are"),
                "join them first (add_nodes.yml) or remove them from the inventory")
    cluster = ",".join("%s=%s" % (name, peers[name]) for name in names if name in peers)
    hosts = {}
    for name in names:
        if name in peers:
            hosts[name] = {
                "name": name,
                "initial_cluster": cluster,
                "initial_advertise_peer_urls": peers[name],
                "initial_cluster_token": token,
            }
    return {"members": names, "hosts": hosts, "initial_cluster": cluster, "token": token, "data_dir": data_dir,
            "problems": p}


# ---- drain -----------------------------------------------------------------------------------


def drain_targets(pods, node, ignore_daemonsets=True, delete_emptydir_data=True, force=False):
    """What a drain of `node` evicts, what it leaves, and what stops it (kubectl drain's rules).

    Mirror pods (static pods) and DaemonSet pods stay; finished pods are evicted too; a pod
    without a controller is refused unless force (it would be gone for good), and one with
    emptyDir data unless delete_emptydir_data.
    """
    p = Problems()
    evict, skipped = [], []
    for pod in _items(pods):
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        if spec.get("nodeName") != node:
            continue
        ref = {"namespace": meta.get("namespace"), "name": meta.get("name")}
        label = "%s/%s" % (ref["namespace"], ref["name"])
        if meta.get("deletionTimestamp"):
            skipped.append(dict(ref, reason="terminating"))
            continue
        if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
            skipped.append(dict(ref, reason="static pod"))
            continue
        owners = [o for o in meta.get("ownerReferences") or [] if o.get("controller")]
        phase = (pod.get("status") or {}).get("phase")
        if owners and owners[0].get("kind") == "DaemonSet":
            if ignore_daemonsets:
                skipped.append(dict(ref, reason="DaemonSet"))
                continue
            p.error("pod %s" % label, "%s belongs to a DaemonSet" % label,
                    "drain with drain_ignore_daemonsets: true (the default)")
            continue
        if not owners and phase not in ("Succeeded", "Failed") and not force:
            p.error("pod %s" % label, "%s has no controller: evicting it deletes it for good" % label,
                    "move or delete it yourself, or drain with drain_force: true")
            continue
        if any("emptyDir" in (v or {}) for v in spec.get("volumes") or []) and not delete_emptydir_data \
                and phase not in ("Succeeded", "Failed"):
            p.error("pod %s" % label, "%s uses emptyDir: its data is lost with the eviction" % label,
                    "drain with drain_delete_emptydir_data: true once that is acceptable")
            continue
        evict.append(ref)
    # what a drain waits for: pods still to go (evictable or already terminating)
    remaining = evict + [{"namespace": x["namespace"], "name": x["name"]} for x in skipped
                         if x["reason"] == "terminating"]
    return {"evict": evict, "skipped": skipped, "remaining": remaining, "problems": p}


def eviction_refusal(status, body):
    """Operator-readable reason of a refused eviction (HTTP status + the API's Status object)."""
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or ""
    causes = [c.get("message") for c in ((body.get("details") or {}).get("causes") or []) if c.get("message")]
    if int(status or 0) == 429:
        return "a PodDisruptionBudget allows no disruption now: %s" % ("; ".join(causes) or message or "429")
    return "HTTP %s: %s" % (status, "; ".join([message] + causes).strip("; ") or "no message")


# ---- remove_node ------------------------------------------------------------------------------


def remove_plan(node, groups, nodes, members=None, distribution="kubeadm"):
    """What removing `node` involves, and whether it may go."""
    p = Problems()
    masters, workers = _cluster_hosts(groups)
    lb = list(groups.get("lb") or [])
    registered = node_summary(nodes)
    if not node:
        p.error("node", "no node given", "name it: -e node=<inventory name>")
        return {"node": node, "problems": p}
    in_inventory = node in masters + workers
    is_master = node in masters or bool((registered.get(node) or {}).get("control_plane"))
    if not in_inventory and node not in registered:
        p.error("node %s" % node, "%s is neither in the inventory nor a node of the cluster" % node,
                "check the name (kubectl get nodes); nodes: %s" % (", ".join(sorted(registered)) or "none"))
    if masters and node == masters[0]:
        p.error("node %s" % node,
                "%s is the first master: the playbooks run init, joins and API calls through it" % node,
                "list another master first in the masters group (it takes over that role), then run again")
    quorum_result = None
    if is_master:
        if members is None:
            members = k3s_members(nodes) if distribution == "k3s" else []
        quorum_result = quorum_check(members, node, distribution)
        p.extend(quorum_result["problems"])
    if node in registered and len(registered) == 1:
        p.error("node %s" % node, "%s is the only node" % node, "use reset.yml to tear the cluster down")
    return {
        "node": node,
        "role": "master" if is_master else "worker",
        "registered": node in registered,
        "in_inventory": in_inventory,
        "lb_host": node in lb,
        "lb_others": [h for h in lb if h != node],
        "masters_after": [h for h in masters if h != node],
        "etcd_member": (quorum_result or {}).get("member"),
        "quorum": quorum_result,
        "problems": p,
    }


# ---- upgrade ----------------------------------------------------------------------------------


def upgrade_plan(target, groups, nodes, apiservers, intermediate=None, batch=1, offline=False):
    """The minor steps from the cluster's version to `target`, and who is upgraded in each.

    nodes: NodeList (kubelet versions); apiservers: node -> kube-apiserver version (tuple or
    text). intermediate: the patch release to use for every minor in between
    (e.g. ['1.35.6'] for 1.34 -> 1.36). A run that stopped half-way resumes: whatever is
    already at a step's version is left out of that step.
    """
    p = Problems()
    masters, workers = _cluster_hosts(groups)
    registered = node_summary(nodes)
    try:
        tgt = parse_version(target)
    except ValueError:
        p.error("k8s_version", "not a version: %r" % (target,), 'give the target as X.Y.Z, e.g. -e k8s_version=1.35.6')
        return {"steps": [], "problems": p, "nothing_to_do": False}
    try:
        batch = int(batch)
    except (TypeError, ValueError):
        batch = 0
    if batch < 1:
        p.error("upgrade_worker_batch", "must be a whole number of at least 1, got %r" % (batch,),
                "e.g. -e upgrade_worker_batch=2")
        batch = 1
    cp = {}
    for name, version in (apiservers or {}).items():
        cp[name] = parse_version(version) if isinstance(version, str) else tuple(version)
    if not cp:
        p.error("kube-apiserver", "no kube-apiserver static pod found", "check the control plane (kubectl -n "
                "kube-system get pods -l component=kube-apiserver)")
        return {"steps": [], "problems": p, "nothing_to_do": False}
    current = min(cp.values())
    kubelets = {n: v["kubelet"] for n, v in registered.items() if v["kubelet"]}
    oldest = min([current] + list(kubelets.values()))
    newest = max(list(cp.values()) + list(kubelets.values()))
    if tgt < newest:
        p.error("k8s_version", "%s is older than what already runs (%s): a downgrade"
                % (version_text(tgt), version_text(newest)),
                "Kubernetes cannot be downgraded in place; restore an etcd snapshot of the old version on a "
                "rebuilt cluster instead")
    if max(cp.values())[:2] > current[:2] and max(cp.values())[:2][1] - current[1] > 1:
        p.error("control plane", "the API servers run %s, more than one minor apart"
                % ", ".join("%s %s" % (n, version_text(v)) for n, v in sorted(cp.items())),
                "fix the control plane by hand (kubeadm upgrade node on the older masters)")
    # the minors to step through
    given = {}
    for text in intermediate or []:
        try:
            version = parse_version(text)
        except ValueError:
            p.error("upgrade_intermediate_versions", "not a version: %r" % (text,), "write X.Y.Z, e.g. 1.35.6")
            continue
        if not current[:2] < version[:2] < tgt[:2]:
            p.error("upgrade_intermediate_versions",
                    "%s is not between the cluster's minor %s and the target's %s"
                    % (version_text(version), minor_text(current), minor_text(tgt)),
                    "list one patch release per minor strictly between them")
            continue
        if version[:2] in given:
            p.error("upgrade_intermediate_versions", "two releases of %s: %s and %s"
                    % (minor_text(version), version_text(given[version[:2]]), version_text(version)),
                    "keep one per minor")
        given[version[:2]] = version
    steps_versions = []
    if tgt[0] != current[0]:
        p.error("k8s_version", "%s changes the major version" % version_text(tgt), "upgrade within 1.x")
    else:
        for minor in range(current[1] + 1, tgt[1]):
            if (tgt[0], minor) in given:
                steps_versions.append(given[(tgt[0], minor)])
            else:
                p.error("k8s_version", "%s -> %s skips %d.%d: kubeadm upgrades one minor version at a time"
                        % (version_text(current), version_text(tgt), tgt[0], minor),
                        "name the %d.%d release to pass through: -e '{\"upgrade_intermediate_versions\": "
                        "[\"%d.%d.<patch>\"]}' (the newest patch of %d.%d), or upgrade to %d.%d first"
                        % (tgt[0], minor, tgt[0], minor, tgt[0], minor, tgt[0], minor))
        if tgt >= newest:
            steps_versions.append(tgt)
    if offline and len(steps_versions) > 1:
        p.error("k8s_install_mode", "offline, this upgrade needs %d steps (%s) and a bundle holds one version"
                % (len(steps_versions), " -> ".join(version_text(v) for v in steps_versions)),
                "run upgrade.yml once per step, each with the bundle of its version: %s"
                % "; then ".join("-e k8s_version=%s -e k8s_bundle_dir=<bundle of %s>" % (version_text(v), version_text(v))
                                 for v in steps_versions))
    first = masters[0] if masters else None
    cluster_masters = [h for h in masters if h in registered]
    cluster_workers = [h for h in workers if h in registered]
    unknown = sorted(set(registered) - set(masters) - set(workers))
    if unknown:
        p.error("nodes %s" % ", ".join(unknown), "the cluster has nodes the inventory does not list: %s; "
                "they would be left on the old version" % ", ".join(unknown),
                "add them to the inventory (or remove them: remove_node.yml) before upgrading")
    not_ready = sorted(n for n, v in registered.items() if not v["ready"])
    if not_ready:
        p.error("nodes %s" % ", ".join(not_ready), "%s %s not Ready: an upgrade starts from a healthy cluster"
                % (", ".join(not_ready), "is" if len(not_ready) == 1 else "are"),
                "fix them (journalctl -u kubelet) or remove them (remove_node.yml) first")
    steps = []
    for version in steps_versions:
        step = {
            "version": version_text(version),
            "minor": minor_text(version),
            "apply": first if first and cp.get(first, (0, 0, 0)) < version else None,
            "control_plane_nodes": [h for h in cluster_masters[1:] if cp.get(h, (0, 0, 0)) < version],
            "kubelet_masters": [h for h in cluster_masters if kubelets.get(h, (0, 0, 0)) < version],
            "workers": [h for h in cluster_workers if kubelets.get(h, (0, 0, 0)) < version],
        }
        step["worker_batches"] = [step["workers"][i:i + batch] for i in range(0, len(step["workers"]), batch)]
        step["masters"] = [h for h in cluster_masters if h == step["apply"] or h in step["control_plane_nodes"]
                           or h in step["kubelet_masters"]]
        steps.append(step)
    # who the step plays run on, in order (the first master first)
    hosts = [{"step": i, "group": group, "host": h}
             for i, step in enumerate(steps) for group in ("masters", "workers") for h in step[group]]
    nothing = not steps or all(not (s["apply"] or s["control_plane_nodes"] or s["kubelet_masters"] or s["workers"])
                               for s in steps)
    return {
        "current": version_text(current),
        "oldest": version_text(oldest),
        "target": version_text(tgt),
        "steps": steps,
        "path": [version_text(current)] + [s["version"] for s in steps],
        "first_master": first,
        "hosts": hosts,
        "nothing_to_do": nothing and not any(x["severity"] == "error" for x in p),
        "problems": p,
    }


def parse_upgrade_plan(text):
    """What `kubeadm upgrade plan vX` says: {cluster, kubeadm, target (versions as text), components:
    [{component, node, current, target}]} from its "[upgrade/versions]" lines and tables."""
    out = {"cluster": None, "kubeadm": None, "target": None, "components": []}
    header = None
    for line in (text or "").splitlines():
        match = re.match(r"^\[upgrade/versions\] (Cluster|kubeadm|Target) version: v?(\S+)", line)
        if match:
            out[match.group(1).lower()] = match.group(2)
            continue
        if line.startswith("COMPONENT"):
            header = _columns(line)
            continue
        if header is None or not line.strip():
            header = None if not line.strip() else header
            continue
        cells = {}
        for index, (name, start) in enumerate(header):
            end = header[index + 1][1] if index + 1 < len(header) else None
            cells[name.lower()] = line[start:end].strip()
        out["components"].append(cells)
    if not out["target"]:
        raise ValueError("no target version in the kubeadm upgrade plan output")
    return out


def upgrade_text(plan):
    """The plan as lines an operator reads before anything happens."""
    if plan.get("nothing_to_do"):
        return ["Upgrade to %s: nothing to do, every API server and kubelet already runs it." % plan.get("target")]
    lines = ["Upgrade %s -> %s: %s" % (plan.get("current"), plan.get("target"), " -> ".join(plan.get("path") or []))]
    for number, step in enumerate(plan.get("steps") or [], 1):
        lines.append("Step %d: Kubernetes %s" % (number, step["version"]))
        lines.append("  1. %s: kubeadm upgrade apply v%s" % (step["apply"], step["version"]) if step["apply"]
                     else "  1. control plane of %s already at %s" % (plan.get("first_master"), step["version"]))
        lines.append("  2. other masters, one at a time: kubeadm upgrade node: %s"
                     % (", ".join(step["control_plane_nodes"]) or "none left"))
        lines.append("  3. kubelet and kubectl on the masters, one at a time (drain, upgrade, uncordon): %s"
                     % (", ".join(step["kubelet_masters"]) or "none left"))
        lines.append("  4. workers in batches (drain, kubeadm upgrade node, kubelet, uncordon, Ready): %s"
                     % ("; ".join("[" + ", ".join(b) + "]" for b in step["worker_batches"]) or "none left"))
    return lines


# ---- certificates ----------------------------------------------------------------------------------

_DATE_FORMATS = ("%b %d, %Y %H:%M %Z", "%b %d, %Y %H:%M UTC")


def _parse_expiry(text):
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), fmt).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            continue
    raise ValueError("unknown date %r" % text)


def _columns(header):
    """(name, start) of the columns of a kubeadm table header (words separated by 2+ spaces)."""
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+(?: \S+)*", header)]


def parse_check_expiration(text):
    """Rows of `kubeadm certs check-expiration`: [{name, kind (certificate|ca), expires (ISO), residual,
    authority, externally_managed, missing}]. A `!MISSING! <name>` row (kubeadm's mark for a file it did
    not find, e.g. super-admin.conf on every master but the first) has missing true and no dates."""
    rows = []
    header = None
    kind = None
    for line in (text or "").splitlines():
        if not line.strip():
            header = None
            continue
        if line.startswith("CERTIFICATE AUTHORITY"):
            header, kind = _columns(line), "ca"
            continue
        if line.startswith("CERTIFICATE "):
            header, kind = _columns(line), "certificate"
            continue
        if header is None or line.startswith("["):
            continue
        if line.startswith("!MISSING!"):
            # kubeadm keeps super-admin.conf on the first control-plane node only
            rows.append({"name": line[len("!MISSING!"):].strip(), "kind": kind, "expires": "", "residual": "",
                         "authority": "", "externally_managed": False, "missing": True})
            continue
        cells = {}
        for index, (name, start) in enumerate(header):
            end = header[index + 1][1] if index + 1 < len(header) else None
            cells[name] = line[start:end].strip()
        first = header[0][0]
        expires = _parse_expiry(cells.get("EXPIRES", ""))
        rows.append({
            "name": cells.get(first, ""),
            "kind": kind,
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "residual": cells.get("RESIDUAL TIME", ""),
            "authority": cells.get("CERTIFICATE AUTHORITY", "") if kind == "certificate" else "",
            "externally_managed": cells.get("EXTERNALLY MANAGED", "").lower() == "yes",
            "missing": False,
        })
    if not rows:
        raise ValueError("no certificate table in the output")
    return rows


def certs_report(tables, warn_days=30, now=None):
    """Expiry of every certificate on every master, soonest first, with warnings.

    tables: host -> rows of parse_check_expiration(). now: datetime (UTC) for the days left.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    warn_days = int(warn_days)
    rows, missing, warnings = [], [], Problems()
    for host in sorted(tables):
        for row in tables[host]:
            if row.get("missing"):
                missing.append(dict(row, host=host, days_left=None))
                if row["name"] != "super-admin.conf":
                    warnings.warning("host %s" % host, "%s is missing" % row["name"],
                                     "kubeadm init phase kubeconfig / certs on %s recreates it (or renew: -e certs_renew=true)"
                                     % host)
                continue
            expires = datetime.datetime.strptime(row["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
            days = (expires - now).total_seconds() / 86400.0
            rows.append(dict(row, host=host, days_left=int(days // 1)))
    rows.sort(key=lambda r: (r["days_left"], r["host"], r["name"]))
    soon = [r for r in rows if r["days_left"] < warn_days]
    for r in soon:
        if r["kind"] == "ca":
            fix = ("kubeadm does not renew CAs: plan a CA rotation (kubernetes.io/docs/tasks/tls/manual-rotation-of-"
                   "ca-certificates) before it expires")
        elif r["externally_managed"]:
            fix = "it is externally managed: renew it where it comes from"
        else:
            fix = "renew now: ansible-playbook playbooks/certs.yml -i <inventory> -e certs_renew=true"
        warnings.warning("host %s" % r["host"], "%s %s expires in %s days (%s)"
                         % ("CA" if r["kind"] == "ca" else "certificate", r["name"], int(r["days_left"]), r["expires"]),
                         fix)
    width = max([len(r["name"]) for r in rows + missing] + [11])
    hostw = max([len(r["host"]) for r in rows + missing] + [4])

    def line(host, name, kind, expires, days, mark=""):
        return "{0:<{hw}}  {1:<{w}}  {2:<4}  {3:<20}  {4:>9}{5}".format(host, name, kind, expires, days, mark, hw=hostw, w=width)

    lines = [line("HOST", "CERTIFICATE", "KIND", "EXPIRES", "DAYS LEFT")]
    for r in rows:
        lines.append(line(r["host"], r["name"], "CA" if r["kind"] == "ca" else "cert", r["expires"],
                          int(r["days_left"]), "  <" if r["days_left"] < warn_days else ""))
    for r in missing:
        lines.append(line(r["host"], r["name"], "cert", "(missing)", "-",
                          "  (kept on the first master only)" if r["name"] == "super-admin.conf" else "  <"))
    return {"rows": rows, "missing": missing, "table": lines, "soonest": rows[0] if rows else None, "problems": warnings}


def k3s_members(nodes):
    """k3s embeds etcd in every server: one pseudo-member per server node, healthy = Ready."""
    members = []
    for name, node in sorted(node_summary(nodes).items()):
        if node["control_plane"]:
            members.append({"id": "", "name": name, "peer_urls": [], "client_urls": [], "healthy": node["ready"],
                            "learner": False})
    return members
