#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gpu_capacity
short_description: Assert that GPU nodes advertise the GPUs they should, waiting for device plugins
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Reads all nodes through the Kubernetes API (one list call per poll, however many nodes) and
    checks, for each expected node, that it is Ready and that both C(status.capacity) and
    C(status.allocatable) of the GPU resource reach the expected count.
  - Polls every O(poll_interval) seconds until everything is as expected or O(timeout) seconds
    have passed, since device plugins need a while to register after the GPU Operator starts.
  - On failure, fails with a fixed-width table of the nodes that fall short (nodes missing from the
    cluster included) and returns the full per-node report.
  - Expected counts are B(physical) GPUs, as M(aiinfra.k8s.nvidia_gpu_info) reports them. The count a
    node must advertise is that number times its C(<resource>.replicas) label
    (C(nvidia.com/gpu.replicas=4) under time-slicing gives 4 per GPU; no label means 1).
  - Under time-slicing with C(renameByDefault), the device plugin advertises C(nvidia.com/gpu.shared) and
    C(nvidia.com/gpu) drops to 0; the default O(resource) then reads C(nvidia.com/gpu.shared) on that node.
  - For MIG C(mixed) strategy set O(resource) to the MIG resource (C(nvidia.com/mig-1g.10gb)) and give
    counts of MIG devices, or use a pattern such as C(nvidia.com/mig-*) to sum every MIG profile.
options:
  kubeconfig:
    description:
      - Kubeconfig to use. Default as the Kubernetes client does it (E(KUBECONFIG), then C(~/.kube/config)).
    type: path
  context:
    description: Kubeconfig context to use instead of its current context.
    type: str
  expected:
    description:
      - Physical GPU count per node, by Kubernetes node name.
      - Takes precedence over O(default_per_node) for the nodes it names.
    type: dict
  nodes:
    description: Node names that each must have O(default_per_node) physical GPUs.
    type: list
    elements: str
  default_per_node:
    description: Physical GPU count expected on each node of O(nodes).
    type: int
  min_total:
    description:
      - Minimum total of O(resource) allocatable over all nodes (Ready nodes only when O(require_ready)),
        as advertised (time-slicing replicas included).
    type: int
  resource:
    description:
      - Extended resource to check. Shell-style patterns (C(nvidia.com/mig-*)) sum every matching resource.
    type: str
    default: nvidia.com/gpu
  timeout:
    description: Seconds to wait for the expectation to hold. V(0) checks once.
    type: int
    default: 300
  poll_interval:
    description: Seconds between two node list calls.
    type: int
    default: 10
  require_ready:
    description: Expected nodes must also be Ready.
    type: bool
    default: true
  strict:
    description:
      - Capacity and allocatable must equal the expected count, not just reach it.
    type: bool
    default: false
  request_timeout:
    description: Seconds one node list call may take.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
    details: Only reads from the API.
  diff_mode:
    support: none
requirements:
  - kubernetes (Python client) on the host that runs the module
notes:
  - Node names are the names Kubernetes uses (C(kubectl get nodes)), which may differ from inventory names.
  - Nodes outside the expectation that advertise the resource or carry C(nvidia.com/gpu.present=true) are
    reported and counted in the totals, but do not fail the check.
seealso:
  - module: aiinfra.k8s.nvidia_gpu_info
  - name: GPU Operator time-slicing
    description: How replicas and renameByDefault change the advertised resources.
    link: https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/gpu-sharing.html
"""

EXAMPLES = r"""
- name: Every GPU node advertises its 8 GPUs (waits up to 10 minutes)
  aiinfra.k8s.gpu_capacity:
    kubeconfig: /etc/kubernetes/admin.conf
    nodes: "{{ groups['gpu_nodes'] }}"
    default_per_node: 8
    timeout: 600

- name: Counts per node from nvidia_gpu_info facts gathered earlier
  aiinfra.k8s.gpu_capacity:
    kubeconfig: /etc/kubernetes/admin.conf
    expected: "{{ dict(groups['gpu_nodes'] | zip(groups['gpu_nodes'] | map('extract', hostvars, ['gpu_info', 'count']))) }}"
  register: gpu_report

