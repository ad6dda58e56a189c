#!/usr/bin/env bash
# Build the collection tarball, install it with ansible-galaxy into an empty
# collections path, and syntax-check the pipeline from the INSTALLED copy (not this
# checkout): ansible-playbook aiinfra.k8s.site / aiinfra.k8s.validate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/aiinfra-galaxy.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$ROOT"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/aiinfra-k8s-*.tar.gz)
echo "galaxy: built $(basename "$tarball") ($(du -h "$tarball" | cut -f1))."
# What went in: nothing from the build_ignore list, everything the roles need.
tar -tzf "$tarball" > "$work/contents"
for unwanted in '^collections/' '^playbooks/collections' '^\.venv/' '^molecule/' '^tests/output' '^\.git/'; do
  if grep -qE "$unwanted" "$work/contents"; then
    echo "galaxy: tarball contains files matching $unwanted" >&2; exit 1
  fi
done
for wanted in MANIFEST.json FILES.json meta/runtime.yml playbooks/site.yml roles/common/defaults/main/versions.yml; do
  grep -qx "$wanted" "$work/contents" || { echo "galaxy: $wanted missing from the tarball" >&2; exit 1; }
done
# From here on, nothing may resolve to this checkout: no ansible.cfg (it puts the
# checkout's collections/ symlink first), an empty collections path plus the
# collections of the ansible package for our dependencies.
deps_path=$(python3 -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[-1]))')
printf '[defaults]\n' > "$work/empty.cfg"
export ANSIBLE_CONFIG="$work/empty.cfg"
export ANSIBLE_COLLECTIONS_PATH="$work/collections:$deps_path"
# Install with the dependencies already provided by the ansible package (no Galaxy
# server is reachable here; real users get them from Galaxy via galaxy.yml).
ansible-galaxy collection install --no-deps -p "$work/collections" "$tarball" >/dev/null
installed="$work/collections/ansible_collections/aiinfra/k8s"
test -f "$installed/MANIFEST.json"
cd "$work"
for inv in single ha k3s; do
  cp -r "$ROOT/inventories/$inv" "$work/inv-$inv"
  ansible-playbook aiinfra.k8s.site -i "$work/inv-$inv" --syntax-check >/dev/null
  ansible-playbook aiinfra.k8s.validate -i "$work/inv-$inv" >/dev/null
  echo "galaxy: installed aiinfra.k8s.site syntax-checks and aiinfra.k8s.validate passes for inventories/$inv"
done
resolved=$(ansible-doc -t filter aiinfra.k8s.cluster_problems 2>/dev/null | head -1)
case "$resolved" in
  *"$installed"*) echo "galaxy: plugins resolve to the installed copy" ;;
  *) echo "galaxy: aiinfra.k8s resolved elsewhere: $resolved" >&2; exit 1 ;;
esac
