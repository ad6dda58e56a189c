"""playbooks/bundle.yml and verify_bundle.yml against a local upstream (no internet).

A loopback HTTP server plays the release sites with real files (Debian's containerd,
runc and CNI plugin binaries in upstream's archive shapes, each with its published
checksum file; a tiny Ollama-layout model), and Debian's docker-registry serves a
busybox image built here. The tests run in order on one bundle:

0. without pins, containerd's unit (no published sum) and the image (no digest) are
   refused before anything is downloaded;
1. the first run (pins for both, a signing key) fetches everything and records it in
   manifest.json with the right sums, the image's digest, and signs it;
2. a second run downloads nothing (0 changed, the server sees no request);
3. the signed bundle verifies against its public key; a tampered manifest, a tampered
   file, a missing signature and a signature by an unknown key each fail with their
   message; without trusted keys an unsigned bundle passes and says so;
4. verification reports a corrupt and a missing file, and an outdated version;
5. a re-run fetches exactly the broken files again, and verification then passes;
6. the artifact task in offline mode checks the signature, copies from the bundle without
   touching the server, and refuses a file the bundle lacks;
7. a file upstream changed after it was pinned, and an image pinned to a digest the
   registry does not have, fail the build after a table of every failed item.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))

import bundle_upstream as upstream  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (shutil.which("skopeo") and shutil.which("docker-registry") and shutil.which("apt-get")),
    reason="needs skopeo, docker-registry and apt-get (tests/harness/test_bundle.sh installs them)")


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("bundle"))
    root = os.path.join(work, "upstream")
    versions = upstream.build_upstream(os.path.join(ROOT, "build", "cache", "debs"), root)
    private, public = upstream.signing_keys(os.path.join(work, "keys"))
    other_private, other_public = upstream.signing_keys(os.path.join(work, "other-keys"))
    with upstream.UpstreamServer(root) as server, upstream.Registry(work) as registry:
        registry.push(versions["oci_layout"], versions["image"])
        bundle = os.path.join(work, "bundle")
        unpinned = upstream.bundle_extra_vars(server.url, versions, bundle)
        unpinned["k8s_bundle_registries_conf"] = registry.registries_conf(os.path.join(work, "registries.conf"), versions["image"])
        pins = upstream.upstream_pins(root, versions, registry)
        extra = dict(unpinned, k8s_bundle_signing_key=private, **pins)
        yield {"server": server, "root": root, "bundle": bundle, "extra": extra, "unpinned": unpinned, "pins": pins,
               "versions": versions, "work": work, "public": public, "private": private, "other_public": other_public,
               "other_private": other_private, "registry": registry}


def unit_path(env):
    return "manifests/containerd-%s.service" % env["versions"]["containerd_version"]


def image_path(env):
    return "images/docker.io_library_busybox_%s.tar" % env["versions"]["image"].rsplit(":", 1)[1]


def key_id(public):
    """The id _bundle_trust gives a key: the first 16 hex digits of the sha256 of its raw bytes."""
    from cryptography.hazmat.primitives import serialization
    with open(public, "rb") as handle:
        key = serialization.load_pem_public_key(handle.read())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def test_entries_without_a_sum_are_refused(env):
    env["server"].requests.clear()
    proc, dummy = upstream.run_bundle(env["unpinned"])
    assert proc.returncode != 0
    assert "have no pinned sha256 or registry digest" in proc.stdout, proc.stdout[-3000:]
    assert "containerd_service %s" % env["versions"]["containerd_version"] in proc.stdout
    assert env["versions"]["image"] in proc.stdout and "make pin" in proc.stdout
    # refused before anything was fetched
    assert env["server"].requests == [] and not os.path.exists(os.path.join(env["bundle"], "manifest.json"))


def manifest(env):
    with open(os.path.join(env["bundle"], "manifest.json")) as handle:
        return json.load(handle)


def published_sum(env, checksum_file, name):
    with open(os.path.join(env["root"], checksum_file)) as handle:
        for line in handle:
            digest, dummy, file_name = line.strip().partition("  ")
            if file_name == name:
                return digest
    raise AssertionError("%s not listed in %s" % (name, checksum_file))


def test_first_run_fetches_and_records_everything(env):
    proc, changed = upstream.run_bundle(env["extra"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert changed and changed > 0
    files = manifest(env)["files"]
    v = env["versions"]
    expected = {
        "archives/containerd-%s-linux-amd64.tar.gz" % v["containerd_version"],
        "manifests/containerd-%s.service" % v["containerd_version"],
        "bin/runc",
        "archives/cni-plugins-linux-amd64-v%s.tgz" % v["cni_plugins_version"],
        "images/docker.io_library_busybox_%s.tar" % v["image"].rsplit(":", 1)[1],
        "models/ollama/manifests/registry.ollama.ai/library/tinyllm/1",
    }
    assert expected <= set(files)
    for path, record in files.items():
        assert record["sha256"] == sha256(os.path.join(env["bundle"], path)), path
        assert record["size"] == os.path.getsize(os.path.join(env["bundle"], path))
    # sums recorded are the ones upstream publishes
    rel = "github/opencontainers/runc/releases/download/v%s/runc.sha256sum" % v["runc_version"]
    assert files["bin/runc"]["sha256"] == published_sum(env, rel, "runc.amd64")
    assert files["bin/runc"]["checksum"] == "published" and files["bin/runc"]["version"] == v["runc_version"]
    name = "containerd-%s-linux-amd64.tar.gz" % v["containerd_version"]
    rel = "github/containerd/containerd/releases/download/v%s/%s.sha256sum" % (v["containerd_version"], name)
    assert files["archives/" + name]["sha256"] == published_sum(env, rel, name)
    # the image archive is a docker-archive named with its reference (ctr keeps the name)
    image = [p for p in files if p.startswith("images/")][0]
    with tarfile.open(os.path.join(env["bundle"], image)) as tar:
        repo_tags = json.load(tar.extractfile("manifest.json"))[0]["RepoTags"]
    assert repo_tags == [v["image"]]
    assert files[image]["kind"] == "image" and files[image]["name"] == v["image"]
    # model blobs are stored under their digest and their sum is that digest
    blobs = [p for p in files if p.startswith("models/ollama/blobs/")]
    assert len(blobs) == 3
    for path in blobs:
        assert files[path]["sha256"] == path.rsplit("sha256-", 1)[1]
    # how each file was established: published sums, the pinned unit, the image by its pinned digest
    assert files["archives/" + name]["checksum"] == "published"
    assert files[unit_path(env)]["checksum"] == "pinned"
    pinned = env["pins"]["k8s_artifact_pins"]["containerd_service"][v["containerd_version"]]["sha256"]
    assert files[unit_path(env)]["sha256"] == pinned
    assert files[image]["checksum"] == "pinned"
    assert files[image]["digest"] == env["pins"]["k8s_image_digests"][v["image"]]["digest"]
    # signed with the test key
    with open(os.path.join(env["bundle"], "manifest.json.sig")) as handle:
        sig = json.load(handle)
    assert [s["key_id"] for s in sig["signatures"]] == [key_id(env["public"])]
    assert "Signed: manifest.json.sig holds the signature of key %s" % key_id(env["public"]) in proc.stdout


def test_second_run_fetches_nothing(env):
    env["server"].requests.clear()
    proc, changed = upstream.run_bundle(env["extra"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert changed == 0, proc.stdout[-4000:]
    assert env["server"].requests == []


def consumer_vars(env, **override):
    extra = dict(env["extra"], k8s_install_mode="offline", k8s_bundle_trusted_keys=[env["public"]])
    extra.pop("k8s_bundle_signing_key")
    extra.update(override)
    return extra


def verify_bundle(env, **override):
    return upstream.run_bundle(consumer_vars(env, **override), playbook="playbooks/verify_bundle.yml")[0]


def test_signed_bundle_verifies_and_each_tampering_fails(env):
    bundle = env["bundle"]
    manifest_path = os.path.join(bundle, "manifest.json")
    sig_path = manifest_path + ".sig"
    proc = verify_bundle(env)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "manifest.json verified, signed by trusted key %s" % key_id(env["public"]) in proc.stdout
    # a tampered manifest: one recorded sum changed, the signature kept
    with open(manifest_path) as handle:
        original = handle.read()
    data = json.loads(original)
    data["files"]["bin/runc"]["sha256"] = "0" * 64
    with open(manifest_path, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    proc = verify_bundle(env)
    assert proc.returncode != 0
    assert "%s does not match its signature by trusted key %s" % (manifest_path, key_id(env["public"])) in proc.stdout
    with open(manifest_path, "w") as handle:
        handle.write(original)
    # a tampered file: the signature is good, the file's sum is not
    runc = os.path.join(bundle, "bin", "runc")
    with open(runc, "rb") as handle:
        runc_bytes = handle.read()
    with open(runc, "r+b") as handle:
        handle.seek(2000)
        handle.write(b"tampered")
    proc = verify_bundle(env)
    assert proc.returncode != 0 and "CORRUPT    bin/runc" in proc.stdout
    with open(runc, "wb") as handle:
        handle.write(runc_bytes)
    # no signature at all
    os.rename(sig_path, sig_path + ".away")
    proc = verify_bundle(env)
    assert proc.returncode != 0
    assert "%s is missing" % sig_path in proc.stdout and key_id(env["public"]) in proc.stdout
    # ...which passes, reported as such, only when no key is trusted
    proc = verify_bundle(env, k8s_bundle_trusted_keys=[])
    assert proc.returncode == 0 and "UNSIGNED bundle" in proc.stdout
    os.rename(sig_path + ".away", sig_path)
    # signed by a key nobody trusts
    proc = verify_bundle(env, k8s_bundle_trusted_keys=[env["other_public"]])
    assert proc.returncode != 0
    assert "is signed by key %s, which is not in k8s_bundle_trusted_keys (%s)" % (
        key_id(env["public"]), key_id(env["other_public"])) in proc.stdout
    # the image's recorded digest must be the one the inventory pins
    other = dict(env["pins"]["k8s_image_digests"], **{env["versions"]["image"]: "sha256:" + "1" * 64})
    proc = verify_bundle(env, k8s_image_digests=other)
    assert proc.returncode != 0 and "DIGEST     %s" % image_path(env) in proc.stdout
    assert verify_bundle(env).returncode == 0


def _words(text):
    """A regex matching text whatever line folding the callback put between its words."""
    import re
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def test_hash_cache_reuses_sums_and_still_catches_tampering(env, tmp_path):
    """The bundle check with k8s_bundle_hash_cache (what the preflight phase runs): the second
    check reads no unchanged file, a file overwritten in place with its mtime restored is
    still reported, and verify_bundle.yml's own run reads every byte."""
    import time
    bundle = env["bundle"]
    cache = str(tmp_path / "bundle-hashes.json")
    # files changed within 2 s of hashing are not remembered: let the bundle settle
    newest = max(os.stat(os.path.join(d, f)).st_ctime for d, dummy, files in os.walk(bundle) for f in files)
    time.sleep(max(0.0, newest + 2.5 - time.time()))
    proc = verify_bundle(env, k8s_bundle_hash_cache=cache)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "hash cache" not in proc.stdout and os.path.isfile(cache)
    proc = verify_bundle(env, k8s_bundle_hash_cache=cache)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _words("files unchanged since hashed by an earlier check: sums from the hash cache; 0 hashed now").search(
        proc.stdout), proc.stdout[-3000:]
    proc = verify_bundle(env)
    assert proc.returncode == 0 and "hash cache" not in proc.stdout
    runc = os.path.join(bundle, "bin", "runc")
    before = os.stat(runc)
    with open(runc, "rb") as handle:
        runc_bytes = handle.read()
    try:
        with open(runc, "r+b") as handle:
            handle.seek(2000)
            handle.write(b"tampered")
        os.utime(runc, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert os.stat(runc).st_size == before.st_size and os.stat(runc).st_mtime_ns == before.st_mtime_ns
        proc = verify_bundle(env, k8s_bundle_hash_cache=cache)
        assert proc.returncode != 0 and "CORRUPT    bin/runc" in proc.stdout, proc.stdout[-3000:]
    finally:
        with open(runc, "wb") as handle:
            handle.write(runc_bytes)
    assert verify_bundle(env, k8s_bundle_hash_cache=cache).returncode == 0


def test_verify_lists_corrupt_missing_and_outdated_files(env):
    bundle = env["bundle"]
    proc = upstream.run_bundle(consumer_vars(env), playbook="playbooks/verify_bundle.yml")[0]
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "all 9 files intact" in proc.stdout

    with open(os.path.join(bundle, "bin", "runc"), "r+b") as handle:
        handle.seek(1000)
        handle.write(b"corrupted!")
    cni = "archives/cni-plugins-linux-amd64-v%s.tgz" % env["versions"]["cni_plugins_version"]
    os.remove(os.path.join(bundle, cni))
    proc = upstream.run_bundle(consumer_vars(env), playbook="playbooks/verify_bundle.yml")[0]
    assert proc.returncode != 0
    assert "CORRUPT    bin/runc" in proc.stdout
    assert "MISSING    %s" % cni in proc.stdout
    assert "2 problems" in proc.stdout

    proc = upstream.run_bundle(consumer_vars(env, containerd_version="9.9.9"), playbook="playbooks/verify_bundle.yml")[0]
    assert proc.returncode != 0
    assert "UNRECORDED archives/containerd-9.9.9-linux-amd64.tar.gz" in proc.stdout


def test_rerun_fetches_exactly_the_broken_files(env):
    env["server"].requests.clear()
    proc, changed = upstream.run_bundle(env["extra"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert changed and changed > 0
    downloads = sorted(r for r in env["server"].requests if not r.endswith((".sha256", ".sha256sum")))
    v = env["versions"]
    assert downloads == sorted([
        "/github/opencontainers/runc/releases/download/v%s/runc.amd64" % v["runc_version"],
        "/github/containernetworking/plugins/releases/download/v%s/cni-plugins-linux-amd64-v%s.tgz"
        % (v["cni_plugins_version"], v["cni_plugins_version"]),
    ])
    proc = upstream.run_bundle(consumer_vars(env), playbook="playbooks/verify_bundle.yml")[0]
    assert proc.returncode == 0, proc.stdout[-4000:]
    for path, record in manifest(env)["files"].items():
        assert record["sha256"] == sha256(os.path.join(env["bundle"], path)), path


ARTIFACT_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - ansible.builtin.include_role: {name: aiinfra.k8s.common, tasks_from: artifact}
      vars: {common_artifact: "%s", common_artifact_dest: "%s"}
    - ansible.builtin.copy: {content: "{{ common_artifact_result | to_json }}", dest: "%s", mode: "0644"}
      changed_when: false
"""


def run_artifact(env, key, dest, **override):
    play = os.path.join(env["work"], "artifact-%s.yml" % key)
    result = dest + ".result.json"
    with open(play, "w") as handle:
        handle.write(ARTIFACT_PLAY % (key, dest, result))
    proc, changed = upstream.run_bundle(consumer_vars(env, **override), playbook=os.path.relpath(play, ROOT))
    return proc, changed, result


def test_offline_artifact_comes_from_the_bundle_only(env):
    env["server"].requests.clear()
    dest = os.path.join(env["work"], "node", "usr", "local", "sbin", "runc")
    proc, changed, result = run_artifact(env, "runc", dest)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert sha256(dest) == manifest(env)["files"]["bin/runc"]["sha256"]
    assert oct(os.stat(dest).st_mode & 0o777) == "0o755"
    with open(result) as handle:
        assert json.load(handle) == {"path": dest, "source": "bundle", "changed": True}
    subprocess.run([dest, "--version"], check=True, capture_output=True)  # a real runc
    proc, changed, result = run_artifact(env, "runc", dest)
    assert proc.returncode == 0 and changed == 0
    with open(result) as handle:
        assert json.load(handle)["changed"] is False
    # a file the bundle lacks stops the run with its name; nothing is downloaded
    proc, changed, result = run_artifact(env, "crictl", os.path.join(env["work"], "node", "crictl.tgz"))
    assert proc.returncode != 0
    assert "archives/crictl-v" in proc.stdout and "Offline mode never downloads" in proc.stdout
    assert env["server"].requests == []
    # a bundle signed by a key this inventory does not trust gives no file
    other_dest = os.path.join(env["work"], "node2", "runc")
    proc, changed, result = run_artifact(env, "runc", other_dest, k8s_bundle_trusted_keys=[env["other_public"]])
    assert proc.returncode != 0 and "not in k8s_bundle_trusted_keys" in proc.stdout
    assert not os.path.exists(other_dest)


def test_changed_upstream_and_failed_items_fail_loudly(env):
    """A file upstream changed after it was pinned, and an image pinned to a digest the
    registry lacks: the build fails after one table naming both, manifest untouched."""
    v = env["versions"]
    unit = os.path.join(env["root"], "raw", "containerd", "containerd", "v" + v["containerd_version"], "containerd.service")
    with open(unit) as handle:
        original = handle.read()
    fresh = os.path.join(env["work"], "bundle-changed")
    digests = {v["image"]: "sha256:" + "2" * 64}
    try:
        with open(unit, "a") as handle:
            handle.write("\n# re-published upstream\n")
        proc, dummy = upstream.run_bundle(dict(env["extra"], k8s_bundle_dir=fresh, k8s_image_digests=digests))
    finally:
        with open(unit, "w") as handle:
            handle.write(original)
    assert proc.returncode != 0
    assert "Bundle build FAILED: 2 items could not be fetched or checked" in proc.stdout, proc.stdout[-5000:]
    table = proc.stdout[proc.stdout.index("Bundle build FAILED"):]
    assert "artifact %s" % unit_path(env) in table and "checksum" in table.lower()
    assert "image    %s" % v["image"] in table
    assert not os.path.exists(os.path.join(fresh, "manifest.json"))
    # the other files were fetched and stay for the next run
    assert os.path.exists(os.path.join(fresh, "bin", "runc"))


def test_pin_playbook_writes_the_pins_and_refuses_a_changed_upstream(env):
    """playbooks/pin.yml against the loopback upstream, writing into a copy of the versions file."""
    v = env["versions"]
    original_path = os.path.join(ROOT, "roles", "common", "defaults", "main", "versions.yml")
    versions_file = os.path.join(env["work"], "versions.yml")
    shutil.copyfile(original_path, versions_file)
    extra = dict(env["unpinned"], pin_versions_file=versions_file, pin_keys=["containerd_service"],
                 pin_images=[v["image"]], pin_arches=["amd64"])
    proc, changed = upstream.run_bundle(extra, playbook="playbooks/pin.yml")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "Pinned now: containerd_service %s, %s." % (v["containerd_version"], v["image"]) in proc.stdout
    with open(versions_file) as handle:
        text = handle.read()
    data = yaml.safe_load(text)
    pin = data["k8s_artifact_pins"]["containerd_service"][v["containerd_version"]]
    assert pin["sha256"] == env["pins"]["k8s_artifact_pins"]["containerd_service"][v["containerd_version"]]["sha256"]
    assert "sha256 of %s/raw/containerd/containerd/v%s/containerd.service" % (env["server"].url, v["containerd_version"]) in pin["source"]
    assert data["k8s_image_digests"][v["image"]]["digest"] == env["pins"]["k8s_image_digests"][v["image"]]["digest"]
    # the pins already there are kept, and nothing outside the block moved
    with open(original_path) as handle:
        original = handle.read()
    assert data["k8s_artifact_pins"]["calico_operator_manifest"] == yaml.safe_load(original)["k8s_artifact_pins"]["calico_operator_manifest"]

    def outside(t):
        return t[:t.index("# BEGIN aiinfra.k8s pins")] + t[t.index("# END aiinfra.k8s pins"):]
    assert outside(text) == outside(original)
    # a second run computes the same values and writes nothing
    proc, changed = upstream.run_bundle(extra, playbook="playbooks/pin.yml")
    assert proc.returncode == 0 and changed == 0, proc.stdout[-3000:]
    with open(versions_file) as handle:
        assert handle.read() == text
    # upstream re-publishes the file under the same version: refused, the pin stays
    unit = os.path.join(env["root"], "raw", "containerd", "containerd", "v" + v["containerd_version"], "containerd.service")
    with open(unit) as handle:
        unit_text = handle.read()
    try:
        with open(unit, "a") as handle:
            handle.write("# changed\n")
        proc, changed = upstream.run_bundle(dict(extra, pin_images="none"), playbook="playbooks/pin.yml")
        assert proc.returncode != 0
        assert "CHANGED containerd_service %s: pinned %s" % (v["containerd_version"], pin["sha256"]) in proc.stdout
        with open(versions_file) as handle:
            assert handle.read() == text
        proc, changed = upstream.run_bundle(dict(extra, pin_images="none", pin_replace=True), playbook="playbooks/pin.yml")
        assert proc.returncode == 0 and "Replaced (pin_replace): containerd_service %s." % v["containerd_version"] in proc.stdout
    finally:
        with open(unit, "w") as handle:
            handle.write(unit_text)
