#!/usr/bin/env bash
# The whole cluster on one machine, in containers: starts node containers, writes an
# inventory for them (.sandbox/inventory) and runs the real site.yml against it.
#
#   sandbox/sandbox.sh up     [TOPOLOGY=ha|small] [BUNDLE=/path/to/bundle] [PHASES=preflight,nodes,lb]
#                             [EXTRA_VARS=/path/to/vars.yml]
#   sandbox/sandbox.sh down
#   sandbox/sandbox.sh e2e    BUNDLE=/path/to/bundle-with-kubernetes [EXTRA_VARS=/path/to/vars.yml]
#
# (make sandbox / make sandbox-down / make sandbox-e2e call these.) Settings come from
# the environment: TOPOLOGY (ha: 3 masters with keepalived+haproxy and a VIP + 1
# worker, the default; small: 1 master + 1 worker), BUNDLE (offline install from a
# bundle built by playbooks/bundle.yml; without it the nodes install online), PHASES
# (comma-separated site.yml phases to run; default: all), EXTRA_VARS (a YAML file of
# extra variables for every playbook run against the sandbox (site.yml, its re-run, the
# e2e checks, reset.yml), e.g. the versions a bundle holds), SANDBOX_CNI (bridge: a per-node
# bridge CNI configuration written into the containers, k8s_cni none, the default;
# calico: the network phase installs Calico, which needs its images). Several sandboxes
# can run side by side with their own SANDBOX_NAME (containers <name>-<host> and network
# <name>; default aiinfra-sbx), SANDBOX_PREFIX (their /24, default 10.231.8) and
# SANDBOX_DIR (inventory, kubeconfig; default .sandbox), e.g. the runner test's
# aiinfra-awx on 10.231.9 in build/sandbox-awx. SPARES="master4 worker2" starts spare node
# containers that only $SANDBOX_DIR/inventory-spares lists (add_nodes.yml tests, docs/day2.md).
# SANDBOX_NO_EGRESS=1 (the default with BUNDLE, and for e2e) puts the nodes on a network with
# no route out and records every attempt to reach outside (DNS lookups of public names,
# packets to non-cluster addresses); up and e2e fail on one, `sandbox.sh egress` lists them.
#
#   sandbox/sandbox.sh egress  the outbound attempts recorded so far (exit 1 on any)
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
SANDBOX_CNI=${SANDBOX_CNI:-bridge}
# e2e: run the first site.yml with -vvv and scan that output for secrets (bootstrap tokens,
# certificate keys, the VRRP password): sandbox/secret_scan.py
SANDBOX_SECRET_SCAN=${SANDBOX_SECRET_SCAN:-}
SANDBOX_NAME=${SANDBOX_NAME:-aiinfra-sbx}
SANDBOX_PREFIX=${SANDBOX_PREFIX:-10.231.8}
SANDBOX_DIR=$(realpath -m "${SANDBOX_DIR:-.sandbox}")
# Spare node containers left out of the inventory (day-2 tests), e.g. SPARES="master4 worker2"
SPARES=${SPARES:-}
# No route out, attempts recorded: on by default for offline runs (BUNDLE), off online.
SANDBOX_NO_EGRESS=${SANDBOX_NO_EGRESS:-$([[ -n $BUNDLE ]] && echo 1 || echo 0)}
# The same sandbox for every sandbox/*.yml playbook
SANDBOX_ARGS=(-e "sandbox_name=$SANDBOX_NAME" -e "sandbox_prefix=$SANDBOX_PREFIX" -e "sandbox_dir=$SANDBOX_DIR")
# -e @EXTRA_VARS for every playbook that runs against the sandbox inventory
VARS_ARGS=()
if [[ -n $EXTRA_VARS ]]; then
  [[ -f $EXTRA_VARS ]] || { echo "sandbox: EXTRA_VARS=$EXTRA_VARS is not a file" >&2; exit 2; }
  VARS_ARGS=(-e "@$(cd "$(dirname "$EXTRA_VARS")" && pwd)/$(basename "$EXTRA_VARS")")
fi
say() { printf '\n=== sandbox: %s\n' "$*"; }

