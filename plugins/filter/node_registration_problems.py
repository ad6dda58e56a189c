# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: node_registration_problems
short_description: Check the labels and taints a node registers with, before kubelet refuses them
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Validates node labels (C(k8s_node_labels) plus role labels) and taints (C(k8s_node_taints)
    plus role taints) the way the API server and kubelet do, so a bad value stops the run
    before any node is touched instead of leaving a kubelet that never starts.
  - Label keys and values follow the Kubernetes syntax (optional DNS-subdomain prefix of at most
    253 characters, name and value of at most 63 characters from C([A-Za-z0-9_.-]), starting and
    ending alphanumeric).
  - Kubelet refuses C(--node-labels) in the C(kubernetes.io) and C(k8s.io) namespaces except the
    C(kubelet.kubernetes.io) and C(node.kubernetes.io) prefixes and a fixed set of well-known labels
    (NodeRestriction), so for example C(node-role.kubernetes.io/worker) must be set through the API
    instead.
  - Taints need a valid key, an optional valid value and an effect of C(NoSchedule),
    C(PreferNoSchedule) or C(NoExecute).
options:
  _input:
    description: Node labels, label key to value.
    type: dict
    required: true
  taints:
    description: Taints, each a mapping with C(key), optional C(value) and C(effect).
    type: list
    elements: dict
    required: true
  host:
    description: Host name used in the messages.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Stop on labels or taints kubelet would refuse
  ansible.builtin.fail:
    msg: "{{ _problems | aiinfra.k8s.problems_report }}"
  vars:
    _problems: "{{ k8s_node_labels | aiinfra.k8s.node_registration_problems(k8s_node_taints, inventory_hostname) }}"
  when: _problems | length > 0
"""

RETURN = r"""
_value:
  description: Problems found (empty when all is well), each with C(severity), C(where), C(problem), C(fix).
  type: list
  elements: dict
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# k8s.io/kubelet pkg/apis/well_known_labels.go (v0.34.3): kubeletLabels, kubeletLabelNamespaces
KUBELET_ALLOWED_LABELS = frozenset((
    "kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
    "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
    "kubernetes.io/os", "beta.kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/arch",
))
KUBELET_ALLOWED_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")


def _dns_subdomain(value):
    return 0 < len(value) <= 253 and all(_DNS_LABEL.match(part) for part in value.split("."))


def qualified_name_error(key):
    """Why `key` is not a valid label/taint key, or None."""
    if not isinstance(key, str) or not key:
        return "the key must be a non-empty string"
    prefix, name = key.rpartition("/")[0::2]
    if "/" in key and not prefix:
        return "the prefix before '/' is empty"
    if prefix and not _dns_subdomain(prefix):
        return "the prefix %r is not a lowercase DNS subdomain" % prefix
    if not name or len(name) > 63 or not _NAME.match(name):
        return ("the name %r must be 1-63 characters of [A-Za-z0-9_.-], starting and ending "
                "with a letter or digit" % name)
    return None


def label_value_error(value):
    if not isinstance(value, str):
        return "the value must be a string (quote it in YAML: \"true\", \"8\"), got %r" % (value,)
    if value and (len(value) > 63 or not _NAME.match(value)):
        return ("the value %r must be at most 63 characters of [A-Za-z0-9_.-], starting and ending "
                "with a letter or digit" % value)
    return None


def kubelet_refuses(key):
    prefix = key.rpartition("/")[0]
    namespace = prefix
    if not (namespace == "kubernetes.io" or namespace.endswith(".kubernetes.io")
            or namespace == "k8s.io" or namespace.endswith(".k8s.io")):
        return False
    if key in KUBELET_ALLOWED_LABELS:
        return False
    return not any(namespace == ns or namespace.endswith("." + ns) for ns in KUBELET_ALLOWED_NAMESPACES)


def node_registration_problems(labels, taints, host):
    if not isinstance(labels, Mapping):
        raise AnsibleFilterError("node_registration_problems: labels must be a mapping of key to value, got %r"
                                 % (labels,))
    if not isinstance(taints, (list, tuple)):
        raise AnsibleFilterError("node_registration_problems: taints must be a list, got %r" % (taints,))
    problems = []

    def add(where, problem, fix):
        problems.append({"severity": "error", "where": "host %s, %s" % (host, where), "problem": problem, "fix": fix})

    for key, value in labels.items():
        err = qualified_name_error(key)
        if err:
            add("label %r" % (key,), "invalid label key: %s" % err, "fix the key in k8s_node_labels")
            continue
        err = label_value_error(value)
        if err:
            add("label %s" % key, "invalid label value: %s" % err, "fix the value in k8s_node_labels")
        if kubelet_refuses(key):
            add("label %s" % key,
                "kubelet refuses to register with %s: labels in the kubernetes.io/k8s.io namespaces are "
                "restricted (NodeRestriction)" % key,
                "drop it from k8s_node_labels and set it through the API after the cluster is up, or use a "
                "node.kubernetes.io/ or your own prefix")
    for index, taint in enumerate(taints):
        where = "taint #%d" % (index + 1)
        if not isinstance(taint, Mapping):
            add(where, "a taint must be a mapping with key, value and effect, got %r" % (taint,),
                "write it as {key: ..., value: ..., effect: NoSchedule}")
            continue
        unknown = sorted(set(taint) - {"key", "value", "effect"})
        if unknown:
            add(where, "unknown taint field(s) %s" % ", ".join(unknown), "use only key, value and effect")
        err = qualified_name_error(taint.get("key"))
        if err:
            add(where, "invalid taint key: %s" % err, "fix the key in k8s_node_taints")
        if "value" in taint:
            err = label_value_error(taint.get("value"))
            if err:
                add(where, "invalid taint value: %s" % err, "fix the value in k8s_node_taints")
        if taint.get("effect") not in TAINT_EFFECTS:
            add(where, "invalid taint effect %r" % (taint.get("effect"),),
                "use one of %s" % ", ".join(TAINT_EFFECTS))
    return problems


class FilterModule(object):
    def filters(self):
        return {"node_registration_problems": node_registration_problems}
