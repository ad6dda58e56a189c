"""A local stand-in for the upstream release sites, for building offline bundles in tests.

No internet and no container registry is reachable where the tests run, so this builds
a small upstream from real files:

- containerd, runc and CNI plugin binaries from Debian's packages (apt-get download),
  repackaged into the shapes upstream releases have (containerd-<v>-linux-amd64.tar.gz
  with bin/, runc.amd64, cni-plugins-linux-amd64-v<v>.tgz), each with the checksum file
  upstream publishes next to it (.sha256sum, runc.sha256sum, .sha256), and containerd's
  systemd unit as the raw file of the release tag;
- a container image built locally from Debian's busybox-static (an OCI layout written
  here), pushed into a local registry (Debian's docker-registry package) that skopeo
  pulls from through a registries.conf remap of docker.io/library/busybox;
- a tiny Ollama-style model (manifest + blobs named by digest) under /v2/.

UpstreamServer serves the tree on 127.0.0.1 and logs every request, so a test can tell
which files a run downloaded. tests/harness/test_bundle.sh and
tests/integration/test_bundle.py both use it.
"""
from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

DEBS = ("containerd", "runc", "containernetworking-plugins", "busybox-static")
IMAGE_REPO = "docker.io/library/busybox"
MODEL = "tinyllm:1"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path):
    with open(path, "rb") as handle:
        return _sha256(handle.read())


def _upstream_version(deb_version):
    """'1:1.35.0-4+b1' -> '1.35.0', '1.6.20~ds1-1+deb12u3' -> '1.6.20'."""
    version = deb_version.split(":", 1)[-1]
    for sep in ("~", "+", "-"):
        version = version.split(sep, 1)[0]
    return version


