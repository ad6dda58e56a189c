"""make runner-test: the playbooks run the way AWX runs them, through ansible-runner.

Each run gets a private data directory laid out as AWX lays it out for a job:

  project/         a copy of the checkout (what project sync gives the job; symlinks kept, no .git)
  inventory/hosts  an inventory script printing what AWX imported: `ansible-inventory --list --export`
                   of the inventory directory (group_vars included), secrets taken out of it
  env/extravars    the job's extra variables, with the VRRP password a custom credential injects
  env/passwords    the answer to the vault password prompt (a Vault credential)
  env/cmdline      --tags / --ask-vault-pass, as a job template's fields become
  env/envvars      AWX's collection path: the project's ansible.cfg value after AWX's own entries

ansible-runner starts ansible-playbook with cwd project/ (so the project's ansible.cfg
applies) and the awx_display callback, and writes the job events AWX stores. The tests
assert on the runner's status and rc and on the events: a play-start event for every
play and a task-start event for every task that `ansible-playbook --list-tasks` shows for
the hosts that match, no failed or unreachable event, and no event, stdout or artifact
holding a secret.

  - playbooks/validate.yml against inventories/single, ha and k3s, the VRRP password
    vault-encrypted in the inventory (the Vault credential path);
  - site.yml --tags preflight,nodes,lb against a sandbox (sandbox/up.yml: ha topology,
    offline from the sandbox bundle that `make sandbox-test` assembles), the VRRP password
    as an extra variable (the custom credential type of awx/credentials.yml). The sandbox
    has its own name, network and directory (aiinfra-awx, 10.231.9.0/24, build/sandbox-awx)
    so that it can run next to `make sandbox`, and is removed at the end.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import string
import subprocess
import sys

import ansible_runner
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
SANDBOX = {"sandbox_name": "aiinfra-awx", "sandbox_prefix": "10.231.9", "sandbox_dir": os.path.join(ROOT, "build", "sandbox-awx")}
BUNDLE_VARS = os.path.join(ROOT, "build", "sandbox-bundle.vars.yml")
VRRP = "keepalived_haproxy_auth_pass"


@pytest.fixture(autouse=True)
def awx_like_environment(monkeypatch):
    """The job sees the project's ansible.cfg, not this checkout's make settings."""
    for name in list(os.environ):
        if name.startswith("ANSIBLE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", BIN + os.pathsep + os.environ["PATH"])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project as AWX's project sync leaves it: the repository's files, no .git."""
    dest = tmp_path_factory.mktemp("project") / "project"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\0")
    for rel in filter(None, files):
        src, dst = os.path.join(ROOT, rel), dest / rel
        if os.path.lexists(src):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)
    return dest


def exported(inventory):
    """What AWX imports from an SCM inventory source (ansible-inventory --list --export)."""
    out = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", inventory, "--list", "--export"], cwd=ROOT,
                         check=True, capture_output=True, text=True, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))).stdout
    return json.loads(out)


def private_data_dir(base, project, inventory, extravars, cmdline="", passwords=None):
    pdd = base / "pdd"
    (pdd / "inventory").mkdir(parents=True)
    (pdd / "env").mkdir()
    (pdd / "project").symlink_to(project)
    script = pdd / "inventory" / "hosts"
    script.write_text("#!/bin/sh\ncat <<'INVENTORY'\n%s\nINVENTORY\n" % json.dumps(inventory, indent=1))
    script.chmod(0o700)
    (pdd / "env" / "extravars").write_text(json.dumps(extravars))
    (pdd / "env" / "passwords").write_text(json.dumps(passwords or {}))
    (pdd / "env" / "cmdline").write_text(cmdline)
    # AWX puts the project sync's collections first, then the project's ansible.cfg value.
    (pdd / "env" / "envvars").write_text(json.dumps({
        "ANSIBLE_COLLECTIONS_PATH": "%s/requirements_collections:./collections:~/.ansible/collections:/usr/share/ansible/collections" % pdd,
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "ANSIBLE_RETRY_FILES_ENABLED": "False"}))
    return pdd


def run(pdd, playbook):
    return ansible_runner.run(private_data_dir=str(pdd), playbook=playbook, quiet=True, timeout=1500)


def expected_plays_and_tasks(pdd, playbook, list_args):
    """Plays, and the tasks of the plays that match hosts, as --list-tasks --list-hosts shows them."""
    out = subprocess.run([os.path.join(BIN, "ansible-playbook"), playbook, "-i", str(pdd / "inventory"),
                          "-e", "@%s" % (pdd / "env" / "extravars"), "--list-hosts", "--list-tasks"] + list_args,
                         cwd=str(pdd / "project"), check=True, capture_output=True, text=True,
                         env=dict(os.environ, **json.loads((pdd / "env" / "envvars").read_text()))).stdout
    plays, tasks = [], []
    for block in re.split(r"\n  play #\d+ ", out)[1:]:
        plays.append(re.match(r"\([^)]*\): (.*?)\tTAGS", block).group(1))
        if not re.search(r"hosts \(0\):", block):
            tasks += [t.split("\t")[0].strip() for t in block.split("    tasks:\n", 1)[-1].splitlines() if "\tTAGS:" in t]
    return plays, tasks


def task_name(listed):
    """--list-tasks shows "<role FQCN> : <task>" with the name's templates unrendered; an
    event has "<task>" (the role apart), rendered."""
    parts = re.split(r"\{\{.*?\}\}", listed.split(" : ", 1)[-1])
    return re.compile(".+".join(map(re.escape, parts)))


