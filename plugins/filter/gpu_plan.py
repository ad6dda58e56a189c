# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: gpu_plan
short_description: Decide the GPU add-on settings and the GPU capacity expectation from the GPU nodes
version_added: 0.1.0
author: aiinfra.k8s contributors
description:
  - Takes what the GPU phase learned on each GPU node (the C(gpu_count) inventory variable,
    what M(aiinfra.k8s.nvidia_gpu_info) saw, whether the NVIDIA container runtime is installed
    and is containerd's default) and the role settings, and returns whether the GPU Operator
    must install the driver and the container toolkit, the per-node GPU count the capacity
    gate expects, and every problem that makes the plan impossible.
  - V(auto) driver/toolkit settings follow the hosts. A host driver on every GPU node means
    C(driver.enabled=false); no host driver on any node means the operator installs it; a
    mix is a problem (the operator's driver container cannot share a node with a host
    driver). The toolkit is left to the host (C(toolkit.enabled=false)) only when every GPU
    node has C(nvidia-container-runtime) installed and set as containerd's default runtime.
  - "Expected count per node: the C(gpu_count) host variable when set, else the count
    nvidia-smi reported. When both are known and differ, that is a problem (the inventory
    and the hardware disagree)."
  - "Time-slicing: M(aiinfra.k8s.gpu_capacity) multiplies the physical count by the node's
    C(nvidia.com/gpu.replicas) label, which GPU Feature Discovery writes. Without GFD (the
    standalone device plugin with O(settings.device_plugin_gfd=false)) no such label exists,
    so the expectation itself is multiplied by the replicas."
options:
  _input:
    description:
      - Mapping of GPU node name to what is known about it, with keys C(gpu_count) (inventory
        variable or V(null)), C(smi_present) (bool or V(null) when not checked), C(smi_count),
        C(toolkit_present) and C(runtime_default) (bools or V(null)).
    type: dict
    required: true
  settings:
    description:
      - Role settings with keys C(mode) (V(operator) or V(device_plugin)), C(driver_enabled) and
        C(toolkit_enabled) (V(auto), V(true) or V(false)), C(time_slicing_replicas) (int, 0 or 1
        means off), C(device_plugin_gfd) (bool).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the GPU Operator install
  ansible.builtin.set_fact:
    gpu_plan: >-
      {{ gpu_node_facts | aiinfra.k8s.gpu_plan({'mode': 'operator', 'driver_enabled': 'auto',
         'toolkit_enabled': 'auto', 'time_slicing_replicas': 4, 'device_plugin_gfd': false}) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    driver_enabled:
      description: Value for the chart's C(driver.enabled).
      type: bool
    toolkit_enabled:
      description: Value for the chart's C(toolkit.enabled).
      type: bool
    physical:
      description: Physical GPUs per node.
      type: dict
    expected:
      description: Per-node count to pass to M(aiinfra.k8s.gpu_capacity) as O(aiinfra.k8s.gpu_capacity#module:expected).
      type: dict
    advertised_total:
      description: How many C(nvidia.com/gpu) the cluster should advertise in all (replicas included).
      type: int
    replicas:
      description: Time-slicing replicas per GPU (1 when off).
      type: int
    replicas_in_expected:
      description: Whether O(_input) counts were multiplied by the replicas (no GFD labels).
      type: bool
    problems:
      description: Sentences saying what is wrong, where, and how to fix it. Empty when the plan holds.
      type: list
      elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

MODES = ("operator", "device_plugin")
TRISTATE = {"auto": "auto", "true": True, "false": False, "yes": True, "no": False}


def _tristate(name, value):
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key not in TRISTATE:
        raise AnsibleFilterError("gpu_plan: settings.%s must be auto, true or false, got %r" % (name, value))
    return TRISTATE[key]


def _count(node, name, value):
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise AnsibleFilterError("gpu_plan: %s of %s must be a whole number, got %r" % (name, node, value))
    if number < 0:
        raise AnsibleFilterError("gpu_plan: %s of %s must not be negative, got %r" % (name, node, value))
    return number


def _nodes_where(nodes, key, wanted):
    return sorted(n for n, facts in nodes.items() if facts.get(key) is wanted)


def gpu_plan(nodes, settings):
    if not isinstance(nodes, Mapping) or not isinstance(settings, Mapping):
        raise AnsibleFilterError("gpu_plan: input must map GPU node names to facts, and settings must be a mapping")
    mode = settings.get("mode", "operator")
    if mode not in MODES:
        raise AnsibleFilterError("gpu_plan: settings.mode must be one of %s, got %r" % (", ".join(MODES), mode))
    driver_setting = _tristate("driver_enabled", settings.get("driver_enabled", "auto"))
    toolkit_setting = _tristate("toolkit_enabled", settings.get("toolkit_enabled", "auto"))
    replicas = _count("settings", "time_slicing_replicas", settings.get("time_slicing_replicas", 0)) or 0
    replicas = max(replicas, 1)
    gfd = mode == "operator" or bool(settings.get("device_plugin_gfd", False))
    problems = []
    nodes = {str(k): dict(v or {}) for k, v in nodes.items()}
    if not nodes:
        problems.append("The gpu_nodes group is empty: add the GPU hosts to it, or disable the GPU add-ons "
                        "(k8s_gpu_operator_enabled: false).")

    with_driver = _nodes_where(nodes, "smi_present", True)
    without_driver = _nodes_where(nodes, "smi_present", False)
    if driver_setting == "auto":
        if with_driver and without_driver:
            problems.append(
                "GPU nodes disagree about the NVIDIA driver: %s have it on the host, %s do not. Install the "
                "driver on all of them, or on none (the operator then installs it), or set "
                "gpu_operator_driver_enabled explicitly." % (", ".join(with_driver), ", ".join(without_driver)))
        driver_enabled = not with_driver
    else:
        driver_enabled = driver_setting
    if mode == "device_plugin" and (driver_enabled or without_driver):
        problems.append(
            "The standalone device plugin (gpu_operator_mode: device_plugin) needs the NVIDIA driver on every GPU "
            "node; missing on: %s. Install the driver, or use gpu_operator_mode: operator."
            % (", ".join(without_driver) or "all GPU nodes (gpu_operator_driver_enabled is true)"))

    ready_runtime = sorted(n for n, f in nodes.items() if f.get("toolkit_present") is True and f.get("runtime_default") is True)
    not_default = sorted(n for n, f in nodes.items() if f.get("toolkit_present") is True and f.get("runtime_default") is False)
    if toolkit_setting == "auto":
        if not_default:
            problems.append(
                "nvidia-container-runtime is installed but not containerd's default runtime on %s: the operator's "
                "toolkit would rewrite containerd's configuration behind the nvidia_runtime role. Set "
                "nvidia_runtime_set_as_default: true and re-run the nodes phase, or set "
                "gpu_operator_toolkit_enabled explicitly." % ", ".join(not_default))
        toolkit_enabled = not (nodes and len(ready_runtime) == len(nodes))
    else:
        toolkit_enabled = toolkit_setting
    if mode == "device_plugin" and len(ready_runtime) != len(nodes):
        missing = sorted(set(nodes) - set(ready_runtime))
        problems.append(
            "The standalone device plugin needs nvidia-container-runtime as containerd's default runtime on every "
            "GPU node; not ready on: %s. Run the nodes phase with nvidia_runtime_install: true." % ", ".join(missing))

    physical = {}
    for name in sorted(nodes):
        facts = nodes[name]
        declared = _count(name, "gpu_count", facts.get("gpu_count"))
        seen = _count(name, "the nvidia-smi count", facts.get("smi_count")) if facts.get("smi_present") else None
        if declared is not None and seen is not None and declared != seen:
            problems.append(
                "%s: the inventory says gpu_count: %d but nvidia-smi sees %d GPUs. Fix gpu_count in the inventory "
                "(or the hardware) so the capacity check expects what is there." % (name, declared, seen))
        count = declared if declared is not None else seen
        if count is None:
            problems.append(
                "%s: no GPU count known (no gpu_count host variable, and no driver on the host to ask). Set "
                "gpu_count for it in the inventory." % name)
            continue
        physical[name] = count

    per_node = replicas if (replicas > 1 and not gfd) else 1
    expected = dict((name, count * per_node) for name, count in physical.items())
    return {
        "driver_enabled": bool(driver_enabled),
        "toolkit_enabled": bool(toolkit_enabled),
        "physical": physical,
        "expected": expected,
        "advertised_total": sum(physical.values()) * replicas,
        "replicas": replicas,
        "replicas_in_expected": per_node > 1,
        "problems": problems,
    }


class FilterModule(object):
    def filters(self):
        return {"gpu_plan": gpu_plan}
