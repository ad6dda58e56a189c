"""Render the containerd role's configuration for containerd 1.6, 1.7, 2.0 and 2.1 (through
tests/integration/playbooks/render_containerd.yml, on the controller) and check what
containerd would read:

- config.toml: config version 2 for 1.x, 3 for 2.x, with the plugin names and keys of that
  version (SystemdCgroup, sandbox image, certs.d config_path, CNI dirs, conf.d imports);
- the runtime drop-in of a registered runtime (the nvidia runtime as the default, CDI on);
- config.toml + drop-in combined the way containerd combines imports: before 2.1 an
  imported file's plugin section REPLACES config.toml's, from 2.1 they merge key by key.
  Either way the result must hold runc with SystemdCgroup, the nvidia runtime as default and
  the image settings (this is what `containerd config dump` showed in the Molecule scenarios
  for Debian's 1.6 and 1.7; 2.x is not available on the test machines).
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tomllib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "tests", "integration", "playbooks", "render_containerd.yml")
VERSIONS = ["1.6.20", "1.7.28", "2.0.6", "2.1.4"]
MARKER = "# aiinfra.k8s runtime: "


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("containerd")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1")
    bin_dir = os.path.dirname(sys.executable)
    proc = subprocess.run([os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,", PLAYBOOK, "-e", "out=%s" % out],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    result = {}
    for version in VERSIONS:
        base = out / version
        with open(base / "config.toml", "rb") as handle:
            config = tomllib.load(handle)
        text = (base / "99-nvidia.toml").read_text()
        dropin = tomllib.loads(text)
        hosts = {name: tomllib.loads((base / ("hosts-%s.toml" % name)).read_text()) for name in ("docker.io",)}
        result[version] = (config, dropin, text, hosts)
    return result


def runtime_plugin(config):
    return config["plugins"]["io.containerd.grpc.v1.cri" if config["version"] == 2 else "io.containerd.cri.v1.runtime"]


def image_settings(config):
    if config["version"] == 2:
        cri = config["plugins"]["io.containerd.grpc.v1.cri"]
        return cri.get("sandbox_image"), cri.get("registry", {}).get("config_path")
    images = config["plugins"]["io.containerd.cri.v1.images"]
    return images["pinned_images"]["sandbox"], images["registry"]["config_path"]


def deep_merge(base, extra):
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def combine(version, config, dropin):
    """config.toml + one imported file, as containerd does it."""
    major, minor = (int(x) for x in version.split(".")[:2])
    if (major, minor) >= (2, 1):
        return deep_merge(config, dropin)
    merged = copy.deepcopy(config)
    for name, section in dropin.get("plugins", {}).items():
        merged["plugins"][name] = copy.deepcopy(section)  # whole section replaced
    return merged


@pytest.mark.parametrize("version", VERSIONS)
def test_config_toml(rendered, version):
    config = rendered[version][0]
    expected = 3 if version.startswith("2.") else 2
    assert config["version"] == expected
    assert config["imports"] == ["/etc/containerd/conf.d/*.toml"]
    assert config["grpc"]["address"] == "/run/containerd/containerd.sock"
    plugin = runtime_plugin(config)
    assert plugin["containerd"]["default_runtime_name"] == "runc"
    assert set(plugin["containerd"]["runtimes"]) == {"runc"}, "config.toml never lists registered runtimes"
    runc = plugin["containerd"]["runtimes"]["runc"]
    assert runc["runtime_type"] == "io.containerd.runc.v2"
    assert runc["options"] == {"SystemdCgroup": True}
    assert plugin["restrict_oom_score_adj"] is True
    assert "enable_cdi" not in plugin, "CDI stays at containerd's default unless asked for"
    sandbox, config_path = image_settings(config)
    assert sandbox == "registry.k8s.io/pause:3.10.1"
    assert config_path == "/etc/containerd/certs.d"
    if version.startswith("2.1"):
        assert plugin["cni"]["bin_dirs"] == ["/opt/cni/bin"] and "bin_dir" not in plugin["cni"]
    else:
        assert plugin["cni"]["bin_dir"] == "/opt/cni/bin"
    if expected == 2:
        assert plugin["containerd"]["snapshotter"] == "overlayfs"
        assert "io.containerd.cri.v1.runtime" not in config["plugins"]
    else:
        assert config["plugins"]["io.containerd.cri.v1.images"]["snapshotter"] == "overlayfs"
        assert runc["snapshotter"] == "overlayfs"
        assert "io.containerd.grpc.v1.cri" not in config["plugins"]


@pytest.mark.parametrize("version", VERSIONS)
def test_dropin(rendered, version):
    config, dropin, text = rendered[version][:3]
    assert dropin["version"] == config["version"], "an import without the right version is read as v1"
    registration = json.loads(text.splitlines()[0][len(MARKER):])
    assert text.startswith(MARKER)
    assert registration == {"name": "nvidia", "path": "/etc/containerd/conf.d/99-nvidia.toml",
                            "runtime_type": "io.containerd.runc.v2", "default": True, "cdi": True,
                            "options": {"BinaryName": "/usr/bin/nvidia-container-runtime"}}
    # only the plugin that holds the runtimes
    assert list(dropin["plugins"]) == (["io.containerd.grpc.v1.cri"] if config["version"] == 2 else ["io.containerd.cri.v1.runtime"])


@pytest.mark.parametrize("version", VERSIONS)
def test_combination_keeps_everything(rendered, version):
    config, dropin = rendered[version][:2]
    merged = combine(version, config, dropin)
    plugin = runtime_plugin(merged)
    runtimes = plugin["containerd"]["runtimes"]
    assert plugin["containerd"]["default_runtime_name"] == "nvidia"
    assert runtimes["runc"]["options"]["SystemdCgroup"] is True
    assert runtimes["nvidia"]["runtime_type"] == "io.containerd.runc.v2"
    assert runtimes["nvidia"]["options"] == {"BinaryName": "/usr/bin/nvidia-container-runtime", "SystemdCgroup": True}
    assert plugin["enable_cdi"] is True and plugin["cdi_spec_dirs"] == ["/etc/cdi", "/var/run/cdi"]
    assert plugin["restrict_oom_score_adj"] is True
    assert image_settings(merged) == ("registry.k8s.io/pause:3.10.1", "/etc/containerd/certs.d")
    # and the drop-in's copy of the CRI settings equals config.toml's (nothing but the
    # runtime additions differs), so replacing the section loses nothing
    own = runtime_plugin(config)
    for key, value in own.items():
        if key != "containerd":
            assert plugin[key] == value, key


def test_replace_semantics_would_lose_settings_without_the_copy(rendered):
    """The reason for the copy: a drop-in with only the runtime entry, replacing config.toml's
    section the way containerd 1.x does, loses SystemdCgroup of runc and the image settings."""
    config = rendered["1.7.28"][0]
    bare = {"version": 2, "plugins": {"io.containerd.grpc.v1.cri": {"containerd": {
        "default_runtime_name": "nvidia",
        "runtimes": {"nvidia": {"runtime_type": "io.containerd.runc.v2",
                                "options": {"BinaryName": "/usr/bin/nvidia-container-runtime"}}}}}}}
    merged = combine("1.7.28", config, bare)
    cri = merged["plugins"]["io.containerd.grpc.v1.cri"]
    assert "runc" not in cri["containerd"]["runtimes"]
    assert "sandbox_image" not in cri and "registry" not in cri


def test_hosts_toml(rendered):
    for version in VERSIONS:
        hosts = rendered[version][3]["docker.io"]
        assert hosts["server"] == "https://registry-1.docker.io"
        assert list(hosts["host"]) == ["https://docker.m.daocloud.io", "http://10.0.0.5:5000"]
        for entry in hosts["host"].values():
            assert entry["capabilities"] == ["pull", "resolve"]
