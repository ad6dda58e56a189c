# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy one model's weights from the offline bundle into its claim (aiinfra.k8s vllm role).

Runs in the vLLM image (python3, standard library only) as the offline copy Job. The first
master serves the model's files, staged from the bundle's models/hf/<name>/, over HTTP; the
list names every file with the sha256 and size the bundle's manifest.json records:

    [{"path": "config.json", "sha256": "<hex>", "size": 123}, ...]

Each file is streamed to <dest>/<path>.part, checked against its sha256 and only then moved
into place. A marker file (<dest>/.aiinfra-copy.json: path -> sha256 of what was copied) lets a
repeated run keep the files it already copied. Exit status 0 when every file is in place, 1
with one line per file that could not be copied.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MARKER = ".aiinfra-copy.json"
CHUNK = 4 * 1024 * 1024


def safe_target(dest, path):
    """<dest>/<path>, refusing paths that would leave dest."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError("refusing file path %r from the list: it must be relative and stay inside the model directory" % path)
    return os.path.join(dest, *parts)


def read_marker(dest):
    try:
        with open(os.path.join(dest, MARKER)) as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_marker(dest, copied):
    tmp = os.path.join(dest, MARKER + ".part")
    with open(tmp, "w") as handle:
        json.dump(copied, handle, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(dest, MARKER))


def fetch(url, target, sha256, timeout, attempts=3):
    """Download url to target via target.part, checked against sha256. Returns bytes written."""
    part = target + ".part"
    last = None
    for attempt in range(1, attempts + 1):
        digest = hashlib.sha256()
        size = 0
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        except OSError as exc:  # HTTPError, URLError, timeouts and disk errors are all OSErrors
            last = "%s from %s (attempt %d of %d)" % (exc, url, attempt, attempts)
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
                break  # the server has no such file: asking again will not help
            time.sleep(min(2 * attempt, 10))
            continue
        if digest.hexdigest() != sha256:
            os.remove(part)
            raise ValueError("sha256 %s, the bundle manifest says %s: the staged copy is corrupt; run "
                             "playbooks/verify_bundle.yml on the controller" % (digest.hexdigest(), sha256))
        os.replace(part, target)
        return size
    if os.path.exists(part):
        os.remove(part)
    raise OSError(last)


def copy_model(base_url, files, dest, timeout=60, log=print):
    """Bring every listed file into dest; returns (copied, kept, problems)."""
    os.makedirs(dest, exist_ok=True)
    done = read_marker(dest)
    copied = kept = 0
    problems = []
    for item in files:
        path, sha256 = item["path"], item["sha256"]
        try:
            target = safe_target(dest, path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if done.get(path) == sha256 and os.path.isfile(target) and os.path.getsize(target) == item.get("size", -1):
            kept += 1
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        url = base_url.rstrip("/") + "/" + urllib.parse.quote(path)
        try:
            size = fetch(url, target, sha256, timeout)
        except (OSError, ValueError) as exc:
            problems.append("%s: %s" % (path, exc))
            continue
        done[path] = sha256
        write_marker(dest, done)
        copied += 1
        log("copied %s (%d bytes)" % (path, size))
    return copied, kept, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="URL of the staged model directory")
    parser.add_argument("--list", required=True, help="JSON list of {path, sha256, size}")
    parser.add_argument("--dest", required=True, help="model directory on the claim")
    parser.add_argument("--timeout", type=int, default=60, help="seconds without data before a download is retried")
    args = parser.parse_args(argv)
    with open(args.list) as handle:
        files = json.load(handle)
    copied, kept, problems = copy_model(args.base_url, files, args.dest, args.timeout)
    print("%s: %d files copied, %d already in place, %d failed" % (args.dest, copied, kept, len(problems)))
    for line in problems:
        print("FAILED " + line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