up() {
  tests/harness/docker.sh
  tests/harness/node_image.sh
  local bundle=""
  if [[ -n $BUNDLE ]]; then
    bundle=$(cd "$BUNDLE" && pwd) || { echo "sandbox: BUNDLE=$BUNDLE is not a directory" >&2; exit 2; }
  fi
  say "starting the $TOPOLOGY topology${bundle:+ (offline, bundle $bundle)}"
  local spares
  local spare_names=()
  read -r -a spare_names <<<"$SPARES"
  spares=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${spare_names[@]}")
  ansible-playbook sandbox/up.yml "${SANDBOX_ARGS[@]}" -e "sandbox_topology=$TOPOLOGY" -e "sandbox_bundle=$bundle" \
    -e "sandbox_cni=$SANDBOX_CNI" -e "{\"sandbox_spares\": $spares}" -e "sandbox_no_egress=$SANDBOX_NO_EGRESS"
  local args=("${VARS_ARGS[@]}")
  [[ -n $PHASES ]] && args+=(--tags "$PHASES")
  printf '%s\n' "${args[@]}" > "$SANDBOX_DIR"/site-args
  say "ansible-playbook site.yml -i $SANDBOX_DIR/inventory ${args[*]}"
  local rc=0
  if [[ -n $SANDBOX_SECRET_SCAN ]]; then
    ansible-playbook -vvv site.yml -i "$SANDBOX_DIR"/inventory "${args[@]}" > "$SANDBOX_DIR"/site-vvv.log 2>&1 || rc=$?
    tail -n 40 "$SANDBOX_DIR"/site-vvv.log
  else
    ansible-playbook site.yml -i "$SANDBOX_DIR"/inventory "${args[@]}" || rc=$?
  fi
  say "summary"
  ansible-playbook sandbox/summary.yml "${SANDBOX_ARGS[@]}" -i "$SANDBOX_DIR"/inventory "${VARS_ARGS[@]}" || true
  if [[ $SANDBOX_NO_EGRESS == 1 ]]; then
    egress || rc=1
  fi
  return $rc
}

# The outbound attempts the egress recorders saw (SANDBOX_NO_EGRESS=1); exit 1 on any.
egress() {
  local containers
  mapfile -t containers < <(docker ps --filter "label=aiinfra.sandbox=$SANDBOX_NAME" --format '{{.Names}}' | sort)
  if [[ ${#containers[@]} -eq 0 ]] || ! docker inspect "$SANDBOX_NAME-egress" >/dev/null 2>&1; then
    echo "sandbox: no egress recorder in sandbox $SANDBOX_NAME (start it with SANDBOX_NO_EGRESS=1)" >&2
    return 2
  fi
  say "outbound attempts (egress recorders)"
  tests/harness/egress_guard.sh report "${containers[@]}"
}

down() {
  say "removing the sandbox"
  ansible-playbook sandbox/down.yml "${SANDBOX_ARGS[@]}"
}

e2e() {
  if [[ -z $BUNDLE || ! -f $BUNDLE/manifest.json ]] || ! grep -q '"kubeadm"' "$BUNDLE/manifest.json"; then
    printf '\nSKIPPED: sandbox e2e needs BUNDLE=/path/to/bundle with the Kubernetes binaries and\n'
    printf 'images (build one with playbooks/bundle.yml on a connected machine). Nothing was run.\n'
    exit 77
  fi
  local start=$SECONDS t
  PHASES='' up
  t[0]=$((SECONDS - start))
  if [[ -n $SANDBOX_SECRET_SCAN ]]; then
    say "secrets in the first site.yml's -vvv output ($SANDBOX_DIR/site-vvv.log)"
    local secrets=()
    [[ -f $SANDBOX_DIR/vrrp_pass ]] && secrets=(--secret-file "$SANDBOX_DIR/vrrp_pass")
    python3 sandbox/secret_scan.py "$SANDBOX_DIR"/site-vvv.log --manifest "$BUNDLE/manifest.json" "${secrets[@]}"
  fi
  say "e2e checks"
  ansible-playbook sandbox/e2e.yml "${SANDBOX_ARGS[@]}" -i "$SANDBOX_DIR"/inventory "${VARS_ARGS[@]}"
  say "second site.yml must change nothing"
  local log=$SANDBOX_DIR/site-rerun.log
  start=$SECONDS
  ansible-playbook site.yml -i "$SANDBOX_DIR"/inventory "${VARS_ARGS[@]}" | tee "$log"
  t[1]=$((SECONDS - start))
  if grep -E 'changed=[1-9]' "$log"; then echo "sandbox e2e: the second site.yml changed something" >&2; exit 1; fi
  if ! grep -qE '^PLAY RECAP' "$log"; then echo "sandbox e2e: the second site.yml did not finish" >&2; exit 1; fi
  say "reset.yml tears it down"
  start=$SECONDS
  ansible-playbook playbooks/reset.yml -i "$SANDBOX_DIR"/inventory "${VARS_ARGS[@]}" -e reset_confirm=true
  t[2]=$((SECONDS - start))
  ansible-playbook sandbox/e2e.yml "${SANDBOX_ARGS[@]}" -i "$SANDBOX_DIR"/inventory "${VARS_ARGS[@]}" -e sandbox_expect=reset
  # site.yml, its re-run and reset.yml, offline: nothing may have tried to leave
  egress
  say "e2e passed: up + site.yml ${t[0]} s, no-op site.yml ${t[1]} s, reset.yml ${t[2]} s"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  e2e) e2e ;;
  egress) egress ;;
  *) echo "usage: $0 up|down|e2e|egress" >&2; exit 2 ;;
esac
