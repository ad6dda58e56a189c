#!/usr/bin/env bash
# The sandbox bundle: tests/harness/test_bundle.sh's test bundle (Debian 12 binaries served
# through playbooks/bundle.yml) plus Debian 12's haproxy and keepalived packages with their
# dependencies under packages/debian12/keepalived_haproxy/, recorded in the manifest with
# the bundle_manifest module, the way docs/offline-bundle.md tells operators to add OS
# packages, re-signed with the test bundle's key. Writes build/sandbox-bundle/ and
# build/sandbox-bundle.vars.yml (the consumer's variables, trusting that key). Used by sandbox_test.sh (make sandbox-test) and bench.py (make bench).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[[ -x .venv/bin/ansible ]] && export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$ROOT/collections"
tests/harness/test_bundle.sh
# shellcheck source=/dev/null  # the host's os-release
. /etc/os-release
if [[ ${ID:-} != debian || ${VERSION_ID:-} != 12 ]]; then
  echo "sandbox_bundle.sh: needs a Debian 12 host to download the node image's haproxy/keepalived packages" >&2
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
# re-signed with the test bundle's key (the added packages change the manifest)
ansible localhost -c local -m aiinfra.k8s.bundle_manifest \
  -a "{\"path\": \"$ROOT/$bundle\", \"arch\": \"amd64\", \"entries\": $entries,
       \"signing_key\": \"$ROOT/build/test-bundle/keys/signing.pem\"}" >/dev/null
grep -q keepalived_haproxy "$bundle/manifest.json"

vars=build/sandbox-bundle.vars.yml
{
  sed -e "s#^k8s_bundle_dir:.*#k8s_bundle_dir: \"$ROOT/$bundle\"#" build/test-bundle/vars.yml
  cat <<'VARS'
# Debian has no crictl, so the test bundle has none; the node image ships no time
# service and offline mode installs no OS package for one.
containerd_crictl_install: false
swap_sysctl_time_sync: none
# the bundle is signed by the test key: the offline run checks it
k8s_bundle_trusted_keys: ["{{ test_bundle_trusted_key }}"]
VARS
} > "$vars"
echo "sandbox bundle ready: build/sandbox-bundle (vars: build/sandbox-bundle.vars.yml)"
