#!/usr/bin/env bash
# Run Molecule scenarios with the shared base config (.config/molecule/config.yml).
#
#   tests/harness/molecule.sh                 # every molecule/<name>/molecule.yml, sorted
#   tests/harness/molecule.sh preflight nodes # only these
#   MOLECULE_CMD=converge tests/harness/molecule.sh preflight   # another subcommand
#
# Makes sure the harness is ready first (Docker engine + node images), runs every
# scenario even when one fails, prints the wall time of each, and exits non-zero if
# any failed. Logs: tests/output/molecule/<scenario>.log.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
HARNESS="$ROOT/tests/harness"
LOGDIR="$ROOT/tests/output/molecule"
CMD=${MOLECULE_CMD:-test}

log() { printf 'molecule.sh: %s\n' "$*" >&2; }

if [[ -x $ROOT/.venv/bin/molecule ]]; then
  export PATH="$ROOT/.venv/bin:$PATH"
fi
command -v molecule >/dev/null 2>&1 || { log "molecule not found: run 'make deps-test' first"; exit 2; }

"$HARNESS/docker.sh" || { log "no Docker engine"; exit 2; }
"$HARNESS/node_image.sh" || { log "node images could not be built"; exit 2; }

scenarios=("$@")
if [[ ${#scenarios[@]} -eq 0 ]]; then
  while IFS= read -r f; do
    scenarios+=("$(basename "$(dirname "$f")")")
  done < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml | LC_ALL=C sort)
fi
if [[ ${#scenarios[@]} -eq 0 ]]; then
  log "no scenario under molecule/"
  exit 0
fi

# Scenarios live in molecule/ at the collection root (not extensions/molecule/).
export MOLECULE_GLOB="molecule/*/molecule.yml"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/collections:${ANSIBLE_COLLECTIONS_PATH:-}"
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH%:}
export PY_COLORS=0 ANSIBLE_NOCOLOR=1
mkdir -p "$LOGDIR"

declare -a report=()
failed=0
total_start=$SECONDS
for s in "${scenarios[@]}"; do
  if [[ ! -f molecule/$s/molecule.yml ]]; then
    log "no scenario '$s' (molecule/$s/molecule.yml missing)"
    report+=("$(printf '%-24s %-6s %5ss' "$s" MISSING 0)")
    failed=1
    continue
  fi
  log "=== $s: molecule $CMD (log: ${LOGDIR#"$ROOT"/}/$s.log)"
  start=$SECONDS
  molecule --base-config "$ROOT/.config/molecule/config.yml" "$CMD" -s "$s" 2>&1 | tee "$LOGDIR/$s.log"
  rc=${PIPESTATUS[0]}
  took=$((SECONDS - start))
  if [[ $rc -eq 0 ]]; then
    report+=("$(printf '%-24s %-6s %5ss' "$s" ok "$took")")
  else
    report+=("$(printf '%-24s %-6s %5ss  (rc %s, see %s)' "$s" FAILED "$took" "$rc" "${LOGDIR#"$ROOT"/}/$s.log")")
    failed=1
  fi
done

printf '\nmolecule.sh: %s of %d scenario(s), %ss in all\n' "$CMD" "${#scenarios[@]}" "$((SECONDS - total_start))"
printf '  %s\n' "${report[@]}"
exit "$failed"
