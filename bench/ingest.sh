#!/usr/bin/env bash
# ingest.sh BUILD [MIB] [LEVEL] [RUNS] -- issue 17 target 3: `mkmedia add` of
# one synthetic component of MIB MiB (default 1024; bench/synth.c) at the
# base level LEVEL (default: mkmedia's default, 12), against the shell
# pipeline at the same level, run after run (interleaved):
#
#   tar -cf - -C SRC . | zstd -LEVEL --long -T2 | tee OUT | sha256sum
#
# (one read of the source, two workers, the package hashed). mkmedia also
# writes the copy it keeps for later deltas, hashes every file and fsyncs.
# Prints one line per run: what, wall s, user s, sys s, max RSS KiB, bytes.
set -euo pipefail
B=${1:?usage: ingest.sh BUILD [MIB] [LEVEL] [RUNS]}
MIB=${2:-1024} LEVEL=${3:-12} RUNS=${4:-2}
B=$(cd "$B" && pwd)
W=$(cd "$(dirname "$0")" && pwd)/.work/ingest
mkdir -p "$W"
if [ ! -e "$W/src.$MIB.done" ]; then
  cc -O2 -o "$W/synth" "$(dirname "$0")/synth.c"
  rm -rf "$W/src"; "$W/synth" "$W/src" "$MIB" 1 >/dev/null
  touch "$W/src.$MIB.done"
fi
T() { /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@"; }
for i in $(seq "$RUNS"); do
  rm -rf "$W/repo"
  "$B/mkmedia" --repo "$W/repo" init --publisher bench --base-level "$LEVEL" >/dev/null
  sync
  T "$B/mkmedia" --repo "$W/repo" add synth 1 "$W/src" >/dev/null
  echo "mkmedia-add $(cat "$W/time") $(stat -c %s "$W/repo/components/synth/1/base.tar.zst")"
  rm -rf "$W/repo"
  sync
  T bash -c "tar -cf - -C '$W/src' . | zstd -q -$LEVEL --long -T2 | tee '$W/pipe.tar.zst' | sha256sum >/dev/null"
  echo "pipeline $(cat "$W/time") $(stat -c %s "$W/pipe.tar.zst")"
  rm -f "$W/pipe.tar.zst"
done
