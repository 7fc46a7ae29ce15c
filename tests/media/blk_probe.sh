#!/usr/bin/env bash
# blk_probe: formats/blk through tests/blktool against real file systems:
# an ext4 loop image with a label, mounted (also at a path with a space,
# which mountinfo escapes as \040); a FAT32 image and an ISO image probed
# as files; a path on a non-block file system; a missing path.
set -euo pipefail
: "${FERRY_BIN:?}" "${TEST_TMP:?}"
BLKTOOL=$FERRY_BIN/tests/blktool
ISOTOOL=$FERRY_BIN/tests/isotool
[ -x "$BLKTOOL" ] || { echo "SKIP: $BLKTOOL not built"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: loop devices need root"; exit 77; }
for t in losetup mkfs.ext4 mkfs.vfat blkid mount umount; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "SKIP: $t not installed"; exit 77; }
done
cd "$TEST_TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }
same() { diff -u "$1" "$2" >&2 || fail "$3"; }

LOOP= LOOP2=
cleanup() {
	[ -z "$LOOP2" ] || losetup -d "$LOOP2" 2>/dev/null || true
	umount "$TEST_TMP/sp ace" 2>/dev/null || true
	umount "$TEST_TMP/mnt" 2>/dev/null || true
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null || true
}
trap cleanup EXIT

# --- ext4 on a loop device, mounted twice --------------------------------
truncate -s 16M e.img
mkfs.ext4 -q -L FERRY_E4 e.img
LOOP=$(losetup -f --show e.img 2>err) ||
    { echo "SKIP: no loop device: $(cat err)"; exit 77; }
mkdir mnt "sp ace"
mount "$LOOP" mnt 2>err || { echo "SKIP: cannot mount ext4: $(cat err)"; exit 77; }
mount "$LOOP" "sp ace" 2>err || fail "second mount: $(cat err)"
mkdir mnt/ferry
uuid=$(blkid -s UUID -o value "$LOOP")
[ -n "$uuid" ] || fail "blkid gives no UUID for $LOOP"
mnt=$(realpath mnt)

want() {	# want MOUNTPOINT > file: the five exact lines
	printf 'device=%s\nmountpoint=%s\nfstype=ext4\nlabel=FERRY_E4\nuuid=%s\n' \
	    "$LOOP" "$1" "$uuid"
}
"$BLKTOOL" path mnt/ferry >got.path || fail "blktool path exited $?"
want "$mnt" >want.path
head -n 5 got.path >got.path5
same want.path got.path5 "blk_probe_path of the mounted ext4 image"
free=$(sed -n 's/^free=//p' got.path)
size=$(sed -n 's/^size=//p' got.path)
[ "$size" -gt 10000000 ] && [ "$free" -gt 0 ] && [ "$free" -le "$size" ] ||
    fail "free=$free size=$size"

"$BLKTOOL" path "sp ace" >got.space || fail "blktool path (space) exited $?"
want "$(realpath "sp ace")" >want.space
head -n 5 got.space >got.space5
same want.space got.space5 "mount point with a space (\\040 in mountinfo)"

"$BLKTOOL" dev "$LOOP" >got.dev || fail "blktool dev exited $?"
head -n 5 got.dev | sed '2d' >got.dev4
want "" | sed '2d' >want.dev4
same want.dev4 got.dev4 "blk_probe_device of $LOOP"
grep -qx "mountpoint=$mnt" got.dev || grep -qx "mountpoint=$(realpath "sp ace")" got.dev ||
    fail "blk_probe_device: $(grep mountpoint got.dev)"

"$BLKTOOL" list >got.list || fail "blktool list exited $?"
line=$(grep -P "^\Q$LOOP\E\t" got.list) || fail "blk_list misses $LOOP"
case $line in
"$LOOP	ext4	FERRY_E4	$uuid	$mnt" | "$LOOP	ext4	FERRY_E4	$uuid	$(realpath "sp ace")") ;;
*) fail "blk_list line: $line" ;;
esac

# --- FAT32 and ISO 9660 images, probed as files ---------------------------
truncate -s 40M v.img
mkfs.vfat -F 32 -n STICK v.img >/dev/null
vuuid=$(blkid -s UUID -o value v.img)
"$BLKTOOL" dev v.img >got.vfat || fail "blktool dev v.img exited $?"
printf 'device=v.img\nmountpoint=\nfstype=vfat\nlabel=STICK\nuuid=%s\nfree=0\nsize=41943040\n' \
    "$vuuid" >want.vfat
same want.vfat got.vfat "blk_probe_device of a FAT32 image"
[ "$("$BLKTOOL" maxfile vfat)" = 4294967295 ] || fail "maxfile vfat"
[ "$("$BLKTOOL" maxfile ext4)" = 18446744073709551615 ] || fail "maxfile ext4"

if [ -x "$ISOTOOL" ]; then
	mkdir -p iso/ferry && printf '{}\n' >iso/ferry/manifest.json
	"$ISOTOOL" write iso x.iso ferry_blk
	"$BLKTOOL" dev x.iso >got.iso || fail "blktool dev x.iso exited $?"
	grep -qx 'fstype=iso9660' got.iso && grep -qx 'label=FERRY_BLK' got.iso ||
	    fail "ISO probe: $(tr '\n' ' ' <got.iso)"
fi

# --- an ISO image on a block device (a CD drive, a dd'ed stick) is a source
if [ -x "$ISOTOOL" ]; then
	LOOP2=$(losetup -f --show x.iso) || fail "losetup x.iso"
	rc=0
	"$ISOTOOL" kind "$LOOP2" >got.kind 2>got.err || rc=$?
	"$ISOTOOL" ls "$LOOP2" >>got.kind 2>>got.err || rc=$?
	[ $rc -eq 0 ] || fail "ISO on $LOOP2 as a source: $(cat got.err)"
	losetup -d "$LOOP2"
	LOOP2=
	printf 'iso\nmanifest.json\n' >want.kind
	same want.kind got.kind "ISO on a block device as a source"
fi

# --- no block device behind the path; missing path ------------------------
"$BLKTOOL" path /proc/self >got.proc || fail "blktool path /proc exited $?"
head -n 3 got.proc >got.proc3
printf 'device=\nmountpoint=/proc\nfstype=proc\n' >want.proc3
same want.proc3 got.proc3 "blk_probe_path on procfs"
rc=0
"$BLKTOOL" path /nonexistent/x 2>got.err || rc=$?
[ $rc -eq 18 ] || fail "missing path: exit $rc, want 18"
echo "blktool: /nonexistent/x: cannot resolve: No such file or directory" >want.err
same want.err got.err "missing path message"
echo ok