def check_job(result, pdd, playbook, secret_values, list_args):
    """Status, rc and the event stream of a finished job, the way AWX would show it.

    list_args: the ansible-playbook options that select the same plays and tasks
    (--tags, a vault password file) for the --list-tasks oracle."""
    events = list(result.events)
    failed = [e for e in events if e["event"] in ("runner_on_failed", "runner_on_unreachable")
              and not e["event_data"].get("ignore_errors")]
    assert (result.status, result.rc) == ("successful", 0), result.stdout.read()[-6000:]
    assert not failed, [(e["event_data"].get("host"), e["event_data"].get("task")) for e in failed]
    plays = [e["event_data"]["play"] for e in events if e["event"] == "playbook_on_play_start"]
    started = {e["event_data"]["task"] for e in events if e["event"] == "playbook_on_task_start"}
    want_plays, want_tasks = expected_plays_and_tasks(pdd, playbook, list_args)
    assert plays == want_plays
    missing = [t for t in want_tasks if not any(task_name(t).fullmatch(s) for s in started)]
    assert not missing, "no task-start event for: %s" % missing
    (stats,) = [e["event_data"] for e in events if e["event"] == "playbook_on_stats"]
    assert not stats["failures"] and not stats["dark"]
    # No secret in any event, nor in any file of the job's artifacts (stdout, events, facts).
    leaks = [(e["event"], e["event_data"].get("task")) for e in events for s in secret_values if s in json.dumps(e)]
    assert not leaks, "events hold a secret: %s" % leaks
    for top, _dirs, names in os.walk(pdd / "artifacts"):
        for name in names:
            with open(os.path.join(top, name), errors="replace") as f:
                text = f.read()
            assert not any(s in text for s in secret_values), "artifact %s holds a secret" % name
    return stats


def vault(password, value):
    return VaultLib([("default", VaultSecret(password.encode()))]).encrypt(value).decode()


@pytest.mark.parametrize("name", ["single", "ha", "k3s"])
def test_validate_through_runner(name, project, tmp_path):
    vault_pass, vrrp = secrets.token_hex(12), "".join(map(secrets.choice, [string.ascii_letters + string.digits] * 8))
    inventory = exported("inventories/%s" % name)
    # The VRRP password vaulted in the inventory, as AWX stores an imported !vault value.
    if VRRP in inventory.get("lb", {}).get("vars", {}):
        inventory["lb"]["vars"][VRRP] = {"__ansible_vault": vault(vault_pass, vrrp)}
    pdd = private_data_dir(tmp_path, project, inventory, {}, "--ask-vault-pass", {r"^Vault password:\s*?$": vault_pass})
    result = run(pdd, "playbooks/validate.yml")
    vault_file = tmp_path / "vault-pass"
    vault_file.write_text(vault_pass)
    stats = check_job(result, pdd, "playbooks/validate.yml", [vault_pass, vrrp], ["--vault-password-file", str(vault_file)])
    assert list(stats["ok"]) == ["localhost"]  # contacts no host


def remove_sandbox():
    """This sandbox's containers (with their volumes), network and directory, and no others'.

    Done here rather than with sandbox/down.yml, so that no other sandbox on this
    machine (make sandbox, make sandbox-test) can be touched, whatever down.yml selects."""
    name = SANDBOX["sandbox_name"]
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", "label=owner=aiinfra-sandbox", "--filter", "name=^%s-" % name],
                         capture_output=True, text=True, check=True).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", "-v"] + ids, capture_output=True, check=True)
    if subprocess.run(["docker", "network", "inspect", name], capture_output=True, check=False).returncode == 0:
        subprocess.run(["docker", "network", "rm", name], capture_output=True, check=True)
    shutil.rmtree(SANDBOX["sandbox_dir"], ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox():
    """The ha topology (3 masters, VIP on the first two, 1 worker), offline from the sandbox bundle."""
    manifest = os.path.join(ROOT, "build", "sandbox-bundle", "manifest.json")
    if not (os.path.isfile(BUNDLE_VARS) and os.path.isfile(manifest) and "keepalived_haproxy" in open(manifest).read()):
        pytest.fail("no sandbox bundle: run `make sandbox-test` first (it assembles build/sandbox-bundle and %s)" % BUNDLE_VARS)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"))
    args = [a for k, v in SANDBOX.items() for a in ("-e", "%s=%s" % (k, v))]
    remove_sandbox()
    try:
        subprocess.run([os.path.join(BIN, "ansible-playbook"), "sandbox/up.yml", "-e", "sandbox_topology=ha",
                        "-e", "sandbox_bundle=%s" % os.path.join(ROOT, "build", "sandbox-bundle")] + args,
                       cwd=ROOT, env=env, check=True)
        yield os.path.join(SANDBOX["sandbox_dir"], "inventory")
    finally:
        remove_sandbox()


def test_site_preflight_nodes_lb_through_runner(sandbox, project, tmp_path):
    inventory = exported(sandbox)
    vrrp = str(inventory["all"]["vars"].pop(VRRP))  # the custom credential carries it instead
    assert 1 <= len(vrrp) <= 8
    with open(BUNDLE_VARS) as f:
        extravars = dict(yaml.safe_load(f), **{VRRP: vrrp})
    pdd = private_data_dir(tmp_path, project, inventory, extravars, "--tags preflight,nodes,lb")
    result = run(pdd, "site.yml")
    stats = check_job(result, pdd, "site.yml", [vrrp], ["--tags", "preflight,nodes,lb"])
    assert set(stats["ok"]) >= {"master1", "master2", "master3", "worker1"}
    # keepalived on the lb hosts uses the password the credential injected.
    conf = subprocess.run(["docker", "exec", "%s-master1" % SANDBOX["sandbox_name"], "cat", "/etc/keepalived/keepalived.conf"],
                          capture_output=True, text=True, check=True).stdout
    assert "auth_pass %s" % vrrp in conf
