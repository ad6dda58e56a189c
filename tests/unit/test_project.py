"""Project-wide consistency checks that keep documentation and code in sync.

- every role documents every default in meta/argument_specs.yml (like
  prometheus.prometheus's CI check), each option with a description of its own and the
  role's real default;
- every cluster-wide k8s_* variable (roles/common/defaults/main/) is documented in
  each example inventory's group_vars/all.yml, and no inventory sets a k8s_* name the
  collection does not define;
- playbooks/site.yml imports only phase playbooks that exist.
"""
from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "roles", "*")) if os.path.isdir(p))
INVENTORIES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "inventories", "*"))
                     if os.path.isfile(os.path.join(p, "group_vars", "all.yml")))


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def role_defaults(role):
    base = os.path.join(ROOT, "roles", role, "defaults")
    files = glob.glob(os.path.join(base, "main.yml")) + sorted(glob.glob(os.path.join(base, "main", "*.yml")))
    names = {}
    for path in files:
        for key in load(path):
            names[key] = os.path.relpath(path, ROOT)
    return names


def spec_options(role):
    path = os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")
    if not os.path.exists(path):
        return None
    options = set()
    for entry in (load(path).get("argument_specs") or {}).values():
        options.update((entry or {}).get("options") or {})
    return options


def test_there_are_roles():
    assert "common" in ROLES and "preflight" in ROLES


@pytest.mark.parametrize("role", ROLES)
def test_argument_specs_cover_every_default(role):
    options = spec_options(role)
    assert options is not None, "roles/%s has no meta/argument_specs.yml" % role
    missing = sorted(set(role_defaults(role)) - options)
    assert not missing, "roles/%s: defaults without an argument spec: %s" % (role, ", ".join(missing))


def spec_entries(role):
    """(entry point, option name, option spec) of every option of a role's argument_specs.yml."""
    path = os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")
    for entry, spec in sorted((load(path).get("argument_specs") or {}).items()):
        for name, option in sorted(((spec or {}).get("options") or {}).items()):
            yield entry, name, option or {}


def role_default_values(role):
    base = os.path.join(ROOT, "roles", role, "defaults")
    values = {}
    for path in glob.glob(os.path.join(base, "main.yml")) + sorted(glob.glob(os.path.join(base, "main", "*.yml"))):
        values.update(load(path))
    return values


def description_text(option):
    text = option.get("description") or ""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    return " ".join(str(text).split())


# Every variable name the roles know: an option described by another variable's name is
# described by what it copied, not by what it does.
KNOWN_VARIABLES = set()
for _role in ROLES:
    KNOWN_VARIABLES.update(role_default_values(_role))
    KNOWN_VARIABLES.update(name for dummy, name, dummy_option in spec_entries(_role))


def first_word(text):
    """The first word of a description, without markup (C(x), V(x), O(x), backticks, quotes)."""
    word = re.sub(r"^(?:[A-Z]\(|[`'\"(])+", "", text).split(" ", 1)[0]
    return re.sub(r"[)`'\".,:;=]+$", "", word)


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_descriptions_are_written_for_each_option(role):
    """Each option says what the role does with it: a description of its own (not shared with
    another option of the role), not just a variable name, and not starting with another
    variable's name as if that were its subject (descriptions once generated from comment
    blocks did all three; nfs_csi_share carried the server's description)."""
    problems = []
    owner = {}
    for entry, name, option in spec_entries(role):
        text = description_text(option)
        where = "roles/%s/meta/argument_specs.yml %s.%s" % (role, entry, name)
        if not text:
            problems.append("%s has no description" % where)
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.?", text):
            problems.append("%s is described only by the name %r" % (where, text))
        word = first_word(text)
        if word != name and word in KNOWN_VARIABLES:
            problems.append("%s starts with another variable, %s: %r" % (where, word, text[:80]))
        other = owner.setdefault(text.lower(), name)
        if other != name:
            problems.append("%s has the same description as %s: %r" % (where, other, text[:80]))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_defaults_are_the_role_defaults(role):
    """A default shown in the spec is the role's real default (templated ones included, as
    written); an option whose default is computed or long says so in its description instead."""
    defaults = role_default_values(role)
    wrong = ["%s.%s: spec %r, defaults %r" % (entry, name, option["default"], defaults[name])
             for entry, name, option in spec_entries(role)
             if name in defaults and "default" in option and option["default"] != defaults[name]]
    assert not wrong, "roles/%s/meta/argument_specs.yml defaults differ from defaults/:\n%s" % (role, "\n".join(wrong))


def k8s_defaults():
    return {k for k in role_defaults("common") if k.startswith("k8s_")}


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_inventory_documents_every_cluster_variable(inventory):
    path = os.path.join(ROOT, "inventories", inventory, "group_vars", "all.yml")
    with open(path) as handle:
        text = handle.read()
    documented = set(re.findall(r"^#?\s*(k8s_[a-z0-9_]+):", text, re.M))
    missing = sorted(k8s_defaults() - documented)
    assert not missing, "inventories/%s/group_vars/all.yml does not document: %s" % (inventory, ", ".join(missing))


def inventory_variables(group):
    """Variable names set in a YAML inventory group (vars, hosts' vars, children)."""
    names = set((group or {}).get("vars") or {})
    for host_vars in ((group or {}).get("hosts") or {}).values():
        names.update(host_vars or {})
    for child in ((group or {}).get("children") or {}).values():
        names.update(inventory_variables(child))
    return names


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_inventory_sets_only_known_cluster_variables(inventory):
    known = k8s_defaults() | {"k8s_node_address"}
    base = os.path.join(ROOT, "inventories", inventory)
    used = inventory_variables(load(os.path.join(base, "hosts.yml")).get("all"))
    for path in glob.glob(os.path.join(base, "*_vars", "**", "*.yml"), recursive=True):
        used.update(load(path))
    unknown = sorted(n for n in used if n.startswith("k8s_") and n not in known)
    assert not unknown, "inventories/%s sets unknown variables: %s" % (inventory, ", ".join(unknown))


