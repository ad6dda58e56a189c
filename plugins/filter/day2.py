# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planners of the day-2 playbooks (add_nodes, remove_node, upgrade, certs, etcd_backup,
etcd_restore). Thin wrappers over plugins/plugin_utils/_day2.py, where the logic lives as
pure functions. Documentation: one YAML file per filter next to this file (day2_*.yml)."""
from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _day2


def _wrap(name, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc))


def _mapping(name, value, what):
    if not isinstance(value, Mapping):
        raise AnsibleFilterError("%s: expected %s (a mapping), got %s" % (name, what, type(value).__name__))
    return dict(value)


def _plain(value):
    """Problems lists back to plain lists (Ansible templates them as data)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def day2_add_plan(nodes, groups, play_hosts, version, distribution="kubeadm", lb_needed=True):
    return _plain(_wrap("day2_add_plan", _day2.add_plan, _mapping("day2_add_plan", groups, "the groups"),
                        nodes, list(play_hosts or []), version, distribution, bool(lb_needed)))


def day2_remove_plan(node, groups, nodes, members=None, distribution="kubeadm"):
    return _plain(_wrap("day2_remove_plan", _day2.remove_plan, node, _mapping("day2_remove_plan", groups, "the groups"),
                        nodes, members, distribution))


def day2_upgrade_plan(target, groups, nodes, apiserver_pods, intermediate=None, batch=1, offline=False):
    apiservers = _wrap("day2_upgrade_plan", _day2.apiserver_versions, apiserver_pods)
    return _plain(_wrap("day2_upgrade_plan", _day2.upgrade_plan, target, _mapping("day2_upgrade_plan", groups, "the groups"),
                        nodes, apiservers, list(intermediate or []), batch, bool(offline)))


def day2_upgrade_text(plan):
    return _wrap("day2_upgrade_text", _day2.upgrade_text, _mapping("day2_upgrade_text", plan, "a plan"))


def day2_etcd_members(member_list, endpoint_health=None):
    return _wrap("day2_etcd_members", _day2.etcd_members, _mapping("day2_etcd_members", member_list, "member list JSON"),
                 endpoint_health)


def day2_snapshot_check(status):
    return _plain(_wrap("day2_snapshot_check", _day2.snapshot_check, status))


def day2_prune(files, keep):
    return _wrap("day2_prune", _day2.prune, list(files or []), keep)


def day2_restore_plan(members, masters, addresses, token):
    return _plain(_wrap("day2_restore_plan", _day2.restore_plan, list(members or []), list(masters or []),
                        _mapping("day2_restore_plan", addresses, "host -> address"), token))


def day2_drain_targets(pods, node, ignore_daemonsets=True, delete_emptydir_data=True, force=False):
    return _plain(_wrap("day2_drain_targets", _day2.drain_targets, pods, node, bool(ignore_daemonsets),
                        bool(delete_emptydir_data), bool(force)))


def day2_eviction_refusal(body, status):
    return _wrap("day2_eviction_refusal", _day2.eviction_refusal, status, body)


def day2_certs_report(outputs, warn_days=30):
    outputs = _mapping("day2_certs_report", outputs, "host -> kubeadm certs check-expiration output")
    tables = {}
    for host, text in outputs.items():
        try:
            tables[host] = _day2.parse_check_expiration(text)
        except ValueError as exc:
            raise AnsibleFilterError("day2_certs_report: %s: %s" % (host, exc))
    return _plain(_wrap("day2_certs_report", _day2.certs_report, tables, warn_days))


class FilterModule(object):
    def filters(self):
        return {
            "day2_add_plan": day2_add_plan,
            "day2_remove_plan": day2_remove_plan,
            "day2_upgrade_plan": day2_upgrade_plan,
            "day2_upgrade_text": day2_upgrade_text,
            "day2_etcd_members": day2_etcd_members,
            "day2_snapshot_check": day2_snapshot_check,
            "day2_prune": day2_prune,
            "day2_restore_plan": day2_restore_plan,
            "day2_drain_targets": day2_drain_targets,
            "day2_certs_report": day2_certs_report,
            "day2_eviction_refusal": day2_eviction_refusal,
        }
