# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline bundle helpers shared by the bundle_verify and bundle_manifest modules and
the bundle filters. Internal to aiinfra.k8s: not a public API, may change any time.

A bundle is a directory (bin/ archives/ images/ charts/ manifests/ packages/<os>/
models/) with a manifest.json:

    {"format": 1, "arch": "amd64",
     "files": {"bin/kubeadm": {"name": "kubeadm", "kind": "artifact", "version": "1.34.3",
                               "source": "https://...", "checksum": "published",
                               "sha256": "<hex>", "size": 123}}}

"checksum" says how the file was established: published (upstream's checksum file),
pinned (a sha256 or image digest pinned in the versions file), digest (content-addressed
model blobs), unpinned (taken without a pin, k8s_allow_unpinned) or computed (added by
hand). Images also record the registry "digest" they were copied by. manifest.json.sig
(_bundle_trust) signs the exact bytes of manifest.json.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time

MANIFEST = "manifest.json"
# Ed25519 signatures of manifest.json (_bundle_trust writes and checks them).
SIGNATURE = "manifest.json.sig"
FORMAT = 1
LAYOUT = ("bin", "archives", "images", "charts", "manifests", "packages", "models")
# Directories whose files an operator may add by hand (apt-get download, dnf download,
# models): bundle_manifest records them as kind "local".
LOCAL_DIRS = ("packages", "models")
_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BundleError(Exception):
    """A bundle or an entry is unusable; the message says what and how to fix it."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class HashCache(object):
    """sha256 sums of files, remembered by each file's identity: device, inode, size,
    modification and status-change times (nanoseconds).

    Any write to a file, a rename over it, or a metadata change moves its status-change
    time (ctime), which no user can set back (touch sets mtime only), so a file whose
    identity matches its entry has not changed since it was hashed, and its sum is
    reused instead of reading the file again. A sum is only remembered when the file
    did not change while it was read and its last change is older than RACY_SECONDS:
    a write in the same clock tick as the hashing could otherwise keep the identity.

    The cache is a JSON file (mode 0600 in a 0700 directory); one that cannot be read is
    ignored, one that cannot be written is not an error (the sums are then taken again
    on the next run). hashed/reused count what hash_file did.
    """

    VERSION = 1
    RACY_SECONDS = 2.0

    def __init__(self, path, clock=time.time):
        self.path = path
        self.clock = clock
        self.hashed = 0
        self.reused = 0
        self._entries = {}
        self._dirty = False
        try:
            with open(path, "r") as handle:
                data = json.load(handle)
            if isinstance(data, dict) and data.get("version") == self.VERSION and isinstance(data.get("files"), dict):
                self._entries = data["files"]
        except (IOError, OSError, ValueError):
            self._entries = {}

    @staticmethod
    def _identity(stat):
        return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]

    def hash_file(self, full):
        key = os.path.realpath(full)
        before = self._identity(os.stat(key))
        entry = self._entries.get(key)
        if isinstance(entry, list) and len(entry) == 6 and entry[:5] == before and is_sha256(str(entry[5])):
            self.reused += 1
            return entry[5]
        digest = sha256_file(key)
        self.hashed += 1
        after = self._identity(os.stat(key))
        last_change = max(after[3], after[4]) / 1e9
        if after == before and self.clock() - last_change > self.RACY_SECONDS:
            self._entries[key] = after + [digest]
            self._dirty = True
        elif key in self._entries:
            del self._entries[key]
            self._dirty = True
        return digest

    def save(self):
        """Write the cache when it changed (atomically); False when that failed."""
        for key in [k for k in self._entries if not os.path.exists(k)]:
            del self._entries[key]
            self._dirty = True
        if not self._dirty:
            return True
        directory = os.path.dirname(self.path) or "."
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o700)
            handle, tmp = tempfile.mkstemp(dir=directory, prefix=".bundle-hashes.")
            try:
                with os.fdopen(handle, "w") as out:
                    json.dump({"version": self.VERSION, "files": self._entries}, out, sort_keys=True)
                os.chmod(tmp, 0o600)
                os.rename(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except (IOError, OSError):
            return False
        self._dirty = False
        return True


def image_archive_path(ref):
    """Bundle path of an image archive: images/<ref with '/', ':' and '@' as '_'>.tar."""
    if not isinstance(ref, str) or not ref.strip() or any(c.isspace() for c in ref.strip()):
        raise BundleError("expected an image reference, got %r" % (ref,))
    return "images/%s.tar" % re.sub(r"[/:@]", "_", ref.strip())


def image_tag(ref):
    """The tag of an image reference (what the manifest records as its version)."""
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else ""


def check_relative(path):
    """Refuse paths that would leave the bundle directory."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        raise BundleError("bundle path %r must be relative (e.g. bin/kubeadm)" % (path,))
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BundleError("bundle path %r must not contain empty, '.' or '..' parts" % (path,))
    return path


def read_bundle_file(bundle_dir, name):
    """The bytes of a file at the bundle's top (manifest.json, its signature), or None when there is none."""
    path = os.path.join(bundle_dir, name)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise BundleError("cannot read %s: %s; rebuild it with playbooks/bundle.yml" % (path, exc))


def read_manifest_bytes(bundle_dir):
    """The exact bytes of manifest.json (what its signature covers), or None when there is none."""
    return read_bundle_file(bundle_dir, MANIFEST)


def parse_manifest(raw, path=MANIFEST):
    """The manifest dict from its bytes."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise BundleError("cannot read %s: %s; rebuild it with playbooks/bundle.yml" % (path, exc))
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise BundleError("%s is not an aiinfra.k8s bundle manifest (no 'files' mapping)" % path)
    return data


def load_manifest(bundle_dir):
    """The manifest as a dict, or None when the bundle has none."""
    raw = read_manifest_bytes(bundle_dir)
    return None if raw is None else parse_manifest(raw, os.path.join(bundle_dir, MANIFEST))


def dump_manifest(data):
    """Deterministic JSON text (sorted keys), so an unchanged bundle rewrites nothing."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def files_on_disk(bundle_dir):
    """Relative paths of every regular file in the bundle except the manifest."""
    found = []
    for root, dirs, files in os.walk(bundle_dir):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, bundle_dir).replace(os.sep, "/")
            if rel in (MANIFEST, SIGNATURE) or name.endswith(".part") or not os.path.isfile(full):
                continue
            found.append(rel)
    return found


