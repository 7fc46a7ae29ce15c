#!/usr/bin/env bash
# corpus-big.sh OUTDIR -- the issue-19 series: one big native program with
# five consecutive releases, fetched from the npm registry with npm pack.
#
#   bun   @oven/bun-linux-x64 1.4.1 1.4.2 1.4.3 1.4.4 1.4.5
#         (the Bun runtime for x86-64 Linux: one ELF executable of about
#         90-100 MB per release, package/bin/bun)
#
# Layout under OUTDIR (never commit it):
#   tgz/<name>-<ver>.tgz        the npm tarballs as published
#   tree/bun/<ver>/             one component version: bin/bun (+ its
#                               package.json), as mkmedia add ingests it
#   single/bun/<ver>.bin        the executable alone, for the plain tools
#   MANIFEST.tsv                series, package, version, sizes, sha256
# Idempotent: tarballs already present are not fetched again.
set -euo pipefail

OUT=${1:?usage: corpus-big.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT/tgz" "$OUT/tree/bun" "$OUT/single/bun"
export NPM_CONFIG_LOGLEVEL=error NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false

NAME=@oven/bun-linux-x64
VERS="1.4.1 1.4.2 1.4.3 1.4.4 1.4.5"

: >"$OUT/MANIFEST.tsv.tmp"
for v in $VERS; do
  t="$OUT/tgz/oven-bun-linux-x64-$v.tgz"
  if [ ! -s "$t" ]; then
    (cd "$OUT/tgz" && npm pack "$NAME@$v" >/dev/null)
  fi
  [ -s "$t" ] || { echo "fetch failed: $NAME@$v" >&2; exit 1; }
  d="$OUT/tree/bun/$v"
  if [ ! -x "$d/bin/bun" ]; then
    rm -rf "$d.tmp" "$d"; mkdir -p "$d.tmp"
    tar -xzf "$t" -C "$d.tmp"
    mkdir -p "$d"
    mv "$d.tmp/package/bin" "$d/bin"
    mv "$d.tmp/package/package.json" "$d/package.json"
    rm -rf "$d.tmp"
    chmod 0755 "$d/bin/bun"
  fi
  sf="$OUT/single/bun/$v.bin"
  [ -s "$sf" ] || cp "$d/bin/bun" "$sf"
  printf 'bun\t%s\t%s\t%s\t%s\t%s\n' "$NAME" "$v" "$(stat -c %s "$t")" \
    "$(stat -c %s "$sf")" "$(sha256sum "$sf" | cut -d' ' -f1)" >>"$OUT/MANIFEST.tsv.tmp"
done
mv "$OUT/MANIFEST.tsv.tmp" "$OUT/MANIFEST.tsv"
cat "$OUT/MANIFEST.tsv"
