"""Filter files follow one convention (STYLE.md, community.general's crc32.py): a public
filter is plugins/filter/<name>.py holding exactly one filter, <name>, with DOCUMENTATION,
EXAMPLES and RETURN in the file itself. A leading underscore marks a filter internal to the
roles; its documentation says so. Internal filters may be grouped: plugins/filter/_<group>.py
holds only filters named _<group>_*, each documented in its sidecar
plugins/filter/<filter name>.yml (ansible-core reads DOCUMENTATION, EXAMPLES and RETURN
there for filters of a multi-filter file)."""
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


def filters_of(name):
    module = importlib.import_module("ansible_collections.aiinfra.k8s.plugins.filter." + name)
    return list(module.FilterModule().filters())


def is_group(name):
    """An internal group file: _<group>.py whose filters are all _<group>_*."""
    return name.startswith("_") and filters_of(name) != [name]


SIDECARS = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(FILTERS, "*.yml")))
GROUPED = sorted(f for name in FILES if is_group(name) for f in filters_of(name))


def check_documentation(name, found):
    assert sorted(found) == ["DOCUMENTATION", "EXAMPLES", "RETURN"], "filter %s lacks documentation" % name
    doc = found["DOCUMENTATION"] if isinstance(found["DOCUMENTATION"], dict) else yaml.safe_load(found["DOCUMENTATION"])
    ret = found["RETURN"] if isinstance(found["RETURN"], dict) else yaml.safe_load(found["RETURN"])
    assert doc["name"] == name
    assert "_input" in doc["options"]
    assert "_value" in ret
    assert isinstance(found["EXAMPLES"], str) and yaml.safe_load(found["EXAMPLES"])
    if name.startswith("_"):
        assert doc["short_description"].startswith("Internal:") and "not part of the collection's" in " ".join(doc["description"])
        assert "version_added" not in doc, "an internal filter is no public addition"
    else:
        assert doc["version_added"] and name in found["EXAMPLES"], "public filter %s: version_added and an example using it" % name


@pytest.mark.parametrize("name", FILES)
def test_one_documented_filter_per_file(name):
    if is_group(name):
        names = filters_of(name)
        assert names and all(f.startswith(name + "_") for f in names), \
            "plugins/filter/%s.py groups internal filters: each must be named %s_*, found %s" % (name, name, names)
        assert not docs(name), "plugins/filter/%s.py groups filters: their documentation is in the sidecars" % name
        return
    assert filters_of(name) == [name], "plugins/filter/%s.py must define the filter %s only" % (name, name)
    check_documentation(name, docs(name))
    assert not os.path.exists(os.path.join(FILTERS, name + ".yml")), "documentation belongs in %s.py, not a sidecar" % name


def test_there_are_grouped_internal_filters():
    assert "_day2_prune" in GROUPED and "_day2" in FILES


@pytest.mark.parametrize("name", GROUPED)
def test_grouped_internal_filter_has_its_sidecar(name):
    assert name.startswith("_"), "a public filter (%s) has a file of its own" % name
    path = os.path.join(FILTERS, name + ".yml")
    assert os.path.exists(path), "plugins/filter/%s.yml (the documentation of %s) is missing" % (name, name)
    with open(path) as handle:
        check_documentation(name, yaml.safe_load(handle))


def test_every_sidecar_documents_a_grouped_filter():
    assert sorted(set(SIDECARS) - set(GROUPED)) == [], "sidecars of no grouped filter"
