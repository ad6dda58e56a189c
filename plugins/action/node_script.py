# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of aiinfra.k8s.node_script: run a shell script on the node without Python.

The script goes to the node on the connection's standard input, as a pipelined module does;
the node runs `<executable> -c 'eval "$(cat)"' node_script ARGS...`, so a command of the script
that reads its standard input finds it at its end, as under ansible.builtin.command. No module
is built, sent or started: a probe of a few shell commands costs one connection round trip, not
a Python start and the import of Ansible's module code from a zip (about 0.2 CPU-s per node)."""
from __future__ import annotations

import re
import shlex

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

_RUNNER = 'eval "$(cat)"'
_ABSOLUTE = re.compile(r"^/[^\s'\"\\;&|<>`$]+$")


def request_problems(args):
    """What is wrong with the task's arguments, said before anything runs on the node."""
    problems = []
    if "_raw_params" in args:
        problems.append("the script goes in the script option (script: |), not as free-form text after the module name")
    unknown = sorted(set(args) - {"script", "executable", "args", "_raw_params"})
    if unknown:
        problems.append("unknown option(s) %s; node_script takes script, executable and args" % ", ".join(unknown))
    script = args.get("script")
    if not isinstance(script, str) or not script.strip():
        problems.append("script must be the shell script to run, a non-empty string, got %r" % (script,))
    executable = args.get("executable", "/bin/sh")
    if not isinstance(executable, str) or not _ABSOLUTE.match(executable):
        problems.append("executable must be the absolute path of a POSIX shell (/bin/sh, /bin/bash), got %r" % (executable,))
    positional = args.get("args", [])
    if not isinstance(positional, list) or not all(isinstance(a, (str, int, float)) and not isinstance(a, bool)
                                                   for a in positional):
        problems.append("args must be a list of strings (the script's $1, $2, ...), got %r" % (positional,))
    return problems


def remote_command(executable, positional):
    """The command line the node runs; the script itself comes on its standard input."""
    words = [executable, "-c", _RUNNER, "node_script"] + [to_text(a) for a in positional]
    return " ".join(shlex.quote(w) for w in words)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = self._task.args
        problems = request_problems(args)
        if problems:
            raise AnsibleActionFail("node_script: %s" % "; ".join(problems))
        if self._task.check_mode:
            # a script may change the node: it runs in check mode only where the task says
            # check_mode: false (a probe that only reads)
            result.update(skipped=True, changed=False,
                          msg="node_script does not run in check mode unless the task sets check_mode: false")
            return result
        cmd = remote_command(args.get("executable", "/bin/sh"), args.get("args", []))
        env_string = self._compute_environment_string()
        if env_string:
            cmd = "%s %s" % (env_string, cmd)
        script = args["script"]
        if not script.endswith("\n"):
            script += "\n"
        res = self._low_level_execute_command(cmd, in_data=to_bytes(script, errors="surrogate_or_strict"),
                                              sudoable=True)
        # as ansible.builtin.command reports them: without the trailing newline
        stdout = to_text(res.get("stdout", ""), errors="surrogate_or_replace").rstrip("\r\n")
        stderr = to_text(res.get("stderr", ""), errors="surrogate_or_replace").rstrip("\r\n")
        result.update(rc=res.get("rc"), stdout=stdout, stdout_lines=stdout.splitlines(),
                      stderr=stderr, stderr_lines=stderr.splitlines(), changed=False)
        if res.get("rc") != 0:
            result.update(failed=True, msg="non-zero return code")
        return result