- name: MIG mixed strategy, seven 1g.10gb devices per node
  aiinfra.k8s.gpu_capacity:
    resource: nvidia.com/mig-1g.10gb
    expected:
      gpu-a: 7
      gpu-b: 7

- name: At least 16 schedulable GPUs in the cluster, wherever they are
  aiinfra.k8s.gpu_capacity:
    min_total: 16
"""

RETURN = r"""
nodes:
  description: One report per expected node, then per other GPU node.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
    resource:
      description: Resource read on this node (the C(.shared) rename under time-slicing).
      type: str
    physical:
      description: Expected physical GPUs, V(null) for nodes outside the expectation.
      type: int
    expected:
      description: Count the node must advertise (physical x replicas).
      type: int
    capacity:
      description: C(status.capacity) of the resource, V(null) when not advertised.
      type: int
    allocatable:
      description: C(status.allocatable) of the resource, V(null) when not advertised.
      type: int
    product:
      description: C(nvidia.com/gpu.product) label.
      type: str
    count_label:
      description: C(nvidia.com/gpu.count) label.
      type: str
    replicas:
      description: Replicas per physical device (from C(<resource>.replicas), default 1).
      type: int
    ready:
      description: Whether the node is Ready.
      type: bool
    ok:
      description: Whether the node meets its expectation.
      type: bool
    problems:
      description: What falls short on this node.
      type: list
      elements: str
  sample:
    - name: w1
      resource: nvidia.com/gpu
      physical: 8
      expected: 8
      capacity: 8
      allocatable: 8
      product: NVIDIA-H200
      count_label: "8"
      replicas: 1
      ready: true
      ok: true
      problems: []
total_capacity:
  description: Sum of the resource's capacity over the reported nodes.
  returned: always
  type: int
  sample: 8
total_allocatable:
  description: Sum of the resource's allocatable over the reported nodes.
  returned: always
  type: int
  sample: 8
usable_allocatable:
  description: Allocatable summed over Ready nodes (all nodes when O(require_ready=false)); O(min_total) is checked against it.
  returned: always
  type: int
  sample: 8
missing:
  description: Expected node names that are not in the cluster.
  returned: always
  type: list
  elements: str
  sample: []
table:
  description: The report as a fixed-width text table.
  returned: always
  type: str
  sample: |-
    NODE  READY  EXPECTED  CAPACITY  ALLOCATABLE  RESOURCE        PRODUCT      PROBLEM
    w1    yes    8         8         8            nvidia.com/gpu  NVIDIA-H200  ok
polls:
  description: Number of node list calls made.
  returned: always
  type: int
  sample: 1
