#!/usr/bin/env bash
# iso_tools: an image written by iso_write() (through tests/isotool) reads
# back the same in xorriso, bsdtar, isoinfo (Joliet and Rock Ridge) and
# source_iso: same entries, same bytes, the volume label, the fixed time
# stamp; two runs at the same clock give identical bytes; a tree holding a
# symlink is refused without leaving an image behind.
set -euo pipefail
: "${FERRY_BIN:?}" "${TEST_TMP:?}"
ISOTOOL=$FERRY_BIN/tests/isotool
[ -x "$ISOTOOL" ] || { echo "SKIP: $ISOTOOL not built"; exit 77; }
for t in xorriso bsdtar isoinfo; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "SKIP: $t not installed"; exit 77; }
done
export LC_ALL=C
cd "$TEST_TMP"
trap 'chmod -R u+w . 2>/dev/null || true' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
same() {	# same FILE_WANT FILE_GOT WHAT
	diff -u "$1" "$2" >&2 || fail "$3"
}

# A medium root like mkmedia writes: long names (96 bytes, past plain
# Joliet's 64), an empty file, a binary file, one over a 2048-byte block.
long=$(printf 'engine-2026.11.23-base-%s.tar.zst' "$(printf '0%.0s' $(seq 65))")
[ ${#long} -eq 96 ] || fail "test bug: long name is ${#long} bytes"
mkdir -p src/ferry/pkg/engine src/ferry/keys
printf 'readme\n' >src/README.txt
cp src/README.txt src/ferry/README.txt
printf '{"format":"ferry-medium"}\n' >src/ferry/manifest.json
head -c 700 /dev/urandom >src/ferry/manifest.json.sig
: >src/ferry/keys/empty.json
head -c 1048577 /dev/urandom >"src/ferry/pkg/engine/$long"
printf '#!/bin/sh\n' >src/ferry/pkg/engine/tool.sh
chmod 0755 src/ferry/pkg/engine/tool.sh

"$ISOTOOL" write src out.iso ferry_test 1700000000 ||
    fail "isotool write exited $?"
[ ! -e out.iso.tmp ] || fail "out.iso.tmp left behind"
(cd src && find . -mindepth 1 | sed 's|^\./||' | sort) >want.all
(cd src/ferry && find . -type f | sed 's|^\./||' | sort) >want.files

# Rock Ridge view, through xorriso and through libarchive's bsdtar.
xorriso -indev out.iso -find / 2>/dev/null | sed "s/^'//; s/'\$//" |
    sed 's|^/||' | grep -v '^$' | sort >got.xorriso
same want.all got.xorriso "xorriso -find lists other entries"
bsdtar -tf out.iso | sed 's|/$||' | grep -vx '\.' | sort >got.bsdtar
same want.all got.bsdtar "bsdtar -t lists other entries"

# Joliet view (what Windows reads): every name in full, the long one too.
isoinfo -J -f -i out.iso | sed 's|^/||' | sort >got.joliet
same want.all got.joliet "isoinfo -J -f lists other entries"
isoinfo -J -l -i out.iso >got.jl
grep -q " $long *$" got.jl || fail "isoinfo -J -l does not show $long"

# Volume descriptor.
isoinfo -d -i out.iso >got.d
grep -qx 'Volume id: FERRY_TEST' got.d ||
    fail "volume id: $(grep 'Volume id' got.d)"
grep -qx 'Application id: FERRY' got.d || fail "application id"
grep -q '^Joliet with UCS level 3 found' got.d || fail "no Joliet"
grep -q '^Rock Ridge signatures version 1 found' got.d || fail "no Rock Ridge"

# Bytes: extract with both tools and compare with the source tree.
xorriso -osirrox on -indev out.iso -extract / x.out >/dev/null 2>&1 ||
    fail "xorriso -extract failed"
diff -r src x.out >&2 || fail "xorriso extraction differs from the source"
mkdir b.out
bsdtar -xf out.iso -C b.out || fail "bsdtar -x failed"
diff -r src b.out >&2 || fail "bsdtar extraction differs from the source"
t=$(stat -c %Y "b.out/ferry/pkg/engine/$long")
[ "$t" = 1700000000 ] || fail "entry mtime $t, want 1700000000"
m=$(stat -c %a b.out/ferry/pkg/engine/tool.sh)
[ "$m" = 555 ] || fail "tool.sh mode $m, want 555 (Rock Ridge 'useful')"

# Our own reader: the folder is found under ferry/.
"$ISOTOOL" ls out.iso >got.ls
same want.files got.ls "source_list of the image"
"$ISOTOOL" cat out.iso manifest.json >got.manifest
cmp src/ferry/manifest.json got.manifest || fail "source_read differs"
sha=$(sha256sum "src/ferry/pkg/engine/$long" | cut -c1-64)
mkdir fetched
"$ISOTOOL" fetch out.iso "pkg/engine/$long" 1048577 "$sha" fetched big ||
    fail "source_fetch from the image exited $?"
cmp "src/ferry/pkg/engine/$long" fetched/big || fail "fetched bytes differ"

# A hard-linked entry carries no data in the image (libarchive reports it
# as a link to the first name); source_iso reads the bytes from there.
mkdir -p hl/ferry
printf '{}\n' >hl/ferry/manifest.json
printf 'linked bytes\n' >hl/ferry/a
ln hl/ferry/a hl/ferry/b
xorriso -as mkisofs -R -J --hardlinks -o hl.iso hl >/dev/null 2>&1 ||
    fail "xorriso --hardlinks failed"
bsdtar -tvf hl.iso >got.hl
grep -q 'ferry/b link to ferry/a' got.hl ||
    fail "test bug: hl.iso holds no hard link"
"$ISOTOOL" cat hl.iso b >got.b
cmp hl/ferry/a got.b || fail "hard-linked entry read wrongly"

# Same tree, same clock: same bytes.  The only varying input is the time
# libarchive's writer reads with time() when it closes the image (volume
# dates, the root directory's records); every entry carries the fixed
# mtime.  `faketime -f` holds the clock still at one instant (plain
# `faketime DATE` only shifts it, and the clock runs on: under load the
# two writes crossed a second and differed in the root's record).
# In an ASan build, the allocator's first use of a size class reads the
# monotonic clock (for allocator_release_to_os_interval_ms); when that is
# a library constructor's malloc (libgpg-error's, since libarchive, whose
# libstdc++ used to allocate first, is no longer linked) libfaketime is not
# set up yet, resolves clock_gettime with dlsym(), which allocates in the
# same size class: a deadlock before main.  -1 turns that clock read off.
FT_ASAN="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}allocator_release_to_os_interval_ms=-1"
faketime() { ASAN_OPTIONS=$FT_ASAN command faketime "$@"; }
if type -P faketime >/dev/null 2>&1; then
	faketime -f '2026-01-01 00:00:00' "$ISOTOOL" write src r1.iso FERRY_TEST
	sleep 1.1
	faketime -f '2026-01-01 00:00:00' "$ISOTOOL" write src r2.iso FERRY_TEST
	cmp r1.iso r2.iso || fail "two images of one tree differ"
	# and the clock is the only input: another instant changes only the
	# bytes of the dates, never the layout
	faketime -f '2026-01-01 00:00:09' "$ISOTOOL" write src r3.iso FERRY_TEST
	[ "$(stat -c %s r1.iso)" = "$(stat -c %s r3.iso)" ] ||
	    fail "the clock changed the image size"
	n=$( (cmp -l r1.iso r3.iso || true) | wc -l)
	[ "$n" -gt 0 ] && [ "$n" -le 64 ] ||
	    fail "another clock changed $n bytes (want 1..64: the dates only)"
else
	echo "SKIP-PART: same bytes at the same clock: faketime not installed"
fi

# Refusal: a symlink in the tree; exit 9, exact message, nothing left.
ln -s ../README.txt src/ferry/link
rc=0
"$ISOTOOL" write src bad.iso ferry_test 2>got.err || rc=$?
[ $rc -eq 9 ] || fail "symlink in tree: exit $rc, want 9"
echo "isotool: ferry/link: not a regular file or directory; refusing to put it on a medium" >want.err
same want.err got.err "symlink refusal message"
[ ! -e bad.iso ] && [ ! -e bad.iso.tmp ] || fail "refused image left a file"
rc=0
"$ISOTOOL" write src bad.iso 'ferry-1' 2>got.err || rc=$?
[ $rc -eq 2 ] || fail "bad label: exit $rc, want 2"
echo "isotool: ferry-1: volume label must be 1 to 32 characters of A-Z, 0-9 and _" >want.err
same want.err got.err "bad label message"
echo "ok"
