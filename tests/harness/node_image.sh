#!/usr/bin/env bash
# Build the Molecule node images from Debian packages: debootstrap (variant minbase)
# + `docker import`. No container registry is needed.
#
#   tests/harness/node_image.sh                 # every image below
#   tests/harness/node_image.sh debian13        # only some
#   NODE_IMAGE_REBUILD=1 tests/harness/node_image.sh   # ignore the cache
#
# Images: aiinfra-k8s/node:debian12 (bookworm), aiinfra-k8s/node:debian13 (trixie).
# They boot systemd under the container settings of .config/molecule/config.yml.
# Cache: each image carries the label aiinfra.recipe = sha256 of this script + suite +
# mirror; an image whose label matches is kept, anything else is rebuilt. Downloaded
# .debs are kept in $NODE_IMAGE_CACHE, so a rebuild after a recipe change is quick.
#
# Packages: what the roles need to *run* on a node (systemd as PID 1, Python for
# Ansible, apt bindings for ansible.builtin.apt, ip/ss, modprobe, curl, tar/xz for
# archives, tzdata for the timezone module) and the network tools a minimal server
# install has and Kubernetes nodes use (iptables, conntrack, socat, ethtool, ebtables),
# not what the roles install themselves.
set -euo pipefail

REPO=aiinfra-k8s/node
MIRROR=${NODE_IMAGE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${NODE_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${NODE_IMAGE_CACHE:-/var/cache/aiinfra-k8s/debootstrap}
WORKDIR=${NODE_IMAGE_WORKDIR:-/var/tmp}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PACKAGES=(
  systemd systemd-sysv dbus
  python3 python3-apt sudo
  iproute2 iputils-ping procps kmod
  ca-certificates curl xz-utils tzdata
  iptables conntrack socat ethtool ebtables
)
# Units that make no sense in a container or run apt behind Ansible's back.
MASK_UNITS=(
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
  e2scrub_reap.service fstrim.timer getty@tty1.service console-getty.service
  systemd-firstboot.service sys-kernel-config.mount sys-kernel-debug.mount
  sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount
)
declare -A SUITES=([debian12]=bookworm [debian13]=trixie)

log() { printf 'node_image.sh: %s\n' "$*" >&2; }

[[ $(id -u) -eq 0 ]] || { log "debootstrap needs root"; exit 1; }
docker info >/dev/null 2>&1 || { log "no Docker engine answers: run tests/harness/docker.sh first"; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1 || [[ ! -s $KEYRING ]]; then
  log "installing debootstrap and debian-archive-keyring"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring >/dev/null
fi

recipe() { # suite -> hash of everything that shapes the image
  { cat "${BASH_SOURCE[0]}"; printf '%s\n' "$1" "$MIRROR" "$SECURITY_MIRROR"; } | sha256sum | cut -c1-16
}

current_recipe() { # tag -> label of the existing image, or empty
  docker image inspect -f '{{ index .Config.Labels "aiinfra.recipe" }}' "$REPO:$1" 2>/dev/null || true
}

BUILD_ROOT=""
# shellcheck disable=SC2317  # invoked from the EXIT trap only
cleanup_root() { # unmount whatever a failed debootstrap left mounted, then delete
  local m
  [[ -n $BUILD_ROOT && -d $BUILD_ROOT ]] || return 0
  while read -r m; do
    if [[ -n $m ]]; then umount -l "$m" 2>/dev/null || true; fi
  done < <(awk -v r="$BUILD_ROOT" '$2 ~ "^"r"/" {print $2}' /proc/mounts | sort -r)
  rm -rf --one-file-system "$BUILD_ROOT"
  rm -f "$BUILD_ROOT.log"
}

configure_root() { # root suite: make a debootstrapped tree a lean container rootfs
  local root=$1 suite=$2 unit
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $suite main
deb $MIRROR $suite-updates main
deb $SECURITY_MIRROR $suite-security main
EOF
  # Keep later package installs lean too (a role installing containerd, haproxy...).
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-aiinfra-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  # Every container gets its own machine-id at first boot.
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
  for unit in "${MASK_UNITS[@]}"; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
  # No policy-rc.d: services start on install as on a real host.
  rm -f "$root/usr/sbin/policy-rc.d"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/cache/debconf/*-old "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/debootstrap
}

build() { # tag
  local tag=$1 suite=${SUITES[$1]} hash root start
  hash=$(recipe "$suite")
  if [[ ${NODE_IMAGE_REBUILD:-0} != 1 && $(current_recipe "$tag") == "$hash" ]]; then
    log "$REPO:$tag is up to date (recipe $hash)"
    return 0
  fi
  start=$SECONDS
  root=$(mktemp -d "$WORKDIR/aiinfra-node-$tag.XXXXXX")
  # build runs in its own background subshell: clean this tree whenever it ends.
  BUILD_ROOT=$root
  trap cleanup_root EXIT
  mkdir -p "$CACHE/$suite"
  log "debootstrap $suite into $root"
  if ! debootstrap --variant=minbase --components=main --keyring="$KEYRING" \
      --cache-dir="$CACHE/$suite" --include="$(IFS=,; echo "${PACKAGES[*]}")" \
      "$suite" "$root" "$MIRROR" >"$root.log" 2>&1; then
    log "debootstrap $suite failed; last lines of $root.log and debootstrap.log:"
    tail -n 20 "$root.log" >&2 || true
    tail -n 20 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
    return 1
  fi
  configure_root "$root" "$suite"
  log "importing $REPO:$tag"
  tar --numeric-owner --xattrs -C "$root" \
      --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -c . \
    | docker import \
        --change "LABEL aiinfra.recipe=$hash" \
        --change "LABEL org.opencontainers.image.description=\"aiinfra.k8s Molecule node ($suite, systemd)\"" \
        --change 'ENV container=docker' \
        --change 'CMD ["/lib/systemd/systemd"]' \
        - "$REPO:$tag" >/dev/null
  log "built $REPO:$tag in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$REPO:$tag" | awk '{printf "%d MB", $1/1e6}'))"
}

tags=("$@")
[[ ${#tags[@]} -gt 0 ]] || tags=(debian12 debian13)
for tag in "${tags[@]}"; do
  [[ -n ${SUITES[$tag]:-} ]] || { log "unknown image '$tag' (known: ${!SUITES[*]})"; exit 2; }
done

# One builder at a time on this machine (several helpers/CI jobs may call this).
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

# Build in parallel (download and dpkg of the two suites overlap well), report each.
declare -A pids=()
for tag in "${tags[@]}"; do
  build "$tag" &
  pids[$tag]=$!
done
rc=0
for tag in "${tags[@]}"; do
  wait "${pids[$tag]}" || { log "FAILED: $REPO:$tag"; rc=1; }
done
exit "$rc"
