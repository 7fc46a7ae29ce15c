#!/usr/bin/env bash
# big_adds.sh BUILD [N] -- issue 17's row "mkmedia add of a 100 MB program,
# 2nd and 3rd version": the first N (3) releases of the issue-19 series
# (bench/corpus-big.sh) added one after the other to a repository at the
# defaults (star deltas, window 4, levels 19/12), so that the 2nd add makes
# one delta and the 3rd two; beside each add, zstd -19 --long --patch-from
# of every pair that add made (the executable alone, what a plain tool
# would ship), run right after it.  Prints a TSV (also in
# bench/.work/big_adds/result.tsv): what, version, wall s, user s, sys s,
# max RSS KiB, bytes.  The add's bytes are its deltas' (0 for the 1st).
set -euo pipefail
B=$(cd "${1:?usage: big_adds.sh BUILD [N]}" && pwd)
N=${2:-3}
H=$(cd "$(dirname "$0")" && pwd)
C=$H/.corpus-big
W=$H/.work/big_adds
rm -rf "$W"
mkdir -p "$W"
[ -s "$C/MANIFEST.tsv" ] || "$H/corpus-big.sh" "$C"
VERS=$(cut -f3 "$C/MANIFEST.tsv" | head -n "$N" | tr '\n' ' ')
T() { /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; return 1; }; }
"$B/mkmedia" --repo "$W/repo" init --publisher bench >/dev/null
out=$W/result.tsv
printf 'what\tversion\twall_s\tuser_s\tsys_s\tmaxrss_kib\tbytes\n' >"$out"
prev=
for v in $VERS; do
  T "$B/mkmedia" --repo "$W/repo" add bun "$v" "$C/tree/bun/$v"
  bytes=0
  for f in "$W"/repo/components/bun/deltas/*.json; do
    [ -e "$f" ] && [ "$(jq -r .to "$f")" = "$v" ] && bytes=$((bytes + $(jq .size "$f")))
  done
  printf 'add\t%s\t%s\t%s\n' "$v" "$(cat "$W/time")" "$bytes" >>"$out"
  grep -h 'no delta' "$W/err" >>"$W/abandoned.txt" || true
  for o in $prev; do
    T zstd -q -f -19 --long --patch-from="$C/single/bun/$o.bin" "$C/single/bun/$v.bin" -o "$W/out.zst"
    printf 'zstd %s->%s\t%s\t%s\t%s\n' "$o" "$v" "$v" "$(cat "$W/time")" "$(stat -c %s "$W/out.zst")" >>"$out"
    rm -f "$W/out.zst"
  done
  prev="$prev $v"
done
cat "$W/abandoned.txt" 2>/dev/null || true
cat "$out"