def fetch_debs(cache):
    """Debian packages (cached): {package: (path, upstream version)}."""
    os.makedirs(cache, exist_ok=True)
    missing = [p for p in DEBS if not glob.glob(os.path.join(cache, "%s_*.deb" % p))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    found = {}
    for package in DEBS:
        path = sorted(glob.glob(os.path.join(cache, "%s_*.deb" % package)))[-1]
        version = subprocess.run(["dpkg-deb", "-f", path, "Version"], check=True, capture_output=True, text=True).stdout.strip()
        found[package] = (path, _upstream_version(version))
    return found


def _extract(deb, into):
    os.makedirs(into, exist_ok=True)
    subprocess.run(["dpkg-deb", "-x", deb, into], check=True)
    return into


def _tar(members, gz=True):
    """Deterministic tar(.gz) bytes from [(arcname, bytes, mode)] (symlinks: bytes None, target in mode)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, mode in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if data is None:
                info.type = tarfile.SYMTYPE
                info.linkname = mode
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = mode
                tar.addfile(info, io.BytesIO(data))
    if not gz:
        return raw.getvalue()
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as handle:
        handle.write(raw.getvalue())
    return out.getvalue()


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())


def build_upstream(cache, root):
    """Lay out the upstream tree under root; return the versions it offers."""
    debs = fetch_debs(cache)
    work = tempfile.mkdtemp(prefix="upstream-", dir=cache)
    try:
        versions = {}
        # containerd: bin/* of the package, as upstream's release archive
        deb, ver = debs["containerd"]
        tree = _extract(deb, os.path.join(work, "containerd"))
        members = [("bin/" + os.path.basename(p), _read(p), 0o755)
                   for p in sorted(glob.glob(os.path.join(tree, "usr", "bin", "*")))]
        name = "containerd-%s-linux-amd64.tar.gz" % ver
        base = os.path.join(root, "github", "containerd", "containerd", "releases", "download", "v" + ver)
        data = _tar(members)
        _write(os.path.join(base, name), data)
        _write(os.path.join(base, name + ".sha256sum"), "%s  %s\n" % (_sha256(data), name))
        unit = _read(os.path.join(tree, "lib", "systemd", "system", "containerd.service")).decode()
        _write(os.path.join(root, "raw", "containerd", "containerd", "v" + ver, "containerd.service"),
               unit.replace("/usr/bin/containerd", "/usr/local/bin/containerd"))
        versions["containerd_version"] = ver
        # runc: the static binary, with upstream's multi-line runc.sha256sum
        deb, ver = debs["runc"]
        tree = _extract(deb, os.path.join(work, "runc"))
        data = _read(os.path.join(tree, "usr", "sbin", "runc"))
        base = os.path.join(root, "github", "opencontainers", "runc", "releases", "download", "v" + ver)
        _write(os.path.join(base, "runc.amd64"), data)
        _write(os.path.join(base, "runc.sha256sum"), "%s  runc.amd64\n%s  runc.arm64\n" % (_sha256(data), "0" * 64))
        versions["runc_version"] = ver
        # CNI plugins: flat archive of the plugin binaries
        deb, ver = debs["containernetworking-plugins"]
        tree = _extract(deb, os.path.join(work, "cni"))
        members = [("./" + os.path.basename(p), _read(p), 0o755)
                   for p in sorted(glob.glob(os.path.join(tree, "usr", "lib", "cni", "*")))]
        name = "cni-plugins-linux-amd64-v%s.tgz" % ver
        base = os.path.join(root, "github", "containernetworking", "plugins", "releases", "download", "v" + ver)
        data = _tar(members)
        _write(os.path.join(base, name), data)
        _write(os.path.join(base, name + ".sha256"), "%s  %s\n" % (_sha256(data), name))
        versions["cni_plugins_version"] = ver
        # busybox image, as an OCI layout for skopeo to push into the local registry
        deb, ver = debs["busybox-static"]
        tree = _extract(deb, os.path.join(work, "busybox"))
        versions["image"] = "%s:%s" % (IMAGE_REPO, ver)
        versions["oci_layout"] = _oci_layout(_read(os.path.join(tree, "bin", "busybox")), os.path.join(root, "oci", "busybox"), ver)
        # a tiny model in Ollama's registry layout (/v2/library/<name>/manifests|blobs)
        versions["model"] = MODEL
        _ollama_model(os.path.join(root, "ollama"), MODEL)
        return versions
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _blob(layout, data):
    digest = _sha256(data)
    _write(os.path.join(layout, "blobs", "sha256", digest), data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def _oci_layout(busybox, layout, tag):
    layer_tar = _tar([("bin/busybox", busybox, 0o755), ("bin/sh", None, "busybox")], gz=False)
    layer = dict(_blob(layout, gzip.compress(layer_tar, mtime=0)), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + _sha256(layer_tar)]}}
    config_desc = dict(_blob(layout, json.dumps(config, sort_keys=True).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config_desc, "layers": [layer]}
    manifest_desc = dict(_blob(layout, json.dumps(manifest, sort_keys=True).encode()), mediaType=manifest["mediaType"],
                         annotations={"org.opencontainers.image.ref.name": tag})
    _write(os.path.join(layout, "index.json"), json.dumps({"schemaVersion": 2, "manifests": [manifest_desc]}))
    _write(os.path.join(layout, "oci-layout"), json.dumps({"imageLayoutVersion": "1.0.0"}))
    return layout


def _ollama_model(base, model):
    name, tag = model.split(":")
    blobs = []
    for data in (b'{"model_format":"gguf","model_family":"test"}', b"GGUF test weights\n" * 64, b"{{ .Prompt }}"):
        digest = "sha256:" + _sha256(data)
        _write(os.path.join(base, "v2", "library", name, "blobs", digest), data)
        blobs.append({"digest": digest, "size": len(data)})
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": dict(blobs[0], mediaType="application/vnd.docker.container.image.v1+json"),
                "layers": [dict(blobs[1], mediaType="application/vnd.ollama.image.model"),
                           dict(blobs[2], mediaType="application/vnd.ollama.image.template")]}
    _write(os.path.join(base, "v2", "library", name, "manifests", tag), json.dumps(manifest))


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):  # noqa: D401 - record instead of printing
        self.server.requests.append(self.path)


class UpstreamServer:
    """Serves a directory on 127.0.0.1 (ephemeral port) and records request paths."""

    def __init__(self, root):
        def handler(*args, **kwargs):
            return _Handler(*args, directory=root, **kwargs)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self):
        return self.httpd.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Registry:
    """Debian's docker-registry on 127.0.0.1, storage in a temporary directory."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = _free_port()
        self.address = "127.0.0.1:%d" % self.port
        self.proc = None

    def __enter__(self):
        storage = os.path.join(self.workdir, "registry-storage")
        config = os.path.join(self.workdir, "registry.yml")
        _write(config, "version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\n"
                       "http: {addr: '%s'}\n" % (storage, self.address))
        self.proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for dummy in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("docker-registry did not start on %s" % self.address)

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def push(self, layout, ref):
        """Push the OCI layout to this registry under ref's repository and tag."""
        repo_tag = ref.split("/", 1)[1]  # docker.io/library/busybox:1 -> library/busybox:1
        tag = repo_tag.rsplit(":", 1)[1]
        subprocess.run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:%s:%s" % (layout, tag),
                        "docker://%s/%s" % (self.address, repo_tag)], check=True)

    def digest(self, ref):
        """The registry digest of ref's tag, as playbooks/pin.yml computes it (sha256 of the raw manifest)."""
        repo_tag = ref.split("/", 1)[1]
        raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://%s/%s" % (self.address, repo_tag)],
                             check=True, capture_output=True).stdout
        return "sha256:" + _sha256(raw)

    def registries_conf(self, path, ref):
        """registries.conf that sends ref's repository to this registry (plain HTTP)."""
        repo = ref.rsplit(":", 1)[0]
        _write(path, '[[registry]]\nprefix = "%s"\nlocation = "%s/%s"\ninsecure = true\n' % (repo, self.address, repo.split("/", 1)[1]))
        return path