def verify(bundle_dir, manifest, expected=None, check_all=False, hash_file=sha256_file):
    """Compare the bundle's files with its manifest (and with what is expected).

    expected: optional list of {"path", "name", "version"}: files the caller needs; each
    must be recorded in the manifest at that version, present and intact. With
    check_all, the manifest's other files are checked too (present and intact).
    An expected image with a "digest" (pinned in the versions file) must be recorded with
    that digest. Returns a dict of lists (ok, missing, corrupt, outdated, unrecorded,
    digest, unlisted, unpinned) and "hashes" (path -> sha256 of every file that was hashed).
    """
    files = (manifest or {}).get("files") or {}
    result = {"ok": [], "missing": [], "corrupt": [], "outdated": [], "unrecorded": [], "digest": [], "unlisted": [],
              "unpinned": [], "hashes": {}}
    if expected is None:
        wanted = [dict(record, path=path) for path, record in sorted(files.items())]
    else:
        wanted = []
        for item in expected:
            path = check_relative(item.get("path"))
            record = files.get(path)
            if record is None:
                result["unrecorded"].append({"path": path, "name": item.get("name", ""), "version": str(item.get("version", ""))})
                continue
            if "version" in item and str(record.get("version", "")) != str(item["version"]):
                result["outdated"].append({"path": path, "name": item.get("name", record.get("name", "")),
                                           "version": str(item["version"]), "recorded": str(record.get("version", ""))})
                continue
            if item.get("digest") and str(record.get("digest", "")) != str(item["digest"]):
                result["digest"].append({"path": path, "name": item.get("name", record.get("name", "")),
                                         "digest": str(item["digest"]), "recorded": str(record.get("digest", "")) or "none"})
                continue
            wanted.append(dict(record, path=path))
        if check_all:
            named = set(item.get("path") for item in expected)
            wanted += [dict(record, path=path) for path, record in sorted(files.items()) if path not in named]
    for record in wanted:
        path = check_relative(record["path"])
        full = os.path.join(bundle_dir, path)
        if not os.path.isfile(full):
            result["missing"].append({"path": path, "name": record.get("name", ""), "version": str(record.get("version", ""))})
            continue
        actual = hash_file(full)
        result["hashes"][path] = actual
        recorded = str(record.get("sha256", "")).lower()
        if actual != recorded:
            result["corrupt"].append({"path": path, "name": record.get("name", ""), "expected": recorded, "actual": actual})
        else:
            result["ok"].append(path)
    if manifest is not None:
        result["unlisted"] = [p for p in files_on_disk(bundle_dir) if p not in files]
        result["unpinned"] = [p for p, r in sorted(files.items()) if r.get("checksum") == "unpinned"]
    return result


PROBLEMS = ("missing", "corrupt", "outdated", "unrecorded", "digest")


