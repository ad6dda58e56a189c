# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: which entries of an aiinfra.k8s.node_files task would change anything.

A role's probe (one shell round trip it makes anyway) appends `probe_script(paths)`; the
lines it prints say, per path, its type, mode, owner, group and (files) the sha1 of its
content. `pending(entries, lines)` keeps the node_files entries whose path differs from
what the entry asks (content, type, mode, owner, group), so a node that is already right
costs no node_files run at all. Anything the probe cannot vouch for (a path it did not
report, a symbolic link, a symbolic mode, an unparsable line) is kept: node_files then
decides, as it would without the probe.

Internal API: used by plugins/filter/_node_files.py only; may change without notice.
"""
from __future__ import annotations

import hashlib
import re
import shlex

PREFIX = "nf|"

# One line per path, the path last (it may hold "|"):
#   nf|absent|<path>   nf|link|<path>   nf|other|<path>
#   nf|directory|<mode>|<user>|<group>|<uid>|<gid>|<path>
#   nf|file|<mode>|<user>|<group>|<uid>|<gid>|<sha1>|<path>
_SCRIPT = r"""for p in %s; do
%s  if [ -L "$p" ]; then echo "nf|link|$p"
  elif [ -d "$p" ]; then echo "nf|directory|$(stat -c '%%a|%%U|%%G|%%u|%%g' -- "$p")|$p"
  elif [ -f "$p" ]; then echo "nf|file|$(stat -c '%%a|%%U|%%G|%%u|%%g' -- "$p")|$(sha1sum < "$p" | cut -c1-40)|$p"
  elif [ -e "$p" ]; then echo "nf|other|$p"
  else echo "nf|absent|$p"; fi
done"""
# A glob's last component: shell pattern characters and plain name characters only (the
# directory before it is quoted like any path).
_PATTERN = re.compile(r"^[A-Za-z0-9._*?-]+$")
_OCTAL = re.compile(r"^0?[0-7]{3,4}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def probe_script(paths, globs=None):
    """POSIX sh lines that print one `nf|...` line per path (no line when paths is empty).

    globs: absolute patterns whose last component is a shell pattern (`/etc/containerd/conf.d/*.toml`):
    one line for each existing path it matches, none when it matches nothing. For files a role
    manages but learns the names of only from the node (runtime drop-ins another role registered).
    """
    if isinstance(paths, str) or not all(isinstance(p, str) and p.startswith("/") for p in paths):
        raise ValueError("expected a list of absolute paths, got %r" % (paths,))
    globs = [] if globs is None else globs
    if isinstance(globs, str) or not all(isinstance(g, str) and g.startswith("/") and g.count("/") > 1
                                         and _PATTERN.match(g.rsplit("/", 1)[1]) for g in globs):
        raise ValueError("expected a list of absolute patterns with a plain directory and a pattern of letters, digits,"
                         " . _ - * ? as the last component, got %r" % (globs,))
    lines = []
    if paths:
        lines.append(_SCRIPT % (" ".join(shlex.quote(p) for p in paths), ""))
    if globs:
        words = " ".join(shlex.quote(g.rsplit("/", 1)[0]) + "/" + g.rsplit("/", 1)[1] for g in globs)
        # an unmatched pattern stays as it is written: no line for it
        lines.append(_SCRIPT % (words, '  [ -e "$p" ] || [ -L "$p" ] || continue\n'))
    return "\n".join(lines) or ":"


def parse(lines):
    """{path: {"kind": ..., "mode": int, "user", "group", "uid", "gid", "sha1"}} from the probe's lines."""
    found = {}
    for line in lines:
        if not line.startswith(PREFIX):
            continue
        kind, _sep, rest = line[len(PREFIX):].partition("|")
        if kind in ("absent", "link", "other"):
            found[rest] = {"kind": kind}
            continue
        fields = rest.split("|", 6 if kind == "file" else 5)
        if kind not in ("file", "directory") or len(fields) != (7 if kind == "file" else 6):
            continue
        mode, user, group, uid, gid = fields[:5]
        state = {"kind": kind, "user": user, "group": group, "uid": uid, "gid": gid}
        if not _OCTAL.match(mode):
            continue
        state["mode"] = int(mode, 8)
        if kind == "file":
            if not _SHA1.match(fields[5]):
                continue
            state["sha1"] = fields[5]
        found[fields[-1]] = state
    return found


def _mode(value):
    """The entry's mode as an int, None when not given, False when only node_files can tell (symbolic)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _OCTAL.match(value):
        return int(value, 8)
    return False


def _owner_differs(wanted, name, number):
    if wanted is None:
        return False
    wanted = str(wanted)
    return wanted != (number if wanted.isdigit() else name)


def differs(entry, state):
    """True when node_files would change (or cannot be shown not to change) the entry's path."""
    wanted = entry.get("state") or "file"
    if state is None:
        return True
    if wanted == "absent":
        return state["kind"] != "absent"
    if state["kind"] != wanted:
        return True
    mode = _mode(entry.get("mode"))
    if mode is False or (mode is not None and mode != state["mode"]):
        return True
    if _owner_differs(entry.get("owner"), state["user"], state["uid"]) \
            or _owner_differs(entry.get("group"), state["group"], state["gid"]):
        return True
    if wanted == "file":
        content = entry.get("content")
        if not isinstance(content, str):
            return True
        return hashlib.sha1(content.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest() != state["sha1"]
    return False


def pending(entries, lines):
    """The entries (in their order) node_files still has to handle, by the probe's lines."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries):
        raise ValueError("expected node_files entries (a list of mappings with a path), got %r" % (entries,))
    found = parse(lines or [])
    return [entry for entry in entries if differs(entry, found.get(entry["path"]))]
