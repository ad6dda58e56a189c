#!/usr/bin/env bash
# make sandbox-test: the sandbox (make sandbox) comes up offline from the test bundle,
# everything before the cluster phase converges in it (preflight, nodes, lb), a second
# run changes nothing, the VIP is held by exactly one lb node and answers on the API
# port's haproxy frontend, containerd runs everywhere, no node tried to reach outside
# (SANDBOX_NO_EGRESS, on with BUNDLE: internal network, outbound attempts recorded), the
# signed bundle was verified against its key, and `make sandbox-down` removes every
# container, volume and network it made.
#
# The bundle is tests/harness/test_bundle.sh's (Debian 12 binaries served through
# playbooks/bundle.yml) plus Debian 12's haproxy and keepalived packages with their
# dependencies under packages/debian12/keepalived_haproxy/, recorded in the manifest
# with the bundle_manifest module, the way docs/offline-bundle.md tells operators to
# add OS packages. Kubernetes binaries cannot be downloaded here, so the cluster phase
# is not run (make sandbox-e2e does that when given a full bundle).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[[ -x .venv/bin/ansible ]] && export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/collections" ANSIBLE_CACHE_PLUGIN=memory
TOPOLOGY=${TOPOLOGY:-ha}
say() { printf '\n=== sandbox-test: %s\n' "$*"; }
start=$SECONDS

tests/harness/docker.sh
tests/harness/node_image.sh

say "assembling the sandbox bundle (test bundle + Debian 12 haproxy/keepalived packages)"
tests/harness/sandbox_bundle.sh
bundle=build/sandbox-bundle
vars=build/sandbox-bundle.vars.yml

cleanup() { sandbox/sandbox.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
say "make sandbox TOPOLOGY=$TOPOLOGY BUNDLE=$bundle PHASES=preflight,nodes,lb"
TOPOLOGY=$TOPOLOGY BUNDLE=$bundle PHASES=preflight,nodes,lb EXTRA_VARS=$vars sandbox/sandbox.sh up

say "second run: nothing may change"
log=.sandbox/rerun.log
ansible-playbook site.yml -i .sandbox/inventory --tags preflight,nodes,lb -e "@$vars" | tee "$log" | tail -n 25
if grep -E '^[a-z0-9]+ +: ok=[0-9]+ +changed=[1-9]' "$log"; then
  echo "sandbox-test: the second run changed something (above)" >&2
  exit 1
fi
grep -qE '^master1 +: ok=' "$log"

say "checks"
ansible-playbook tests/harness/sandbox_checks.yml -i .sandbox/inventory -e "@$vars"

say "nothing tried to leave (the offline sandbox has no route out, every attempt is recorded)"
sandbox/sandbox.sh egress

say "make sandbox-down"
trap - EXIT
sandbox/sandbox.sh down
left=$(docker ps -aq --filter label=aiinfra.sandbox=aiinfra-sbx | wc -l)
nets=$(docker network ls -q --filter name=aiinfra-sbx | wc -l)
if [[ $left -ne 0 || $nets -ne 0 || -d .sandbox ]]; then
  echo "sandbox-test: sandbox-down left $left containers, $nets networks$([[ -d .sandbox ]] && echo ', .sandbox/')" >&2
  exit 1
fi
say "passed in $((SECONDS - start)) s"
