#!/usr/bin/env bash
# Build a tiny image archive for the node-layer scenarios, without any registry:
# Debian's busybox-static (apt-get download on the controller) as the whole root
# filesystem, `docker import`ed and `docker save`d as a docker-archive that
# `ctr -n k8s.io images import` reads.
#
#   test_image.sh OUT.tar REF       e.g. test_image.sh /tmp/b/images/x.tar docker.io/aiinfra/busybox:1
#
# Cache: the .deb stays in $TEST_IMAGE_CACHE (default /var/cache/aiinfra-k8s/test-image).
set -euo pipefail
out=$1 ref=$2
cache=${TEST_IMAGE_CACHE:-/var/cache/aiinfra-k8s/test-image}
mkdir -p "$cache" "$(dirname "$out")"
if ! ls "$cache"/busybox-static_*.deb >/dev/null 2>&1; then
  (cd "$cache" && apt-get download busybox-static >/dev/null)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; docker image rm -f "$ref" >/dev/null 2>&1 || true' EXIT
dpkg-deb -x "$(ls "$cache"/busybox-static_*.deb | head -n1)" "$work/deb"
mkdir -p "$work/root/bin" "$work/root/tmp"
cp "$work/deb/bin/busybox" "$work/root/bin/busybox"
for applet in sh echo cat ls sleep hostname id uname; do ln -s busybox "$work/root/bin/$applet"; done
tar -C "$work/root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$ref" >/dev/null
docker save -o "$out" "$ref"
echo "$out"
