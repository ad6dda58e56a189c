#!/usr/bin/env bash
# The whole cluster on one machine, in containers: starts node containers, writes an
# inventory for them (.sandbox/inventory) and runs the real site.yml against it.
#
#   sandbox/sandbox.sh up     [TOPOLOGY=ha|small] [BUNDLE=/path/to/bundle] [PHASES=preflight,nodes,lb]
#                             [EXTRA_VARS=/path/to/vars.yml]
#   sandbox/sandbox.sh down
#   sandbox/sandbox.sh e2e    BUNDLE=/path/to/bundle-with-kubernetes
#
# (make sandbox / make sandbox-down / make sandbox-e2e call these.) Settings come from
# the environment: TOPOLOGY (ha: 3 masters with keepalived+haproxy and a VIP + 1
# worker, the default; small: 1 master + 1 worker), BUNDLE (offline install from a
# bundle built by playbooks/bundle.yml; without it the nodes install online), PHASES
# (comma-separated site.yml phases to run; default: all), EXTRA_VARS (a YAML file of
# extra variables for site.yml, e.g. the versions a test bundle holds).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -x .venv/bin/ansible-playbook ]] && export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/collections"
# Facts of earlier sandboxes must not leak into a new one.
export ANSIBLE_CACHE_PLUGIN=memory
TOPOLOGY=${TOPOLOGY:-ha}
BUNDLE=${BUNDLE:-}
PHASES=${PHASES:-}
EXTRA_VARS=${EXTRA_VARS:-}
say() { printf '\n=== sandbox: %s\n' "$*"; }

up() {
  tests/harness/docker.sh
  tests/harness/node_image.sh
  local bundle=""
  if [[ -n $BUNDLE ]]; then
    bundle=$(cd "$BUNDLE" && pwd) || { echo "sandbox: BUNDLE=$BUNDLE is not a directory" >&2; exit 2; }
  fi
  say "starting the $TOPOLOGY topology${bundle:+ (offline, bundle $bundle)}"
  ansible-playbook sandbox/up.yml -e "sandbox_topology=$TOPOLOGY" -e "sandbox_bundle=$bundle"
  local args=()
  [[ -n $PHASES ]] && args+=(--tags "$PHASES")
  [[ -n $EXTRA_VARS ]] && args+=(-e "@$EXTRA_VARS")
  printf '%s\n' "${args[@]}" > .sandbox/site-args
  say "ansible-playbook site.yml -i .sandbox/inventory ${args[*]}"
  local rc=0
  ansible-playbook site.yml -i .sandbox/inventory "${args[@]}" || rc=$?
  say "summary"
  ansible-playbook sandbox/summary.yml -i .sandbox/inventory || true
  return $rc
}

down() {
  say "removing the sandbox"
  ansible-playbook sandbox/down.yml
}

e2e() {
  if [[ -z $BUNDLE || ! -f $BUNDLE/manifest.json ]] || ! grep -q '"kubeadm"' "$BUNDLE/manifest.json"; then
    printf '\nSKIPPED: sandbox e2e needs BUNDLE=/path/to/bundle with the Kubernetes binaries and\n'
    printf 'images (build one with playbooks/bundle.yml on a connected machine). Nothing was run.\n'
    exit 77
  fi
  PHASES='' up
  say "e2e checks"
  ansible-playbook sandbox/e2e.yml -i .sandbox/inventory
  say "second site.yml must change nothing"
  local log=.sandbox/site-rerun.log
  ansible-playbook site.yml -i .sandbox/inventory | tee "$log"
  if grep -E 'changed=[1-9]' "$log"; then echo "sandbox e2e: the second site.yml changed something" >&2; exit 1; fi
  say "reset.yml tears it down"
  ansible-playbook playbooks/reset.yml -i .sandbox/inventory -e reset_confirm=true
  ansible-playbook sandbox/e2e.yml -i .sandbox/inventory -e sandbox_expect=reset
  say "e2e passed"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  e2e) e2e ;;
  *) echo "usage: $0 up|down|e2e" >&2; exit 2 ;;
esac
