# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_bundle: hashing, paths, verification and manifest building on real files in a temp bundle."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible_collections.aiinfra.k8s.plugins.module_utils import _bundle


def write(base, rel, data):
    path = os.path.join(base, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def bundle(tmp_path):
    base = str(tmp_path)
    sums = {
        "bin/kubeadm": write(base, "bin/kubeadm", b"kubeadm binary" * 1000),
        "archives/containerd-1.7.28-linux-amd64.tar.gz": write(base, "archives/containerd-1.7.28-linux-amd64.tar.gz", b"tgz"),
    }
    files = {
        "bin/kubeadm": {"name": "kubeadm", "version": "1.34.3", "sha256": sums["bin/kubeadm"]},
        "archives/containerd-1.7.28-linux-amd64.tar.gz": {"name": "containerd", "version": "1.7.28",
                                                          "sha256": sums["archives/containerd-1.7.28-linux-amd64.tar.gz"]},
    }
    with open(os.path.join(base, "manifest.json"), "w") as handle:
        json.dump({"format": 1, "arch": "amd64", "files": files}, handle)
    return base


def test_sha256_file_streams_large_files(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "big"
    path.write_bytes(data)
    assert _bundle.sha256_file(str(path)) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("ref, path", [
    ("registry.k8s.io/pause:3.10.1", "images/registry.k8s.io_pause_3.10.1.tar"),
    ("docker.io/calico/node:v3.31.3", "images/docker.io_calico_node_v3.31.3.tar"),
    ("localhost:5000/a/b:1@sha256:" + "a" * 64, "images/localhost_5000_a_b_1_sha256_" + "a" * 64 + ".tar"),
])
def test_image_archive_path(ref, path):
    assert _bundle.image_archive_path(ref) == path


@pytest.mark.parametrize("ref", ["", "  ", "a b:1", None])
def test_image_archive_path_rejects_non_references(ref):
    with pytest.raises(_bundle.BundleError):
        _bundle.image_archive_path(ref)


@pytest.mark.parametrize("ref, tag", [
    ("registry.k8s.io/pause:3.10.1", "3.10.1"), ("localhost:5000/busybox", ""), ("busybox", ""), ("nvcr.io/nvidia/gpu-operator:v25.10.1", "v25.10.1"),
])
def test_image_tag(ref, tag):
    assert _bundle.image_tag(ref) == tag


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "bin/../../x", "bin//x", "./bin/x", "bin\\x", ""])
def test_check_relative_refuses_escapes(path):
    with pytest.raises(_bundle.BundleError):
        _bundle.check_relative(path)


def test_verify_all_intact(bundle):
    result = _bundle.verify(bundle, _bundle.load_manifest(bundle))
    assert sorted(result["ok"]) == ["archives/containerd-1.7.28-linux-amd64.tar.gz", "bin/kubeadm"]
    assert _bundle.problem_count(result) == 0
    assert "all 2 files intact" in _bundle.report(bundle, result)


def test_verify_finds_corrupt_missing_and_unlisted(bundle):
    write(bundle, "bin/kubeadm", b"tampered")
    os.remove(os.path.join(bundle, "archives", "containerd-1.7.28-linux-amd64.tar.gz"))
    write(bundle, "packages/debian/extra.deb", b"deb")
    result = _bundle.verify(bundle, _bundle.load_manifest(bundle))
    assert [c["path"] for c in result["corrupt"]] == ["bin/kubeadm"]
    assert result["corrupt"][0]["actual"] == hashlib.sha256(b"tampered").hexdigest()
    assert [m["path"] for m in result["missing"]] == ["archives/containerd-1.7.28-linux-amd64.tar.gz"]
    assert result["unlisted"] == ["packages/debian/extra.deb"]
    text = _bundle.report(bundle, result)
    assert "2 problems" in text and "CORRUPT    bin/kubeadm" in text and "MISSING    archives/containerd" in text
    assert "aiinfra.k8s.bundle" in text  # says how to fix it


def test_verify_expected_versions(bundle):
    manifest = _bundle.load_manifest(bundle)
    expected = [{"path": "bin/kubeadm", "name": "kubeadm", "version": "1.35.0"},
                {"path": "bin/kubelet", "name": "kubelet", "version": "1.34.3"}]
    result = _bundle.verify(bundle, manifest, expected)
    assert result["outdated"] == [{"path": "bin/kubeadm", "name": "kubeadm", "version": "1.35.0", "recorded": "1.34.3"}]
    assert [u["path"] for u in result["unrecorded"]] == ["bin/kubelet"]
    assert result["ok"] == []  # containerd is not expected and check_all is off
    result = _bundle.verify(bundle, manifest, [{"path": "bin/kubeadm", "version": "1.34.3"}], check_all=True)
    assert sorted(result["ok"]) == ["archives/containerd-1.7.28-linux-amd64.tar.gz", "bin/kubeadm"]


def test_verify_without_manifest_reports_everything_unrecorded(tmp_path):
    result = _bundle.verify(str(tmp_path), None, [{"path": "bin/kubeadm", "name": "kubeadm", "version": "1"}])
    assert [u["path"] for u in result["unrecorded"]] == ["bin/kubeadm"]
    assert result["unlisted"] == []


