"""_artifacts_probe / _artifacts_probe_output: the common role's artifacts probe run inside a
role's own probe, and its output taken back out of that probe's lines, byte for byte what
the artifacts entry point's own probe prints. Runs the real script of roles/common/vars/main.yml
with sh over real files (one destination missing, a path with a blank and a quote)."""
from __future__ import annotations

import os
import subprocess

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aiinfra.k8s.plugins.filter import _artifacts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
FILTERS = _artifacts.FilterModule().filters()
PROBE, OUTPUT = FILTERS["_artifacts_probe"], FILTERS["_artifacts_probe_output"]

with open(os.path.join(ROOT, "roles", "common", "vars", "main.yml")) as _handle:
    SCRIPT = yaml.safe_load(_handle)["_common_artifacts_probe_script"]


def sh(cmd):
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=True).stdout


def test_output_taken_back_out_of_a_probe_is_the_probe_scripts_own(tmp_path):
    stamp = tmp_path / "stamps.json"
    stamp.write_text('{\n    "%s": {"sha256": "ab", "size": 3}\n}\n' % (tmp_path / "runc"))
    (tmp_path / "runc").write_bytes(b"abc")
    odd = tmp_path / "it's an archive.tgz"
    odd.write_bytes(b"12345")
    dests = [str(tmp_path / "runc"), str(tmp_path / "missing"), str(odd)]
    # the role's probe prints lines of its own around it
    lines = sh("echo service:enabled:active\n%s\necho 'nf|absent|/etc/x'" % PROBE(dests, SCRIPT, str(stamp))).splitlines()
    assert lines[0] == "service:enabled:active" and lines[-1] == "nf|absent|/etc/x"
    own = subprocess.run(["sh", "-c", SCRIPT, "probe", str(stamp)] + dests, capture_output=True, text=True,
                         check=True).stdout
    assert OUTPUT(lines) == own.rstrip("\n")
    assert "%s|5|" % odd in OUTPUT(lines) and "missing" not in OUTPUT(lines)


def test_no_stamp_file_yet():
    lines = sh(PROBE(["/nonexistent/a"], SCRIPT, "/nonexistent/stamps.json")).splitlines()
    assert OUTPUT(lines) == "{}\n\n---"


def test_a_probe_without_the_lines_gives_nothing():
    assert OUTPUT(["service:enabled:active", "nf|absent|/x"]) == ""


@pytest.mark.parametrize("args", [("/a", SCRIPT, "/s"), (["relative"], SCRIPT, "/s"), (["/a"], SCRIPT, "stamps.json")])
def test_bad_input_names_the_filter(args):
    with pytest.raises(AnsibleFilterError, match="^_artifacts_probe: expected "):
        PROBE(*args)


def test_bad_lines_name_the_filter():
    with pytest.raises(AnsibleFilterError, match="^_artifacts_probe_output: expected "):
        OUTPUT("artifacts|{}")
