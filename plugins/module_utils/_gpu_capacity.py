# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU capacity evaluation for aiinfra.k8s.gpu_capacity.

Internal API: may change without notice; not for use outside this collection.
Pure functions over Node objects exactly as the Kubernetes API returns them (JSON dicts,
camelCase keys); the wait loop takes the list call, the clock and sleep as arguments, so
everything here runs in unit tests without a cluster and without sleeping.

Expectation rule: an expected count is PHYSICAL GPUs (what nvidia-smi reports). The
advertised count the node must reach is that number times the node's replicas label
(`<resource>.replicas`, e.g. `nvidia.com/gpu.replicas=4` under time-slicing, default 1).
With time-slicing `renameByDefault`, the device plugin advertises `nvidia.com/gpu.shared`
instead of `nvidia.com/gpu`; asking for `nvidia.com/gpu` then reads the shared resource.
"""
from __future__ import annotations

import fnmatch
import re
from fractions import Fraction

DEFAULT_RESOURCE = "nvidia.com/gpu"
SHARED_SUFFIX = ".shared"
LABEL_COUNT = "nvidia.com/gpu.count"
LABEL_PRODUCT = "nvidia.com/gpu.product"
LABEL_PRESENT = "nvidia.com/gpu.present"

_QUANTITY_RE = re.compile(
    r"^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|m|k|M|G|T|P|E|)$")
_BINARY = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
_DECIMAL = {"m": Fraction(1, 1000), "": 1, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9,
            "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18}


class ApiUnavailable(Exception):
    """The node list could not be read this time (API down, timeout): retry until the timeout."""


class ApiFatal(Exception):
    """The node list cannot be read at all (credentials refused, bad kubeconfig): stop now."""


def parse_quantity(value):
    """A Kubernetes resource.Quantity string ('8', '24581256Ki', '500m', '1e3') as a Fraction."""
    if isinstance(value, bool) or value is None:
        raise ValueError("%r is not a Kubernetes quantity" % (value,))
    if isinstance(value, int):
        return Fraction(value)
    match = _QUANTITY_RE.match(str(value).strip())
    if not match:
        raise ValueError("%r is not a Kubernetes quantity" % (value,))
    sign, number, suffix = match.groups()
    amount = Fraction(number if not number.endswith(".") else number[:-1])
    if suffix in _BINARY:
        amount *= _BINARY[suffix]
    elif suffix[:1] in ("e", "E") and len(suffix) > 1:
        amount *= Fraction(10) ** int(suffix[1:])
    else:
        amount *= _DECIMAL[suffix]
    return -amount if sign == "-" else amount


def parse_count(value):
    """A whole, non-negative device count from a quantity; ValueError otherwise."""
    amount = parse_quantity(value)
    if amount.denominator != 1 or amount < 0:
        raise ValueError("%r is not a whole device count" % (value,))
    return int(amount)


def node_ready(node):
    """True/False from the Ready condition, None when the node reports none."""
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return None


def _base_resource(resource):
    return resource[:-len(SHARED_SUFFIX)] if resource.endswith(SHARED_SUFFIX) else resource


def _is_glob(resource):
    return any(ch in resource for ch in "*?[")


def select_resource(resource, capacity):
    """The resource name to read on a node: `resource` itself, or its `.shared` rename when the
    node advertises only that (time-slicing with renameByDefault)."""
    if _is_glob(resource) or resource.endswith(SHARED_SUFFIX):
        return resource
    shared = resource + SHARED_SUFFIX
    if shared in capacity:
        try:
            plain = parse_count(capacity[resource]) if resource in capacity else 0
        except ValueError:
            return resource
        if plain == 0:
            return shared
    return resource


def resource_count(resources, name):
    """Count of a resource (a glob sums every matching resource); None when absent."""
    if _is_glob(name):
        names = sorted(k for k in resources if fnmatch.fnmatchcase(k, name))
        if not names:
            return None
        return sum(parse_count(resources[k]) for k in names)
    if name not in resources:
        return None
    return parse_count(resources[name])


def replicas_for(labels, resource):
    """Replicas per physical device from the `<resource>.replicas` label (default 1)."""
    if _is_glob(resource):
        return 1
    value = labels.get(_base_resource(resource) + ".replicas")
    if value in (None, ""):
        return 1
    try:
        replicas = int(value)
    except (TypeError, ValueError):
        raise ValueError("label %s.replicas=%r is not a whole number" % (_base_resource(resource), value))
    if replicas < 1:
        raise ValueError("label %s.replicas=%r is below 1" % (_base_resource(resource), value))
    return replicas


def node_report(node, resource, physical=None):
    """Facts of one node for one resource; `expected` = physical x replicas (None: no expectation)."""
    metadata = node.get("metadata") or {}
    status = node.get("status") or {}
    labels = metadata.get("labels") or {}
    capacity_map = status.get("capacity") or {}
    allocatable_map = status.get("allocatable") or {}
    used = select_resource(resource, capacity_map)
    report = dict(name=metadata.get("name"), resource=used, physical=physical, expected=None,
                  capacity=None, allocatable=None, product=labels.get(LABEL_PRODUCT),
                  count_label=labels.get(LABEL_COUNT), replicas=1, ready=node_ready(node),
                  ok=None, problems=[])
    try:
        report["replicas"] = replicas_for(labels, used)
    except ValueError as exc:
        report["problems"].append(str(exc))
    for key, resources in (("capacity", capacity_map), ("allocatable", allocatable_map)):
        try:
            report[key] = resource_count(resources, used)
        except ValueError as exc:
            report["problems"].append("malformed %s: %s" % (key, exc))
    if physical is not None:
        report["expected"] = physical * report["replicas"]
    return report


def judge(report, require_ready=True, strict=False):
    """Fill report['problems'] and report['ok'] against report['expected']."""
    problems = report["problems"]
    expected = report["expected"]
    if require_ready and report["ready"] is not True:
        problems.append("node not Ready" if report["ready"] is False else "node reports no Ready condition")
    if expected is not None and not any(p.startswith("malformed") for p in problems):
        if report["capacity"] is None and report["allocatable"] is None:
            if expected > 0:
                problems.append("%s not advertised (device plugin not running?)" % report["resource"])
            report["ok"] = not problems
            return report
        for key in ("capacity", "allocatable"):
            value = report[key]
            if value is None:
                if expected > 0:
                    problems.append("no %s %s (device plugin not running?)" % (report["resource"], key))
            elif value < expected or (strict and value != expected):
                problems.append("%s %d %s expected %d" % (key, value, "<" if value < expected else "!=", expected))
    report["ok"] = not problems
    return report


def evaluate(items, expectation, resource=DEFAULT_RESOURCE, min_total=None, require_ready=True, strict=False):
    """Judge a node list against {node name: physical count} and/or a minimum total.

    Returns dict(ok, nodes, missing, total_capacity, total_allocatable, usable_allocatable).
    Nodes outside the expectation are listed (and counted) when they advertise the resource
    or carry the nvidia.com/gpu.present label; they fail only on malformed quantities.
    usable_allocatable (what min_total is checked against) counts Ready nodes only when
    require_ready is set.
    """
    by_name = {}
    for node in items:
        by_name[(node.get("metadata") or {}).get("name")] = node
    reports, missing = [], []
    for name in sorted(expectation):
        node = by_name.get(name)
        if node is None:
            missing.append(name)
            reports.append(dict(name=name, resource=resource, physical=expectation[name], expected=expectation[name],
                                capacity=None, allocatable=None, product=None, count_label=None, replicas=None,
                                ready=None, ok=False, problems=["not in the cluster"]))
            continue
        reports.append(judge(node_report(node, resource, expectation[name]), require_ready, strict))
    for name in sorted(n for n in by_name if n not in expectation and n is not None):
        node = by_name[name]
        report = node_report(node, resource)
        labels = (node.get("metadata") or {}).get("labels") or {}
        if report["capacity"] or report["problems"] or labels.get(LABEL_PRESENT) == "true":
            report["ok"] = not report["problems"]
            reports.append(report)
    total_capacity = sum(r["capacity"] or 0 for r in reports)
    total_allocatable = sum(r["allocatable"] or 0 for r in reports)
    usable = sum(r["allocatable"] or 0 for r in reports if r["ready"] or not require_ready)
    ok = all(r["ok"] for r in reports if r["expected"] is not None or r["problems"])
    total_problem = None
    if min_total is not None and usable < min_total:
        ok = False
        total_problem = "%s allocatable on %snodes is %d, below min_total %d" % (
            resource, "Ready " if require_ready else "", usable, min_total)
    return dict(ok=ok, nodes=reports, missing=missing, total_capacity=total_capacity,
                total_allocatable=total_allocatable, usable_allocatable=usable, total_problem=total_problem)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render_table(reports):
    """Fixed-width text table of node reports (one line per node)."""
    header = ("NODE", "READY", "EXPECTED", "CAPACITY", "ALLOCATABLE", "RESOURCE", "PRODUCT", "PROBLEM")
    rows = [header]
    for r in reports:
        rows.append((_cell(r["name"]), _cell(r["ready"]), _cell(r["expected"]), _cell(r["capacity"]),
                     _cell(r["allocatable"]), _cell(r["resource"]), _cell(r["product"]),
                     "; ".join(r["problems"]) or ("ok" if r["ok"] else "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(len(widths))] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def wait_for(list_nodes, evaluate_fn, timeout, poll_interval, clock, sleep):
    """Poll until evaluate_fn(list_nodes()) is ok or `timeout` seconds have passed.

    One list_nodes() call per poll. ApiUnavailable is retried until the timeout; ApiFatal
    propagates. Returns (report or None, polls, last error text or None).
    """
    deadline = clock() + timeout
    polls, report, last_error = 0, None, None
    while True:
        polls += 1
        try:
            items = list_nodes()
        except ApiUnavailable as exc:
            last_error = str(exc)
        else:
            last_error = None
            report = evaluate_fn(items)
            if report["ok"]:
                return report, polls, None
        remaining = deadline - clock()
        if remaining <= 0:
            return report, polls, last_error
        sleep(min(poll_interval, remaining))
