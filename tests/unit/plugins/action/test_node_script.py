# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""node_script's request check and the command line it hands the connection.

The command line is run here by a real shell with a script on its standard input, as a
connection runs it on the node: each argument must arrive as one word, whatever it holds,
and the script must see its standard input at its end."""
from __future__ import annotations

import subprocess

import pytest

from ansible_collections.aiinfra.k8s.plugins.action.node_script import remote_command, request_problems

ODD = ["with space", "it's", '"quoted"', "$(touch /tmp/never)", "a;b", "", "*"]


@pytest.mark.parametrize("shell", ["/bin/sh", "/bin/bash"])
def test_each_argument_arrives_as_one_word(shell, tmp_path):
    script = 'for a in "$@"; do printf "<%s>\\n" "$a"; done\nprintf "0=%s\\n" "$0"\n'
    proc = subprocess.run(remote_command(shell, ODD), shell=True, input=script, capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    assert proc.stdout.splitlines() == ["<%s>" % a for a in ODD] + ["0=node_script"]
    assert not (tmp_path / "never").exists()


def test_the_script_reads_its_standard_input_at_its_end():
    script = "set -eu\nleft=$(cat)\necho \"left:[$left]\"\necho after\n"
    proc = subprocess.run(remote_command("/bin/bash", []), shell=True, input=script, capture_output=True,
                          text=True, check=True)
    assert proc.stdout.splitlines() == ["left:[]", "after"]


def test_a_failing_pipeline_under_pipefail_stops_the_script():
    script = "set -euo pipefail\nfalse | cat\necho notreached\n"
    proc = subprocess.run(remote_command("/bin/bash", []), shell=True, input=script, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 1 and "notreached" not in proc.stdout


def test_a_good_request_has_no_problem():
    assert request_problems({"script": "echo hi", "executable": "/bin/bash", "args": ["a", 1]}) == []
    assert request_problems({"script": "echo hi"}) == []


@pytest.mark.parametrize("args, expected", [
    ({}, "script must be the shell script to run"),
    ({"script": "  \n"}, "script must be the shell script to run"),
    ({"script": "true", "executable": "bash"}, "executable must be the absolute path of a POSIX shell"),
    ({"script": "true", "executable": "/bin/sh; rm -rf /"}, "executable must be the absolute path"),
    ({"script": "true", "args": "a b"}, "args must be a list of strings"),
    ({"script": "true", "args": [["nested"]]}, "args must be a list of strings"),
    ({"script": "true", "args": [True]}, "args must be a list of strings"),
    ({"script": "true", "cmd": "true"}, "unknown option(s) cmd"),
    ({"_raw_params": "echo hi"}, "the script goes in the script option (script: |), not as free-form text"),
])
def test_a_bad_request_says_what_is_wrong(args, expected):
    problems = request_problems(args)
    assert any(expected in p for p in problems), problems
