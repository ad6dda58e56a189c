# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The internal filters of the day-2 playbooks, one thin wrapper each around a planner of
plugins/plugin_utils/_day2.py: Ansible's values become plain dicts and lists, a planner's
ValueError or TypeError becomes an AnsibleFilterError that names the filter. Each filter's
documentation is the sidecar plugins/filter/<filter name>.yml (ansible-doc -t filter
aiinfra.k8s._day2_prune). Internal, not part of the collection's public API."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require


def _planners():
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection that sorts before the one a template names, in every worker process
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _day2

    return _day2


def _day2_add_plan(nodes, groups, play_hosts, version, distribution="kubeadm", lb_needed=True):
    return plain(call("_day2_add_plan", _planners().add_plan,
                      plain(groups), plain(nodes), plain(play_hosts) or [], version, distribution, bool(lb_needed)))


def _day2_certs_report(outputs, warn_days=30):
    outputs = plain(outputs)
    require("_day2_certs_report", isinstance(outputs, dict), "host -> kubeadm certs check-expiration output")
    tables = {}
    for host, text in outputs.items():
        try:
            tables[host] = _planners().parse_check_expiration(text)
        except ValueError as exc:
            raise AnsibleFilterError("_day2_certs_report: %s: %s" % (host, exc))
    return plain(call("_day2_certs_report", _planners().certs_report, tables, warn_days))


def _day2_drain_targets(pods, node, ignore_daemonsets=True, delete_emptydir_data=True, force=False):
    return plain(call("_day2_drain_targets", _planners().drain_targets,
                      plain(pods), node, bool(ignore_daemonsets), bool(delete_emptydir_data), bool(force)))


def _day2_etcd_members(member_list, endpoint_health=None):
    return plain(call("_day2_etcd_members", _planners().etcd_members, plain(member_list), plain(endpoint_health)))


def _day2_eviction_refusal(body, status):
    return plain(call("_day2_eviction_refusal", _planners().eviction_refusal, status, plain(body)))


def _day2_kubeadm_plan(text):
    return plain(call("_day2_kubeadm_plan", _planners().parse_upgrade_plan, text))


def _day2_prune(files, keep):
    return plain(call("_day2_prune", _planners().prune, plain(files) or [], keep))


def _day2_remove_plan(node, groups, nodes, members=None, distribution="kubeadm"):
    return plain(call("_day2_remove_plan", _planners().remove_plan,
                      node, plain(groups), plain(nodes), plain(members), distribution))


def _day2_restore_plan(members, masters, addresses, token):
    return plain(call("_day2_restore_plan", _planners().restore_plan,
                      plain(members) or [], plain(masters) or [], plain(addresses), token))


def _day2_snapshot_check(status):
    return plain(call("_day2_snapshot_check", _planners().snapshot_check, plain(status)))


def _day2_upgrade_plan(target, groups, nodes, apiserver_pods, intermediate=None, batch=1, offline=False):
    apiservers = call("_day2_upgrade_plan", _planners().apiserver_versions, plain(apiserver_pods))
    return plain(call("_day2_upgrade_plan", _planners().upgrade_plan,
                      target, plain(groups), plain(nodes), apiservers, plain(intermediate) or [], batch, bool(offline)))


def _day2_upgrade_text(plan):
    return plain(call("_day2_upgrade_text", _planners().upgrade_text, plain(plan)))


FILTERS = (_day2_add_plan, _day2_certs_report, _day2_drain_targets, _day2_etcd_members, _day2_eviction_refusal,
           _day2_kubeadm_plan, _day2_prune, _day2_remove_plan, _day2_restore_plan, _day2_snapshot_check,
           _day2_upgrade_plan, _day2_upgrade_text)


class FilterModule(object):
    def filters(self):
        return {func.__name__: func for func in FILTERS}