"""

import json
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.aiinfra.k8s.plugins.module_utils import _gpu_capacity as gpu

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.client.rest import ApiException
    from urllib3.exceptions import HTTPError as Urllib3Error
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError:
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = traceback.format_exc()


def build_expectation(module):
    """{node: physical count} from expected + nodes/default_per_node, validated."""
    params = module.params
    expectation = {}
    if params["nodes"]:
        for name in params["nodes"]:
            expectation[str(name)] = params["default_per_node"]
    for name, count in (params["expected"] or {}).items():
        try:
            value = int(count)
            if isinstance(count, bool) or str(count).strip() != str(value):
                raise ValueError
        except (TypeError, ValueError):
            module.fail_json(msg="expected[%r] is %r: give a whole number of physical GPUs" % (name, count))
        expectation[str(name)] = value
    for name, count in expectation.items():
        if count < 0:
            module.fail_json(msg="the expected GPU count of %s is %d: it cannot be negative" % (name, count))
    return expectation


def node_lister(module):
    """A function returning the node items of one `list_node` call (raw API JSON)."""
    try:
        api_client = k8s_config.new_client_from_config(config_file=module.params["kubeconfig"],
                                                       context=module.params["context"])
    except (k8s_config.ConfigException, IOError, OSError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot load the kubeconfig %s%s: %s" % (
            module.params["kubeconfig"] or "(default)",
            " context %s" % module.params["context"] if module.params["context"] else "", exc))
    core = k8s_client.CoreV1Api(api_client)
    request_timeout = module.params["request_timeout"]

    def list_nodes():
        try:
            response = core.list_node(_preload_content=False, _request_timeout=request_timeout)
            data = json.loads(response.data)
        except ApiException as exc:
            if exc.status in (401, 403):
                raise gpu.ApiFatal("the API server refused to list nodes (%s %s): the kubeconfig's user needs "
                                   "'list nodes' permission and valid credentials" % (exc.status, exc.reason))
            raise gpu.ApiUnavailable("the API server answered %s %s" % (exc.status, exc.reason))
        except (Urllib3Error, OSError, ValueError) as exc:
            raise gpu.ApiUnavailable("cannot reach the API server: %s" % exc)
        return data.get("items") or []

    return list_nodes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            kubeconfig=dict(type="path"),
            context=dict(type="str"),
            expected=dict(type="dict"),
            nodes=dict(type="list", elements="str"),
            default_per_node=dict(type="int"),
            min_total=dict(type="int"),
            resource=dict(type="str", default=gpu.DEFAULT_RESOURCE),
            timeout=dict(type="int", default=300),
            poll_interval=dict(type="int", default=10),
            require_ready=dict(type="bool", default=True),
            strict=dict(type="bool", default=False),
            request_timeout=dict(type="int", default=30),
        ),
        required_one_of=[("expected", "nodes", "min_total")],
        required_together=[("nodes", "default_per_node")],
        supports_check_mode=True,
    )
    params = module.params
    for key, low in (("timeout", 0), ("poll_interval", 1), ("request_timeout", 1), ("min_total", 0), ("default_per_node", 0)):
        if params[key] is not None and params[key] < low:
            module.fail_json(msg="%s is %d: it must be %d or more" % (key, params[key], low))
    expectation = build_expectation(module)
    if not HAS_KUBERNETES:
        module.fail_json(msg=missing_required_lib("kubernetes"), exception=KUBERNETES_IMPORT_ERROR)

    list_nodes = node_lister(module)
    started = time.monotonic()

    def evaluate(items):
        return gpu.evaluate(items, expectation, params["resource"], params["min_total"],
                            params["require_ready"], params["strict"])

    try:
        report, polls, last_error = gpu.wait_for(list_nodes, evaluate, params["timeout"], params["poll_interval"],
                                                 time.monotonic, time.sleep)
    except gpu.ApiFatal as exc:
        module.fail_json(msg=str(exc))
    elapsed = int(time.monotonic() - started)

    if report is None:
        module.fail_json(msg="could not list the nodes within %ds (%d tries): %s" % (params["timeout"], polls, last_error),
                         polls=polls, nodes=[], missing=sorted(expectation), table="")
    result = dict(changed=False, nodes=report["nodes"], missing=report["missing"],
                  total_capacity=report["total_capacity"], total_allocatable=report["total_allocatable"],
                  usable_allocatable=report["usable_allocatable"], table=gpu.render_table(report["nodes"]), polls=polls)
    if report["ok"]:
        module.exit_json(**result)
    short = [r for r in report["nodes"] if not r["ok"]]
    lines = ["GPU capacity check failed after %ds (%d node list call%s): %d node(s) fall short of %s"
             % (elapsed, polls, "" if polls == 1 else "s", len(short), params["resource"])]
    if report["missing"]:
        lines[0] += "; not in the cluster: %s" % ", ".join(report["missing"])
    if report["total_problem"]:
        lines.append(report["total_problem"])
    if last_error:
        lines.append("last API error: %s" % last_error)
    if short:
        lines.append(gpu.render_table(short))
    module.fail_json(msg="\n".join(lines), **result)


if __name__ == "__main__":
    main()