def problem_count(result):
    return sum(len(result.get(k, [])) for k in PROBLEMS)


def report(bundle_dir, result, signature_line=None):
    """Readable summary: the signature state, one line per problem, then what to do."""
    lines = [signature_line] if signature_line else []
    count = problem_count(result)
    if count:
        lines.append("Offline bundle %s: %d problem%s (%d file%s intact)." % (
            bundle_dir, count, "" if count == 1 else "s", len(result["ok"]), "" if len(result["ok"]) == 1 else "s"))
    else:
        lines.append("Offline bundle %s: all %d file%s intact." % (bundle_dir, len(result["ok"]), "" if len(result["ok"]) == 1 else "s"))
    if result.get("reused"):
        lines.append("  (%d file%s unchanged since hashed by an earlier check: sums from the hash cache; %d hashed now)" % (
            result["reused"], "" if result["reused"] == 1 else "s", result.get("hashed", 0)))
    for item in result["missing"]:
        lines.append("  MISSING    %s (%s %s)" % (item["path"], item["name"], item["version"]))
    for item in result["corrupt"]:
        lines.append("  CORRUPT    %s (%s): sha256 %s, manifest says %s" % (item["path"], item["name"], item["actual"], item["expected"]))
    for item in result["outdated"]:
        lines.append("  OUTDATED   %s (%s): bundle has %s, wanted %s" % (item["path"], item["name"], item["recorded"], item["version"]))
    for item in result["unrecorded"]:
        lines.append("  UNRECORDED %s (%s %s): not in manifest.json" % (item["path"], item["name"], item["version"]))
    for item in result.get("digest", []):
        lines.append("  DIGEST     %s (%s): bundle has %s, the versions file pins %s" % (
            item["path"], item["name"], item["recorded"], item["digest"]))
    for path in result.get("unpinned", []):
        lines.append("  unpinned   %s (taken without a pinned sha256: built with k8s_allow_unpinned)" % path)
    for path in result["unlisted"]:
        lines.append("  unlisted   %s (not in manifest.json; re-run playbooks/bundle.yml to record it)" % path)
    if count:
        lines.append("Fix: on a connected machine re-run `ansible-playbook aiinfra.k8s.bundle -i <inventory> "
                     "-e k8s_bundle_dir=<dir>`: it fetches exactly the missing, corrupt and outdated files again; "
                     "then copy the bundle across.")
    return "\n".join(lines)


def build_manifest(bundle_dir, entries, arch, known_hashes=None, previous=None, hash_file=sha256_file):
    """The manifest for the files now in the bundle.

    entries: list of {"path", "name", "kind", "version", "source", "checksum"} (images also
    "digest") for the catalogue files and images; every one must exist. Files under packages/ and models/
    that no entry names are recorded as kind "local". known_hashes (path -> sha256) skips
    hashing files already hashed in this run.
    """
    known_hashes = dict(known_hashes or {})
    previous_files = (previous or {}).get("files") or {}
    files = {}
    for entry in entries:
        path = check_relative(entry["path"])
        full = os.path.join(bundle_dir, path)
        if not os.path.isfile(full):
            raise BundleError("%s (%s) is not in the bundle; it should have been downloaded" % (path, entry.get("name", "")))
        record = {
            "name": str(entry.get("name", "")),
            "kind": str(entry.get("kind", "artifact")),
            "version": str(entry.get("version", "")),
            "source": str(entry.get("source", "")),
            "checksum": str(entry.get("checksum", "computed")),
            "size": os.path.getsize(full),
        }
        # An image kept from an earlier run keeps the digest it was copied by.
        digest = (entry.get("digest") or (previous_files.get(path) or {}).get("digest")) if record["kind"] == "image" else ""
        if digest:
            record["digest"] = str(digest)
        record["sha256"] = known_hashes.get(path) or hash_file(full)
        files[path] = record
    for path in files_on_disk(bundle_dir):
        if path in files or path.split("/", 1)[0] not in LOCAL_DIRS:
            continue
        full = os.path.join(bundle_dir, path)
        old = previous_files.get(path) or {}
        files[path] = {
            "name": old.get("name") or os.path.basename(path),
            "kind": old.get("kind") or "local",
            "version": str(old.get("version", "")),
            "source": old.get("source") or "added to the bundle by hand",
            "checksum": old.get("checksum") or "computed",
            "size": os.path.getsize(full),
            "sha256": known_hashes.get(path) or hash_file(full),
        }
    return {"format": FORMAT, "arch": arch, "files": files}


def is_sha256(value):
    return bool(_SHA256.match(str(value or "")))
