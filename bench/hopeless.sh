#!/usr/bin/env bash
# hopeless.sh BUILD [MIB] -- issue 17 target 3: a native program of MIB MiB
# (default 10) whose releases differ throughout (incompressible, nothing in
# common). Adding release 2 to a repository at the defaults (star) must
# cost at most 1.5x adding it with deltas off (its base package alone):
# the delta that cannot lower any plan is abandoned after the level-1
# probes. Prints: what, wall s, user s, sys s, max RSS KiB; runs
# interleaved.
set -euo pipefail
B=$(cd "${1:?usage: hopeless.sh BUILD [MIB] [RUNS]}" && pwd)
MIB=${2:-10} RUNS=${3:-3}
W=$(cd "$(dirname "$0")" && pwd)/.work/hopeless
mkdir -p "$W/1" "$W/2"
[ -s "$W/1/prog" ] || head -c $((MIB << 20)) /dev/urandom >"$W/1/prog"
[ -s "$W/2/prog" ] || head -c $((MIB << 20)) /dev/urandom >"$W/2/prog"
T() { /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out" 2>&1; }
for i in $(seq "$RUNS"); do
  for mode in star none; do
    rm -rf "$W/repo"
    "$B/mkmedia" --repo "$W/repo" init --publisher bench --deltas "$mode" >/dev/null
    "$B/mkmedia" --repo "$W/repo" add prog 1 "$W/1" >/dev/null
    T "$B/mkmedia" --repo "$W/repo" add prog 2 "$W/2"
    echo "add-2-deltas-$mode $(cat "$W/time") $(ls "$W/repo/components/prog/deltas" 2>/dev/null | wc -l)"
  done
done
