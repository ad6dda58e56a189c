# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The internal filters that let a role's own probe also do the common role's artifacts
probe: _artifacts_probe (the shell line to append to the probe) and _artifacts_probe_output
(its output, back out of the probe's lines, for the artifacts entry point's
common_artifacts_probe). Each filter's documentation is the sidecar
plugins/filter/<filter name>.yml. Internal, not part of the collection's public API."""
from __future__ import annotations

import shlex

from ansible_collections.aiinfra.k8s.plugins.plugin_utils._filters import plain, require

PREFIX = "artifacts|"


def _artifacts_probe(dests, script, stamp):
    dests = plain(dests)
    require("_artifacts_probe", isinstance(dests, list) and all(isinstance(d, str) and d.startswith("/") for d in dests),
            "a list of absolute paths, got %r" % (dests,))
    require("_artifacts_probe", isinstance(script, str) and isinstance(stamp, str) and stamp.startswith("/"),
            "the probe script and the absolute path of the stamp file")
    return "sh -c %s probe %s | sed 's/^/%s/'" % (
        shlex.quote(script), " ".join(shlex.quote(p) for p in [stamp] + dests), PREFIX)


def _artifacts_probe_output(lines):
    lines = plain(lines)
    require("_artifacts_probe_output", isinstance(lines, list) and all(isinstance(x, str) for x in lines),
            "the probe's standard output lines, got %r" % (lines,))
    return "\n".join(line[len(PREFIX):] for line in lines if line.startswith(PREFIX))


class FilterModule(object):
    def filters(self):
        return {"_artifacts_probe": _artifacts_probe, "_artifacts_probe_output": _artifacts_probe_output}
