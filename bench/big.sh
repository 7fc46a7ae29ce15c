#!/usr/bin/env bash
# big.sh BUILD [PHASE] -- the issue-19 series (bench/corpus-big.sh: five
# releases of a 80-107 MB native program) through mkmedia, and the plain
# tools' direct delta from each release to the newest.
#
#   ferry:  a repository at the defaults (star, window 4, levels 19/12);
#           releases 1-4 are added with deltas off (their deltas into
#           releases 2-4 are never carried to a client of the newest), then
#           the policy is set to star and release 5 is added: that add
#           makes (or abandons) the four deltas into the newest. Each add:
#           wall, user, sys, max RSS.
#   plain:  zstd -19 --long --patch-from, xdelta3 -9 -S djw, bsdiff, on the
#           executable alone (the component is that file and its
#           package.json): bytes, user+sys, max RSS.
#
# Results: bench/.work/big/PHASE/{ferry,plain}.tsv; bench/big_report.py prints
# the per-client table of docs/BENCHMARKS.md.
set -euo pipefail
B=$(cd "${1:?usage: big.sh BUILD [ferry|plain|all]}" && pwd)
PHASE=${2:-all}
H=$(cd "$(dirname "$0")" && pwd)
C=$H/.corpus-big
# the ferry and plain phases may run at the same time: separate folders
W=$H/.work/big/$PHASE
mkdir -p "$W"
[ -s "$C/MANIFEST.tsv" ] || "$H/corpus-big.sh" "$C"
VERS=$(cut -f3 "$C/MANIFEST.tsv" | tr '\n' ' ')
NEW=${VERS% }; NEW=${NEW##* }
T() { /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; return 1; }; }

if [ "$PHASE" = ferry ] || [ "$PHASE" = all ]; then
  rm -rf "$W/repo"
  "$B/mkmedia" --repo "$W/repo" init --publisher bench --deltas none >/dev/null
  : >"$W/ferry.tsv"
  for v in $VERS; do
    if [ "$v" = "$NEW" ]; then
      jq '.policy.deltas = "star"' "$W/repo/ferry-repo.json" >"$W/r.json"
      mv "$W/r.json" "$W/repo/ferry-repo.json"
    fi
    T "$B/mkmedia" --repo "$W/repo" add bun "$v" "$C/tree/bun/$v"
    printf 'add\t%s\t%s\n' "$v" "$(tr ' ' '\t' <"$W/time")" >>"$W/ferry.tsv"
  done
  for v in $VERS; do
    printf 'base\t%s\t%s\n' "$v" "$(jq .base.size "$W/repo/components/bun/$v/version.json")" >>"$W/ferry.tsv"
  done
  for f in "$W"/repo/components/bun/deltas/*.json; do
    [ -e "$f" ] || continue
    printf 'delta\t%s\t%s\t%s\n' "$(jq -r .from "$f")" "$(jq -r .to "$f")" "$(jq .size "$f")" >>"$W/ferry.tsv"
  done
  grep -h 'no delta' "$W/err" >"$W/abandoned.txt" || true
fi

if [ "$PHASE" = plain ] || [ "$PHASE" = all ]; then
  : >"$W/plain.tsv"
  for v in $VERS; do
    [ "$v" = "$NEW" ] && continue
    o=$C/single/bun/$v.bin n=$C/single/bun/$NEW.bin
    T zstd -q -f -19 --long --patch-from="$o" "$n" -o "$W/out.zst"
    printf 'zstd\t%s\t%s\t%s\n' "$v" "$(stat -c %s "$W/out.zst")" "$(tr ' ' '\t' <"$W/time")" >>"$W/plain.tsv"
    T xdelta3 -f -9 -S djw -e -s "$o" "$n" "$W/out.xd3"
    printf 'xdelta3\t%s\t%s\t%s\n' "$v" "$(stat -c %s "$W/out.xd3")" "$(tr ' ' '\t' <"$W/time")" >>"$W/plain.tsv"
    T bsdiff "$o" "$n" "$W/out.bsdiff"
    printf 'bsdiff\t%s\t%s\t%s\n' "$v" "$(stat -c %s "$W/out.bsdiff")" "$(tr ' ' '\t' <"$W/time")" >>"$W/plain.tsv"
    rm -f "$W/out.zst" "$W/out.xd3" "$W/out.bsdiff"
  done
fi
