# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: host_problems
short_description: Preflight problems of one host
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Checks one host against the cluster's needs and returns every problem found
    (none when the host is fit), each saying where, what was found and how to fix it.
  - Checks the operating system, CPUs and memory per inventory group, the ports the
    host's roles need (a port held by the very service that would use it, such as
    kube-apiserver on a re-run, is not a conflict), clock skew against the controller
    and NTP sync state, cgroup v1 with Kubernetes 1.35 or later, and the executables
    kubeadm's own preflight needs.
  - The preflight role feeds it what its one-command host probe found; the logic is
    C(host_problems) in C(plugins/plugin_utils/_host_checks.py).
options:
  _input:
    description:
      - The host information, as the preflight role builds it; the probe's findings (C(clock),
        C(vcpus), C(memory_mb), C(cgroup_fs), C(ntp_synchronized), C(product_uuid), C(ss_rc),
        C(listening), C(missing_tools)) combined with C(host) (inventory name), C(groups) (its
        inventory groups), C(distribution), C(distribution_version),
        C(distribution_major_version), and C(controller_before), C(controller_after)
        (controller epoch seconds read just before and after the probe).
    type: dict
    required: true
  settings:
    description:
      - C(supported_os) (distribution -> versions), C(min_resources) (group -> C(cpus), C(memory_mb)),
        C(ports) (group -> list of C({port|ports, service, owners})), C(lb_enabled),
        C(max_clock_skew) (seconds), C(warn_ntp), C(k8s_version), C(kubelet_fail_cgroup_v1).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Problems of this host
  ansible.builtin.set_fact:
    problems: "{{ host_info | aiinfra.k8s.host_problems(settings) }}"
"""

RETURN = r"""
_value:
  description: Problems, each C({severity, host, where, problem, fix}); severity is C(error) or C(warning).
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain, require


def host_problems(info, settings):
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection in each worker process that looks up any of its filters
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _host_checks

    require("host_problems", isinstance(info, Mapping) and isinstance(settings, Mapping),
            "two mappings (host information, settings)")
    return call("host_problems", _host_checks.host_problems, plain(info), plain(settings))


class FilterModule(object):
    def filters(self):
        return {"host_problems": host_problems}