def test_load_manifest_rejects_garbage(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(_bundle.BundleError, match="cannot read"):
        _bundle.load_manifest(str(tmp_path))
    (tmp_path / "manifest.json").write_text("[]")
    with pytest.raises(_bundle.BundleError, match="not an aiinfra.k8s bundle manifest"):
        _bundle.load_manifest(str(tmp_path))


def test_build_manifest_records_entries_and_local_files(bundle):
    kubeadm = hashlib.sha256(b"kubeadm binary" * 1000).hexdigest()
    deb = write(bundle, "packages/debian12/keepalived_2.2.7_amd64.deb", b"keepalived")
    calls = []

    def hashing(path):
        calls.append(os.path.relpath(path, bundle))
        return _bundle.sha256_file(path)

    entries = [{"path": "bin/kubeadm", "name": "kubeadm", "kind": "artifact", "version": "1.34.3",
                "source": "https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm", "checksum": "published"}]
    manifest = _bundle.build_manifest(bundle, entries, "amd64", known_hashes={"bin/kubeadm": kubeadm}, hash_file=hashing)
    assert calls == ["packages/debian12/keepalived_2.2.7_amd64.deb"]  # kubeadm's sum was known
    assert manifest["files"]["bin/kubeadm"] == {
        "name": "kubeadm", "kind": "artifact", "version": "1.34.3", "checksum": "published", "size": 14000,
        "source": "https://dl.k8s.io/release/v1.34.3/bin/linux/amd64/kubeadm", "sha256": kubeadm}
    local = manifest["files"]["packages/debian12/keepalived_2.2.7_amd64.deb"]
    assert local["kind"] == "local" and local["sha256"] == deb
    assert "archives/containerd-1.7.28-linux-amd64.tar.gz" not in manifest["files"]  # not wanted any more
    text = _bundle.dump_manifest(manifest)
    assert text == _bundle.dump_manifest(json.loads(text))  # deterministic


def test_build_manifest_requires_the_files(bundle):
    with pytest.raises(_bundle.BundleError, match="bin/kubelet"):
        _bundle.build_manifest(bundle, [{"path": "bin/kubelet", "name": "kubelet"}], "amd64")


# HashCache: sums remembered by file identity, on real files.
LATER = 1e10  # a clock far after every file's last change (nothing is "racy")


def later():
    return LATER


def cached_verify(base, cache_path, clock=later):
    cache = _bundle.HashCache(cache_path, clock=clock)
    result = _bundle.verify(base, _bundle.load_manifest(base), hash_file=cache.hash_file)
    assert cache.save()
    return cache, result


def test_hash_cache_reuses_the_sums_of_unchanged_files(bundle, tmp_path):
    cache_path = str(tmp_path / "cache" / "bundle-hashes.json")
    cache, first = cached_verify(bundle, cache_path)
    assert (cache.hashed, cache.reused) == (2, 0) and len(first["ok"]) == 2
    assert oct(os.stat(cache_path).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.dirname(cache_path)).st_mode & 0o777) == "0o700"
    cache, second = cached_verify(bundle, cache_path)
    assert (cache.hashed, cache.reused) == (0, 2)
    assert second["ok"] == first["ok"] and second["hashes"] == first["hashes"]


def test_hash_cache_catches_a_same_size_change_with_the_old_mtime(bundle, tmp_path):
    """Overwritten in place, same size, mtime set back: the ctime moved, so it is hashed again."""
    cache_path = str(tmp_path / "bundle-hashes.json")
    cached_verify(bundle, cache_path)
    path = os.path.join(bundle, "bin", "kubeadm")
    before = os.stat(path)
    with open(path, "r+b") as handle:
        handle.write(b"K")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    cache, result = cached_verify(bundle, cache_path)
    assert (cache.hashed, cache.reused) == (1, 1)
    assert [item["path"] for item in result["corrupt"]] == ["bin/kubeadm"]


def test_hash_cache_catches_a_file_replaced_by_rename(bundle, tmp_path):
    cache_path = str(tmp_path / "bundle-hashes.json")
    cached_verify(bundle, cache_path)
    path = os.path.join(bundle, "bin", "kubeadm")
    size = os.stat(path).st_size
    write(bundle, "bin/kubeadm.new", b"x" * size)
    os.rename(path + ".new", path)
    cache, result = cached_verify(bundle, cache_path)
    assert cache.hashed == 1 and [item["path"] for item in result["corrupt"]] == ["bin/kubeadm"]


def test_hash_cache_does_not_remember_files_changed_just_now(bundle, tmp_path):
    """A file changed within RACY_SECONDS of hashing could change again in the same clock tick."""
    cache_path = str(tmp_path / "bundle-hashes.json")
    cached_verify(bundle, cache_path, clock=lambda: os.stat(os.path.join(bundle, "bin", "kubeadm")).st_ctime + 0.5)
    cache, dummy = cached_verify(bundle, cache_path)
    assert (cache.hashed, cache.reused) == (2, 0)


def test_hash_cache_unreadable_or_unwritable_costs_only_the_hashing(bundle, tmp_path):
    cache_path = tmp_path / "bundle-hashes.json"
    cache_path.write_text("{not json")
    cache, result = cached_verify(bundle, str(cache_path))
    assert cache.hashed == 2 and len(result["ok"]) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cache = _bundle.HashCache(str(blocker / "bundle-hashes.json"), clock=later)
    result = _bundle.verify(bundle, _bundle.load_manifest(bundle), hash_file=cache.hash_file)
    assert len(result["ok"]) == 2 and cache.save() is False


def test_hash_cache_forgets_files_that_are_gone(bundle, tmp_path):
    cache_path = str(tmp_path / "bundle-hashes.json")
    cached_verify(bundle, cache_path)
    os.remove(os.path.join(bundle, "bin", "kubeadm"))
    cache, result = cached_verify(bundle, cache_path)
    assert [item["path"] for item in result["missing"]] == ["bin/kubeadm"]
    with open(cache_path) as handle:
        remembered = json.load(handle)["files"]
    assert sorted(os.path.basename(key) for key in remembered) == ["containerd-1.7.28-linux-amd64.tar.gz"]
