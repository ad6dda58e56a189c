# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The internal filters that let a role's probe decide whether an aiinfra.k8s.node_files
task has anything to do: _node_files_probe (shell lines for the probe) and
_node_files_pending (the entries that differ). Each filter's documentation is the sidecar
plugins/filter/<filter name>.yml; the logic is plugins/plugin_utils/_node_files.py.
Internal, not part of the collection's public API."""
from __future__ import annotations

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import call, plain


def _logic():
    # imported on first use, not with this file: ansible-core loads every filter file of the
    # collection that sorts before the one a template names, in every worker process
    from ansible_collections.aiinfra.k8s.plugins.plugin_utils import _node_files

    return _node_files


def _node_files_probe(paths, globs=None):
    return call("_node_files_probe", _logic().probe_script, plain(paths), plain(globs))


def _node_files_pending(entries, lines):
    return call("_node_files_pending", _logic().pending, plain(entries), plain(lines))


class FilterModule(object):
    def filters(self):
        return {"_node_files_probe": _node_files_probe, "_node_files_pending": _node_files_pending}