def upstream_pins(root, versions, registry):
    """k8s_artifact_pins / k8s_image_digests for what the local upstream serves: the sha256 of
    containerd's unit (upstream publishes no sum for it) and the busybox image's digest."""
    unit = os.path.join(root, "raw", "containerd", "containerd", "v" + versions["containerd_version"], "containerd.service")
    return {
        "k8s_artifact_pins": {"containerd_service": {versions["containerd_version"]: {
            "sha256": _sha256_file(unit), "source": "tests/harness/bundle_upstream.py: the loopback upstream's file"}}},
        "k8s_image_digests": {versions["image"]: {
            "digest": registry.digest(versions["image"]), "source": "tests/harness/bundle_upstream.py: the loopback registry"}},
    }


def signing_keys(directory):
    """An Ed25519 key pair for signing test bundles: (private key path, public key path), made once."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    private, public = os.path.join(directory, "signing.pem"), os.path.join(directory, "signing.pub")
    if not (os.path.exists(private) and os.path.exists(public)):
        key = Ed25519PrivateKey.generate()
        _write(private, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        os.chmod(private, 0o600)
        _write(public, key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def bundle_extra_vars(server_url, versions, bundle_dir, with_model=True):
    """Extra vars for playbooks/bundle.yml that point every source at the local upstream."""
    return {
        "k8s_bundle_dir": bundle_dir,
        "k8s_github_url": server_url + "/github",
        "k8s_github_raw_url": server_url + "/raw",
        "k8s_ollama_registry_url": server_url + "/ollama",
        "containerd_version": versions["containerd_version"],
        "runc_version": versions["runc_version"],
        "cni_plugins_version": versions["cni_plugins_version"],
        "k8s_bundle_artifacts": ["containerd", "containerd_service", "runc", "cni_plugins"],
        "k8s_bundle_images": [versions["image"]],
        "k8s_bundle_ollama_models": [versions["model"]] if with_model else [],
    }


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_bundle(extra_vars, playbook="playbooks/bundle.yml", check=False):
    """Run a bundle playbook from this checkout; returns (CompletedProcess, changed count)."""
    import re
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", ANSIBLE_RETRY_FILES_ENABLED="0")
    venv = os.path.join(ROOT, ".venv", "bin", "ansible-playbook")
    cmd = [venv if os.path.exists(venv) else "ansible-playbook", "-i", "localhost,", os.path.join(ROOT, playbook),
           "-e", json.dumps(extra_vars)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    match = re.search(r"^localhost\s+:\s+ok=\d+\s+changed=(\d+)", proc.stdout, re.M)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (rc %d):\n%s\n%s" % (playbook, proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:]))
    return proc, int(match.group(1)) if match else None


def build_test_bundle(out):
    """build/test-bundle/: bundle/ (the offline bundle) and vars.yml (what a consumer passes)."""
    out = os.path.abspath(out)
    cache = os.path.join(ROOT, "build", "cache", "debs")
    upstream = os.path.join(out, "upstream")
    bundle = os.path.join(out, "bundle")
    shutil.rmtree(upstream, ignore_errors=True)
    versions = build_upstream(cache, upstream)
    private, public = signing_keys(os.path.join(out, "keys"))
    with UpstreamServer(upstream) as server, Registry(out) as registry:
        registry.push(versions["oci_layout"], versions["image"])
        extra = bundle_extra_vars(server.url, versions, bundle)
        extra["k8s_bundle_registries_conf"] = registry.registries_conf(os.path.join(out, "registries.conf"), versions["image"])
        extra.update(upstream_pins(upstream, versions, registry))
        extra["k8s_bundle_signing_key"] = private
        run_bundle(extra, check=True)
    consumer = {
        "k8s_install_mode": "offline",
        "k8s_bundle_dir": bundle,
        "containerd_version": versions["containerd_version"],
        "runc_version": versions["runc_version"],
        "cni_plugins_version": versions["cni_plugins_version"],
        "k8s_bundle_artifacts": extra["k8s_bundle_artifacts"],
        "k8s_bundle_images": extra["k8s_bundle_images"],
        "k8s_bundle_ollama_models": extra["k8s_bundle_ollama_models"],
        # signed with keys/signing.pem; a consumer that checks the signature sets
        # k8s_bundle_trusted_keys: ["{{ test_bundle_trusted_key }}"]
        "test_bundle_trusted_key": public,
        "k8s_artifact_pins": extra["k8s_artifact_pins"],
        "k8s_image_digests": extra["k8s_image_digests"],
    }
    lines = ["---", "# Written by tests/harness/test_bundle.sh: the test offline bundle and the versions it holds",
             "# (Debian's binaries, so not the versions file's defaults), signed with keys/signing.pem.",
             "# Pass these to the consumer."]
    lines += ["%s: %s" % (k, json.dumps(v)) for k, v in consumer.items()]
    _write(os.path.join(out, "vars.yml"), "\n".join(lines) + "\n")
    return consumer


if __name__ == "__main__":
    import sys
    print(json.dumps(build_test_bundle(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "test-bundle")), indent=2))
