# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: which nodes a kubeadm or k3s run initialises and joins, from what is on them.

Internal API: used by the aiinfra.k8s._cluster_plan filter (roles kubeadm_init and k3s,
tasks/plan.yml); may change without notice. Bad input raises ValueError.

The first master is the first host of the `masters` group (inventory order), whether or
not it is in the play; only hosts in play_hosts are ever initialised or joined.
Inconsistent states are returned as problems (severity, where, problem, fix) instead of
being acted upon: nodes joined to a cluster while the first master has none (a half
reset), or a pending initialisation while the first master is outside --limit.
"""
from __future__ import annotations

from collections.abc import Mapping


def _group(groups, name):
    hosts = groups.get(name) or []
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, (list, tuple)):
        raise ValueError("groups[%r] must be a list of host names" % name)
    return list(hosts)


def _flag(states, host, key):
    value = (states.get(host) or {}).get(key, False)
    if not isinstance(value, bool):
        raise ValueError("%s.%s must be a boolean, got %r" % (host, key, value))
    return value


def cluster_plan(states, groups, play_hosts=None):
    if not isinstance(states, Mapping) or not all(isinstance(v, Mapping) for v in states.values()):
        raise ValueError("expected a mapping of host name to observations")
    if not isinstance(groups, Mapping):
        raise ValueError("expected the groups mapping as its argument")
    masters = _group(groups, "masters")
    if not masters:
        raise ValueError("the masters group is empty")
    nodes = _group(groups, "workers") + _group(groups, "gpu_nodes")
    if play_hosts is None:
        play_hosts = masters + nodes
    if isinstance(play_hosts, (str, bytes)) or not isinstance(play_hosts, (list, tuple)):
        raise ValueError("play_hosts must be a list of host names")
    in_play = set(play_hosts)

    first = masters[0]
    if first not in states or "initialised" not in states[first]:
        raise ValueError("no 'initialised' observation for the first master %s" % first)
    initialised = _flag(states, first, "initialised")

    problems = []
    cp_joins = [h for h in masters[1:] if h in in_play and not _flag(states, h, "joined")]
    worker_joins = [h for h in nodes if h in in_play and h not in masters and not _flag(states, h, "joined")]
    init = not initialised and first in in_play

    if not initialised:
        if first not in in_play:
            problems.append({
                "severity": "error", "where": "host %s" % first,
                "problem": "the first master %s has no control plane yet and is outside this run (--limit)" % first,
                "fix": "include %s in --limit (or run without --limit) so it is initialised first" % first,
            })
        stale = [h for h in masters[1:] + nodes if _flag(states, h, "joined")]
        if stale:
            problems.append({
                "severity": "error", "where": "hosts %s" % ", ".join(stale),
                "problem": "%s already belong to a cluster, but the first master %s has none (a partial reset?)"
                           % (", ".join(stale), first),
                "fix": "reset them too (playbooks/reset.yml --limit %s -e reset_confirm=yes), then run again"
                       % ",".join(stale),
            })
    joins = cp_joins + worker_joins
    return {
        "first_master": first,
        "init": init,
        "control_plane_joins": cp_joins,
        "worker_joins": worker_joins,
        "joins": joins,
        "join_info_needed": bool(joins) and not problems,
        "certificate_key_needed": bool(cp_joins) and not problems,
        "problems": problems,
    }
