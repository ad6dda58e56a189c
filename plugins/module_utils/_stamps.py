# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stamps file of the common role's artifacts entry point (artifact_stamps, bundle_copy).

For each file brought from the offline bundle it records the sha256 the bundle's manifest
records for it, and the size and modification time the file has on the node. A later run
stats the files and brings one again only when its stamp differs.
"""
from __future__ import annotations

import json
import os
import tempfile


def read_stamps(path):
    """The recorded stamps; a missing or unreadable file records nothing (every file is brought again)."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stamp(path, sha256):
    info = os.stat(path)
    return {"sha256": sha256, "size": info.st_size, "mtime": int(info.st_mtime)}


def render(stamps):
    return json.dumps(stamps, indent=4, sort_keys=True) + "\n"


def write(path, text):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".stamps-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class StampError(Exception):
    """A stamp that cannot be taken or written; the message says which file and why."""


def update(path, wanted, check_mode):
    """Record {dest: sha256} in the stamps file at path, keeping the other entries.

    Returns (changed, every entry after); the file is rewritten (atomically) only when its
    content changes, never in check mode. Raises StampError."""
    after = dict(read_stamps(path))
    for dest, sha256 in wanted.items():
        if not os.path.isabs(dest):
            raise StampError("stamps: %s is not an absolute path on the node" % dest)
        try:
            after[dest] = stamp(dest, str(sha256))
        except (IOError, OSError) as exc:
            raise StampError("stamps: cannot stat %s, the file brought from the bundle: %s" % (dest, exc)) from exc
    text = render(after)
    try:
        with open(path) as handle:
            changed = handle.read() != text
    except (IOError, OSError):
        changed = True
    if changed and not check_mode:
        try:
            write(path, text)
        except (IOError, OSError) as exc:
            raise StampError("stamps: cannot write %s: %s" % (path, exc)) from exc
    return changed, after
