#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: artifact_stamps
short_description: Record the files brought from the offline bundle (sum, size, mtime) in one round trip
version_added: 0.1.0
author: aiinfra.k8s contributors (@aiinfra)
extends_documentation_fragment:
  - aiinfra.k8s.attributes
description:
  - Writes the stamps file of the common role's C(artifacts) entry point. For each file
    brought from the bundle it records the sha256 the bundle's manifest records for it, and
    the size and modification time the file has on the node now.
  - A later run reads the stamps and stats the files (one command) and copies a file again
    only when its stamp records another sum than the bundle's manifest, or its size or
    mtime changed. Installed binaries are not hashed again on every run.
  - Entries of O(stamps) replace the recorded ones of the same path; the other recorded
    entries are kept. The file is rewritten (atomically) only when its content changes.
options:
  path:
    description: The stamps file (JSON). Its directory is created (mode 0755) when missing.
    type: path
    required: true
  stamps:
    description: Path on the node of each file brought, and the sha256 the bundle's manifest records for it.
    type: dict
    required: true
attributes:
  check_mode:
    support: full
    details: Reports whether the stamps would change, writes nothing.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Artifacts | stamp the files brought
  aiinfra.k8s.artifact_stamps:
    path: /var/lib/aiinfra/artifacts.json
    stamps:
      /usr/local/sbin/runc: 3ea8c3a1b2f8c09a1d0ef4b0b0b8e0e2f1c4c5a6b7d8e9f0a1b2c3d4e5f6a7b8
"""

RETURN = r"""
stamps:
  description: Every entry of the stamps file after the run (path -> sha256, size, mtime).
  returned: always
  type: dict
  sample: {/usr/local/sbin/runc: {sha256: 3ea8c3a1..., size: 11438080, mtime: 1765072800}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.aiinfra.k8s.plugins.module_utils._stamps import StampError, update


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", required=True), stamps=dict(type="dict", required=True)),
        supports_check_mode=True,
    )
    try:
        changed, after = update(module.params["path"], module.params["stamps"], module.check_mode)
    except StampError as exc:
        module.fail_json(msg=to_native(exc))
    module.exit_json(changed=changed, stamps=after)


if __name__ == "__main__":
    main()