def test_site_imports_existing_phase_playbooks():
    plays = load(os.path.join(ROOT, "playbooks", "site.yml"))
    imports = [p["ansible.builtin.import_playbook"] for p in plays]
    assert imports[0] == "preflight.yml"
    for name in imports:
        assert os.path.exists(os.path.join(ROOT, "playbooks", name)), name


def phase_plays():
    """(playbook, play) of every phase playbook that site.yml imports."""
    for entry in load(os.path.join(ROOT, "playbooks", "site.yml")):
        name = entry["ansible.builtin.import_playbook"]
        for play in load(os.path.join(ROOT, "playbooks", name)):
            yield name, play


@pytest.mark.parametrize("playbook,play", list(phase_plays()), ids=lambda x: x if isinstance(x, str) else x["name"])
def test_phase_plays_see_the_defaults_and_include_roles_only_when_chosen(playbook, play):
    """A play whose own expressions use a cluster variable loads the common role (defaults
    only) so that an inventory setting nothing but hosts and groups works; a role that runs
    only under a condition is include_role'd, never listed under `roles:` with `when:`
    (ansible-core templates a static role's delegate_to before its condition)."""
    roles = play.get("roles") or []
    assert not [r for r in roles if isinstance(r, dict) and "when" in r], \
        "%s / %s: roles: entries with when: (use include_role with when)" % (playbook, play["name"])
    own = yaml.safe_dump({k: play.get(k) for k in ("pre_tasks", "tasks", "vars", "post_tasks")})
    names = {(r["role"] if isinstance(r, dict) else r) for r in roles}
    if re.search(r"\bk8s_[a-z_]+", own) and play.get("hosts") != "localhost":
        assert "aiinfra.k8s.common" in names or names & {"aiinfra.k8s.preflight"}, \
            "%s / %s uses k8s_* variables but does not load aiinfra.k8s.common" % (playbook, play["name"])


# Derived values live in roles/common/vars/main.yml only (_common_node_addresses,
# _common_node_address, _common_api_endpoint, _common_api_cert_sans, _common_no_proxy): a role or playbook that
# computes one again drifts from the others (0.1.0's k3s NO_PROXY lacked the nodes and
# the VIP). Each pattern is how such a computation starts.
REDERIVED = {
    "node address": re.compile(r"\]\s*\[\s*'k8s_node_address'\s*\]|attribute='k8s_node_address'|"
                               r"'extract',\s*hostvars,\s*'k8s_node_address'|\.k8s_node_address\b|"
                               r"^\s*[^#\n]*\bk8s_node_address\s*\|\s*default|aiinfra\.k8s\.node_addresses\b", re.M),
    "NO_PROXY list": re.compile(r"'\.svc'"),
    "API endpoint or certificate names": re.compile(r"k8s_api_vip\s*~\s*':'|k8s_api_port\s+if\b|"
                                                    r"\bif\s*\(?\s*k8s_api_vip\s*\|\s*length\s*>\s*0\s*\)?\s*else"),
}
DERIVED_HOME = os.path.join("roles", "common", "vars", "main.yml")


def expression_files():
    patterns = ["roles/*/tasks/*.yml", "roles/*/templates/*.j2", "roles/*/vars/*.yml", "roles/*/defaults/**/*.yml",
                "roles/*/handlers/*.yml", "playbooks/*.yml", "sandbox/*.yml", "sandbox/*.j2"]
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            rel = os.path.relpath(path, ROOT)
            if rel != DERIVED_HOME:
                yield rel


def test_derived_values_are_computed_once():
    found = []
    for rel in expression_files():
        with open(os.path.join(ROOT, rel)) as handle:
            text = handle.read()
        for what, pattern in REDERIVED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append("%s:%d re-derives the %s (%r); use the common role's value" % (rel, line, what, match.group(0)))
    assert not found, "\n".join(found)


def test_architecture_role_table_matches_the_tree():
    with open(os.path.join(ROOT, "docs", "architecture.md")) as handle:
        text = handle.read()
    table = text.split("## Roles", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.M)
    assert sorted(listed) == ROLES, "docs/architecture.md ## Roles lists %s, roles/ has %s" % (sorted(listed), ROLES)


def test_offline_images_are_imported_only_by_the_containerd_role():
    """Offline, every image a node runs is imported once by the containerd role
    (import_images.yml with _common_node_images) in the nodes phase and in add_nodes.yml's
    node layer; no add-on role has an images entry point of its own, no playbook or role
    includes one (roles/bundle/tasks/images.yml builds the bundle and stays)."""
    left = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "images.yml"))
                  if not p.startswith(os.path.join(ROOT, "roles", "bundle") + os.sep))
    assert not left, "per-role image imports left: %s" % ", ".join(left)
    for role in ROLES:
        path = os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")
        if role != "bundle" and os.path.exists(path):
            assert "images" not in (load(path).get("argument_specs") or {}), "roles/%s: images entry point" % role
    users = []
    for pattern in ("playbooks/*.yml", "roles/*/tasks/*.yml", "site.yml"):
        for path in glob.glob(os.path.join(ROOT, pattern)):
            with open(path) as handle:
                if re.search(r"tasks_from:\s*images\s*$", handle.read(), re.M):
                    users.append(os.path.relpath(path, ROOT))
    assert not users, "tasks_from: images in %s" % ", ".join(sorted(users))
