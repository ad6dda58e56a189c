#!/usr/bin/env bash
# Run Molecule scenarios with the shared base config (.config/molecule/config.yml).
#
#   tests/harness/molecule.sh                 # every molecule/<name>/molecule.yml, sorted
#   tests/harness/molecule.sh preflight nodes # only these
#   MOLECULE_CMD=converge tests/harness/molecule.sh preflight   # another subcommand
#
# Makes sure the harness is ready first (Docker engine + node images + test bundle),
# runs every scenario even when one fails, prints the wall time of each, and exits
# non-zero if any failed. Logs: tests/output/molecule/<scenario>.log.
#
# MOLECULE_JOBS=N runs up to N scenarios at once (scenarios use distinct container
# names and subnets, so they do not collide). With N > 1 a scenario's output goes to
# its log only; the log of a failed scenario is printed when it ends. Scenarios start
# longest first (the order of SLOW_FIRST below) so the jobs finish together.
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
# Built here, once, not by the scenarios' prepare steps (which only reuse it), so that
# scenarios running at the same time never build it concurrently.
"$HARNESS/test_bundle.sh" || { log "the test bundle could not be built"; exit 2; }
JOBS=${MOLECULE_JOBS:-1}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { log "MOLECULE_JOBS must be a positive integer, got '$JOBS'"; exit 2; }
SLOW_FIRST=(nodes_offline day2 nodes lb_failover cluster bundle_http preflight)

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

if ((JOBS > 1)); then # longest first: SLOW_FIRST order, then the rest as given
  ordered=()
  for s in "${SLOW_FIRST[@]}"; do
    for t in "${scenarios[@]}"; do [[ $t != "$s" ]] || ordered+=("$s"); done
  done
  for t in "${scenarios[@]}"; do
    [[ " ${SLOW_FIRST[*]} " == *" $t "* ]] || ordered+=("$t")
  done
  scenarios=("${ordered[@]}")
fi

RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

run_one() { # scenario index -> writes $RESULTS/<index> (report line), returns rc
  local s=$1 i=$2 start rc took
  if [[ ! -f molecule/$s/molecule.yml ]]; then
    log "no scenario '$s' (molecule/$s/molecule.yml missing)"
    printf '%-24s %-6s %5ss\n' "$s" MISSING 0 >"$RESULTS/$i"
    return 1
  fi
  log "=== $s: molecule $CMD (log: ${LOGDIR#"$ROOT"/}/$s.log)"
  start=$SECONDS
  if ((JOBS > 1)); then
    molecule --base-config "$ROOT/.config/molecule/config.yml" "$CMD" -s "$s" >"$LOGDIR/$s.log" 2>&1
    rc=$?
  else
    molecule --base-config "$ROOT/.config/molecule/config.yml" "$CMD" -s "$s" 2>&1 | tee "$LOGDIR/$s.log"
    rc=${PIPESTATUS[0]}
  fi
  took=$((SECONDS - start))
  if [[ $rc -eq 0 ]]; then
    printf '%-24s %-6s %5ss\n' "$s" ok "$took" >"$RESULTS/$i"
    log "=== $s: ok in ${took}s"
  else
    printf '%-24s %-6s %5ss  (rc %s, see %s)\n' "$s" FAILED "$took" "$rc" "${LOGDIR#"$ROOT"/}/$s.log" >"$RESULTS/$i"
    if ((JOBS > 1)); then
      log "=== $s: FAILED (rc $rc) in ${took}s; its log follows"
      sed "s/^/[$s] /" "$LOGDIR/$s.log"
    fi
    log "=== $s: FAILED (rc $rc) in ${took}s"
  fi
  return "$rc"
}

total_start=$SECONDS
running=0
for i in "${!scenarios[@]}"; do
  if ((JOBS == 1)); then
    run_one "${scenarios[$i]}" "$i"
    continue
  fi
  while ((running >= JOBS)); do
    wait -n || true
    running=$((running - 1))
  done
  run_one "${scenarios[$i]}" "$i" &
  running=$((running + 1))
  sleep 2 # stagger the starts: container creation is the busiest moment
done
wait

failed=0
printf '\nmolecule.sh: %s of %d scenario(s), %s at a time, %ss in all\n' \
  "$CMD" "${#scenarios[@]}" "$JOBS" "$((SECONDS - total_start))"
for i in "${!scenarios[@]}"; do
  line=$(cat "$RESULTS/$i" 2>/dev/null || printf '%-24s %-6s' "${scenarios[$i]}" LOST)
  printf '  %s\n' "$line"
  [[ $line == *" ok "* ]] || failed=1
done
exit "$failed"
