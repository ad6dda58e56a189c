#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: node_script
short_description: Run a shell script on the node without Python, for probes and short commands
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Runs O(script) with O(executable) on the node and returns its exit status and output, as
    M(ansible.builtin.shell) does, without starting Python there. The action plugin sends the script on
    the connection's standard input, the way a pipelined module travels; on the node, O(executable) reads
    the whole script from its standard input and evaluates it, with O(args) as its positional parameters.
    A command of the script that reads its standard input reaches its end at once.
  - A module run costs a Python start on the node and the import of Ansible's module code from its zip,
    about 0.2 CPU-s each time, more than most probes' own work. The roles' probes (the read-only scripts
    that decide what a run must change) and their short commands run through this instead.
  - The task's C(environment) is exported to the script, as for modules. The script never appears on the
    command line, so not in C(-vvv) output either; its output does, unless the task sets C(no_log).
  - Like M(ansible.builtin.raw), it cannot tell whether the script changed something; it reports
    C(changed=false). A task whose script changes the node says when with C(changed_when).
options:
  script:
    description: The script, shell code for O(executable).
    type: str
    required: true
  executable:
    description: Absolute path of the POSIX shell that runs the script.
    type: str
    default: /bin/sh
  args:
    description: Positional parameters of the script (C($1), C($2), ...), each passed as one word.
    type: list
    elements: str
    default: []
attributes:
  action:
    description: Runs entirely through the action plugin of the same name.
    support: full
  check_mode:
    support: partial
    details: Skipped in check mode, since a script may change the node, unless the task sets C(check_mode=false)
      (a probe that only reads).
  diff_mode:
    support: none
notes:
  - Needs the C(aiinfra.k8s.node_script) action plugin (used automatically when the task names this module).
  - Needs no Python on the node; works over any connection that can pipe data to a command (ssh, docker, local).
"""

EXAMPLES = r"""
- name: Probe | what the node has
  aiinfra.k8s.node_script:
    executable: /bin/bash
    script: |
      set -euo pipefail
      [ -x "$BINARY" ] && echo "version:$("$BINARY" --version)"
      echo "service:$(systemctl is-active containerd || true)"
  environment:
    BINARY: /usr/local/bin/containerd
  register: probe
  changed_when: false
  check_mode: false

- name: Apply the sysctl settings
  aiinfra.k8s.node_script:
    script: sysctl -p "$1"
    args: [/etc/sysctl.d/99-kubernetes.conf]
  changed_when: true
"""

RETURN = r"""
rc:
  description: The script's exit status; the task fails when it is not 0.
  returned: when it ran
  type: int
  sample: 0
stdout:
  description: Standard output, without its trailing newline.
  returned: when it ran
  type: str
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when it ran
  type: list
  elements: str
stderr:
  description: Standard error, without its trailing newline.
  returned: when it ran
  type: str
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when it ran
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        script=dict(type="str", required=True),
        executable=dict(type="str", default="/bin/sh"),
        args=dict(type="list", elements="str", default=[]),
    ), supports_check_mode=True)
    module.fail_json(msg="aiinfra.k8s.node_script runs through its action plugin; this module file holds its documentation")


if __name__ == "__main__":
    main()
