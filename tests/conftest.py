"""Shared pytest setup: make this checkout importable as ansible_collections.aiinfra.k8s.

`collections/ansible_collections/aiinfra/k8s` is a symlink to the repository root, so
putting `collections/` first on sys.path lets tests import plugins exactly the way
Ansible does (ansible_collections.aiinfra.k8s.plugins...).
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
