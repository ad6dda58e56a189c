#!/bin/sh
# Installs helm and skopeo into the execution environment image (a build step of
# execution-environment.yml; runs in the final stage as root).
#
#   helm    the helm-v*-linux-*.tar.gz next to this script (copied from an offline bundle
#           by `make ee-context BUNDLE=dir`) or, without one, HELM_URL, checked against
#           the HELM_URL.sha256sum file upstream publishes next to each archive.
#   skopeo  a `skopeo` static binary next to this script or at SKOPEO_URL, else the
#           distribution's package through PKGMGR (dnf).
# Both land in BINDIR (default /usr/local/bin).
set -eu
bindir=${BINDIR:-/usr/local/bin}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "install-tools: $*" >&2; exit 1; }

fetch() { # url dest
  curl -fsSL --retry 3 -o "$2" "$1" || fail "cannot download $1 (set the build arg to a mirror, or use make ee-context BUNDLE=dir)"
}

archive=""
for f in "$here"/helm-v*-linux-*.tar.gz; do
  if [ -f "$f" ]; then archive=$f; fi
done
if [ -z "$archive" ]; then
  archive="$work/helm.tar.gz"
  fetch "$HELM_URL" "$archive"
  fetch "$HELM_URL.sha256sum" "$work/helm.sha256sum"
  expected=$(cut -d ' ' -f 1 "$work/helm.sha256sum")
  actual=$(sha256sum "$archive" | cut -d ' ' -f 1)
  [ "$expected" = "$actual" ] || fail "$HELM_URL: sha256 $actual, expected $expected"
fi
tar -xzf "$archive" -C "$work" --wildcards '*/helm'
install -m 0755 "$work"/*/helm "$bindir/helm"
"$bindir/helm" version --short

if [ -f "$here/skopeo" ]; then
  install -m 0755 "$here/skopeo" "$bindir/skopeo"
elif [ -n "${SKOPEO_URL:-}" ]; then
  fetch "$SKOPEO_URL" "$work/skopeo"
  install -m 0755 "$work/skopeo" "$bindir/skopeo"
else
  "$PKGMGR" install -y skopeo && "$PKGMGR" clean all
  bindir=$(dirname "$(command -v skopeo)")
fi
"$bindir/skopeo" --version
