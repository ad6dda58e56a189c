# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the GPU add-on settings and the GPU capacity expectation, from the GPU nodes.

Internal API: used by the aiinfra.k8s._gpu_plan filter (role gpu_operator,
vars/main.yml); may change without notice. Bad input raises ValueError. docs/gpu.md
describes the plan.

- auto driver/toolkit settings follow the hosts: a host driver on every GPU node means
  driver.enabled=false, on none means the operator installs it, a mix is a problem; the
  toolkit is left to the host only when every GPU node has nvidia-container-runtime as
  containerd's default runtime.
- Expected count per node: gpu_count when set, else what nvidia-smi saw (both known and
  different is a problem). Without GPU Feature Discovery (standalone device plugin without
  GFD) no nvidia.com/gpu.replicas label exists, so the expectation itself is multiplied
  by the time-slicing replicas.
"""
from __future__ import annotations

from collections.abc import Mapping

MODES = ("operator", "device_plugin")
TRISTATE = {"auto": "auto", "true": True, "false": False, "yes": True, "no": False}


def _tristate(name, value):
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key not in TRISTATE:
        raise ValueError("settings.%s must be auto, true or false, got %r" % (name, value))
    return TRISTATE[key]


def _count(node, name, value):
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("%s of %s must be a whole number, got %r" % (name, node, value))
    if number < 0:
        raise ValueError("%s of %s must not be negative, got %r" % (name, node, value))
    return number


def _nodes_where(nodes, key, wanted):
    return sorted(n for n, facts in nodes.items() if facts.get(key) is wanted)


def gpu_plan(nodes, settings):
    if not isinstance(nodes, Mapping) or not isinstance(settings, Mapping):
        raise ValueError("input must map GPU node names to facts, and settings must be a mapping")
    mode = settings.get("mode", "operator")
    if mode not in MODES:
        raise ValueError("settings.mode must be one of %s, got %r" % (", ".join(MODES), mode))
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
