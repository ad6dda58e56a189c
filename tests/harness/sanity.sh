#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection placed at
# <tmp>/ansible_collections/aiinfra/k8s (what ansible-test requires), every test,
# no ignore file. Offline-safe: ansible-test's pip bootstrap download is replaced by a
# cached stand-in built on the standard library's ensurepip.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON_VERSION:-3.11}
command -v ansible-test >/dev/null || { echo "ansible-test not found: run 'make deps-test' first" >&2; exit 2; }
command -v shellcheck >/dev/null || {
  echo "sanity: installing shellcheck (Debian package) for the shellcheck sanity test"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
}

# ansible-test bootstraps pip in each test virtualenv with get-pip.py from
# ci-files.testing.ansible.com (unreachable here); it uses a cached copy first.
pip_version=$(python3 - "$PY" <<'PYEOF'
import sys
from ansible_test._internal import python_requirements as r
print(r.get_venv_packages(type("Python", (), {"version": sys.argv[1]})())["pip"])
PYEOF
) || pip_version=""
pip_version=${pip_version:-24.2}
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cat > "$cache" <<'PYEOF'
"""Stand-in for get-pip.py (written by aiinfra.k8s tests/harness/sanity.sh).

Installs the standard library's bundled pip with ensurepip, then pip-installs the
requested packages. ensurepip sets PIP_CONFIG_FILE=/dev/null, which would hide this
machine's pip configuration (certificates, index), so it is removed first."""
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
os.environ.pop("PIP_CONFIG_FILE", None)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
PYEOF

work=$(mktemp -d /tmp/aiinfra-sanity.XXXXXX)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/aiinfra/k8s"
mkdir -p "$dest"
# Tracked files plus new ones git does not ignore; never the self-referencing
# collections/ symlinks or test outputs.
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
   | grep -zvE '^(collections/ansible_collections|playbooks/collections|tests/output|molecule/)' \
   | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
   | tar --null -T - -cf -) | tar -C "$dest" -xf -
cd "$dest"
echo "sanity: ansible-test sanity --local --python $PY in $dest"
ansible-test sanity --local --python "$PY" --color no "$@"
