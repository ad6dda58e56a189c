#!/usr/bin/env bash
# make sandbox-test: the sandbox (make sandbox) comes up offline from the test bundle,
# everything before the cluster phase converges in it (preflight, nodes, lb), a second
# run changes nothing, the VIP is held by exactly one lb node and answers on the API
# port's haproxy frontend, containerd runs everywhere, and `make sandbox-down` removes
# every container, volume and network it made.
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
tests/harness/test_bundle.sh

say "assembling the sandbox bundle (test bundle + Debian 12 haproxy/keepalived packages)"
. /etc/os-release
if [[ ${ID:-} != debian || ${VERSION_ID:-} != 12 ]]; then
  echo "sandbox-test: needs a Debian 12 host to download the node image's haproxy/keepalived packages" >&2
  exit 2
fi
cache=build/cache/debian12-keepalived-haproxy
if [[ ! -f $cache/.complete ]]; then
  rm -rf "$cache" && mkdir -p "$cache"
  apt-cache show haproxy >/dev/null 2>&1 || apt-get update -qq
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
         --no-replaces --no-enhances haproxy keepalived | grep '^\w' | sort -u)
  # shellcheck disable=SC2086  # one argument per package name
  (cd "$cache" && apt-get download -qq $pkgs)
  touch "$cache/.complete"
fi
bundle=build/sandbox-bundle
rm -rf "$bundle" && cp -al build/test-bundle/bundle "$bundle"
rm -f "$bundle/manifest.json" && cp build/test-bundle/bundle/manifest.json "$bundle/manifest.json"
mkdir -p "$bundle/packages/debian12/keepalived_haproxy"
cp -l "$cache"/*.deb "$bundle/packages/debian12/keepalived_haproxy/"
entries=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(json.dumps([dict(path=p, **{k: v for k, v in e.items() if k not in ("sha256", "size")})
                  for p, e in m["files"].items() if e.get("kind") != "local"]))' "$bundle/manifest.json")
ansible localhost -c local -m aiinfra.k8s.bundle_manifest \
  -a "{\"path\": \"$ROOT/$bundle\", \"arch\": \"amd64\", \"entries\": $entries}" >/dev/null
grep -q keepalived_haproxy "$bundle/manifest.json"

vars=build/sandbox-bundle.vars.yml
{
  sed -e "s#^k8s_bundle_dir:.*#k8s_bundle_dir: \"$ROOT/$bundle\"#" build/test-bundle/vars.yml
  cat <<'VARS'
# Debian has no crictl, so the test bundle has none; the node image ships no time
# service and offline mode installs no OS package for one.
containerd_crictl_install: false
swap_sysctl_time_sync: none
VARS
} > "$vars"

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
