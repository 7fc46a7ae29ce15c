#!/usr/bin/env bash
# source_eio: a medium that fails mid-read (stick pulled, bad sector).  The
# fault point media.read is failed at the 1st, 2nd, ... read of a fetch
# from a folder and from an ISO image, until the fetch gets through; every
# failure must be exit 3 with the "medium failed or was removed" message,
# and leave no destination file (../shared/RELIABILITY.md T28, rule 9).
set -euo pipefail
: "${FERRY_BIN:?}" "${TEST_TMP:?}"
ISOTOOL=$FERRY_BIN/tests/isotool
[ -x "$ISOTOOL" ] || { echo "SKIP: $ISOTOOL not built"; exit 77; }
cd "$TEST_TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p med/ferry/pkg dst
printf '{}\n' >med/ferry/manifest.json
head -c 600000 /dev/urandom >med/ferry/pkg/big
sha=$(sha256sum med/ferry/pkg/big | cut -c1-64)
"$ISOTOOL" write med med.iso FERRY_EIO

FERRY_FAULT=media.read:1:eio "$ISOTOOL" fetch med pkg/big 600000 "$sha" dst probe 2>/dev/null &&
    { echo "SKIP: fault points not compiled in (build with HOOKS=1)"; exit 77; }
rm -f dst/probe

for spec in med med.iso; do
	failed=0
	for n in $(seq 1 200); do
		rc=0
		FERRY_FAULT=media.read:$n:eio "$ISOTOOL" fetch "$spec" pkg/big \
		    600000 "$sha" dst out 2>err || rc=$?
		if [ $rc -eq 0 ]; then
			cmp med/ferry/pkg/big dst/out || fail "$spec: bytes differ"
			rm dst/out
			break
		fi
		[ $rc -eq 3 ] || fail "$spec read $n: exit $rc, want 3: $(cat err)"
		grep -q '^isotool: .*: read failed; the medium failed or was removed: Input/output error$' err ||
		    fail "$spec read $n: message: $(cat err)"
		[ ! -e dst/out ] || fail "$spec read $n: destination left behind"
		failed=$((failed + 1))
	done
	[ $rc -eq 0 ] || fail "$spec: still failing after 200 reads"
	# 600000 bytes in 128 KiB reads: at least 5 reads can fail.
	[ $failed -ge 5 ] || fail "$spec: only $failed fault points"
	echo "$spec: $failed read faults, each refused cleanly"
done
