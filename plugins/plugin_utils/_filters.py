# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what the filter plugins of aiinfra.k8s share.

Internal API: used by plugins/filter/*.py only; may change without notice.
"""
from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def plain(value):
    """Ansible's lazy containers -> plain dict/list (the checks use .get and isinstance)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def call(name, func, *args, **kwargs):
    """Run func; its ValueError or TypeError becomes an AnsibleFilterError naming the filter."""
    try:
        return func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc))


def require(name, ok, expected):
    """Fail the filter `name` with 'expected ...' unless ok."""
    if not ok:
        raise AnsibleFilterError("%s: expected %s" % (name, expected))
