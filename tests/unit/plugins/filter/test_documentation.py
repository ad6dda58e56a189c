"""Filter files follow one convention (STYLE.md, community.general's crc32.py): each
plugins/filter/<name>.py holds exactly one filter, <name>, with DOCUMENTATION, EXAMPLES and
RETURN in the file itself. A leading underscore marks a filter internal to the roles; its
documentation says so."""
from __future__ import annotations

import ast
import glob
import importlib
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
FILTERS = os.path.join(ROOT, "plugins", "filter")
FILES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(FILTERS, "*.py"))
               if os.path.basename(p) != "__init__.py")


def docs(name):
    with open(os.path.join(FILTERS, name + ".py")) as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                found[node.targets[0].id] = node.value.value
    return found


def test_there_are_filters():
    assert "cluster_problems" in FILES and "_cluster_plan" in FILES


@pytest.mark.parametrize("name", FILES)
def test_one_documented_filter_per_file(name):
    module = importlib.import_module("ansible_collections.aiinfra.k8s.plugins.filter." + name)
    assert list(module.FilterModule().filters()) == [name], "plugins/filter/%s.py must define the filter %s only" % (name, name)
    found = docs(name)
    assert sorted(found) == ["DOCUMENTATION", "EXAMPLES", "RETURN"], "plugins/filter/%s.py lacks documentation" % name
    doc = yaml.safe_load(found["DOCUMENTATION"])
    assert doc["name"] == name
    assert "_input" in doc["options"]
    assert "_value" in yaml.safe_load(found["RETURN"])
    assert not os.path.exists(os.path.join(FILTERS, name + ".yml")), "documentation belongs in %s.py, not a sidecar" % name
    if name.startswith("_"):
        assert doc["short_description"].startswith("Internal:") and "not part of the collection's" in " ".join(doc["description"])
        assert "version_added" not in doc, "an internal filter is no public addition"
    else:
        assert doc["version_added"] and name in found["EXAMPLES"], "public filter %s: version_added and an example using it" % name
