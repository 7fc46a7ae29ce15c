#!/usr/bin/env bash
# iso_fuse: an image written by iso_write() (through tests/isotool),
# mounted with fuseiso, holds exactly the source tree.
set -euo pipefail
: "${FERRY_BIN:?}" "${TEST_TMP:?}"
ISOTOOL=$FERRY_BIN/tests/isotool
[ -x "$ISOTOOL" ] || { echo "SKIP: $ISOTOOL not built"; exit 77; }
command -v fuseiso >/dev/null 2>&1 || { echo "SKIP: fuseiso not installed"; exit 77; }
command -v fusermount >/dev/null 2>&1 || { echo "SKIP: fusermount not installed"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
cd "$TEST_TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p src/ferry/pkg/engine mnt
printf 'readme\n' >src/README.txt
printf '{}\n' >src/ferry/manifest.json
: >src/ferry/empty
head -c 300000 /dev/urandom >src/ferry/pkg/engine/engine-1-base.tar.zst
"$ISOTOOL" write src out.iso FERRY_FUSE || fail "isotool write exited $?"

fuseiso out.iso mnt 2>err || { echo "SKIP: fuseiso cannot mount: $(cat err)"; exit 77; }
trap 'fusermount -u "$TEST_TMP/mnt" 2>/dev/null || true' EXIT
diff -r src mnt >&2 || fail "fuseiso view differs from the source tree"
echo "ok"
