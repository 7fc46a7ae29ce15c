# Plug in, walk away (issue 18 sec. 4): `applymedia auto DEVICE`, the
# helper ferry-auto@.service runs, on real loop devices.
#  - ext4 stick whose label matches: mounted read-only, nosuid, nodev,
#    noexec on the private mount point, applied, unmounted, mount point
#    removed; one outcome line "ferry: updated ... -> ...; stick may be
#    removed"; the stick is byte for byte as it was (read-only).
#  - a device whose label/UUID does not match, and any device when the
#    client has no medium policy: never mounted (no mount(2) call at all,
#    under strace), the client unchanged.
#  - a FAT32 stick written by mkmedia --fat (the media tests' FAT path),
#    matched by UUID.
#  - matched but not a ferry medium, a refused medium, a busy device.
. "$FERRY_TESTLIB/common.sh"
need_keys
[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices and mount(2)"
command -v losetup >/dev/null || skip "losetup (util-linux) missing"
command -v strace >/dev/null || skip "strace missing (build.sh deps installs it)"
command -v mkfs.vfat >/dev/null || skip "mkfs.vfat (dosfstools) missing"
# LeakSanitizer cannot run under ptrace: in an ASan build the traced runs
# leave leak checking to the untraced ones (as cli/gpg_fixed_cost.sh).
NOLEAK="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
LOOPS=()
cleanup() {
	local l
	for m in mnt; do umount "$m" 2>/dev/null || true; done
	for l in "${LOOPS[@]}"; do
		grep -q "^$l " /proc/self/mounts && umount -l "$l" 2>/dev/null
		losetup -d "$l" 2>/dev/null || true
	done
	true
}
trap cleanup EXIT
# attach IMG: a loop device for IMG (read-write), printed
attach() {
	local l
	l=$(losetup -f --show "$1" 2>losetup.err) || skip "no loop device: $(cat losetup.err)"
	LOOPS+=("$l")
	echo "$l"
}
mounted() { grep -q "^$1 " /proc/self/mounts; }
# no_mount TRACE: strace saw no mount(2)/fsmount at all
no_mount() {
	if grep -E '(^|[ ])(mount|fsmount|move_mount|fsopen)\(' "$1"; then
		die "a device that does not match was mounted"
	fi
}

make_repo repo
add_versions repo patterns 2026.11.22-1
add_versions repo engine 8.0.0
# The stick: ext4, labelled FERRYSTICK, holding a medium, unmounted.
truncate -s 48M stick.img
mkfs.ext4 -q -L FERRYSTICK stick.img
mkdir mnt
mount -o loop stick.img mnt 2>mount.err || skip "loop mount not possible here: $(cat mount.err)"
build_medium repo mnt
umount mnt
dev=$(attach stick.img)
sum_before=$(sha256sum <stick.img)

# A client at patterns 2026.11.22-1 (from an earlier medium).
make_client cl
build_medium repo first
expect_ok client cl apply first
sed -i 's/^\[client\]$/&\nmedium_label = FERRYSTICK/' cl/etc/ferry/client.conf
add_versions repo patterns 2026.11.23-1
add_versions repo engine 8.0.1
losetup -d "$dev"; LOOPS=()
mount -o loop stick.img mnt
build_medium repo mnt
umount mnt
dev=$(attach stick.img)
sum_before=$(sha256sum <stick.img)

# 1. matches: mounted read-only on the private mount point, applied.
rc=0
ASAN_OPTIONS=$NOLEAK strace -f -qq -e signal=none -e trace=mount,umount2 -o mount.trace \
    "$FERRY_BIN/applymedia" --root "$TEST_TMP/cl" auto "$dev" >auto.out 2>auto.err || rc=$?
[ "$rc" -eq 0 ] || { cat auto.out auto.err; die "auto failed (exit $rc)"; }
grep -Eq "^ferry: updated patterns 2026\.11\.22-1 -> 2026\.11\.23-1, engine 8\.0\.0 -> 8\.0\.1; stick may be removed$" auto.out ||
    { cat auto.out; die "no outcome line"; }
mp=$TEST_TMP/cl/run/ferry/auto/${dev##*/}
grep -Eq "^[0-9]+ +mount\(\"$dev\", \"$mp\", \"ext4\", MS_RDONLY\|MS_NOSUID\|MS_NODEV\|MS_NOEXEC, NULL\) = 0" mount.trace ||
    { cat mount.trace; die "not mounted read-only, nosuid, nodev, noexec on $mp"; }
grep -Eq "umount2\(\"$mp\"" mount.trace || { cat mount.trace; die "not unmounted"; }
mounted "$dev" && die "the stick is still mounted"
[ ! -e "$mp" ] || die "mount point $mp left behind"
[ "$(stat -c %a "$(dirname "$mp")")" = 700 ] || die "the mount point's folder is not private (0700)"
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.23-1" >/dev/null || die "patterns not applied"
diff -r cl/opt/av/engine "$SAMPLES/engine/8.0.1" >/dev/null || die "engine not applied"
[ "$(sha256sum <stick.img)" = "$sum_before" ] || die "a read-only apply changed the stick"
# Plugged in again: nothing to do, said so.
expect_ok client cl auto "$dev"
out_has "^ferry: nothing to update on $dev; stick may be removed$"
mounted "$dev" && die "still mounted after the second run"

# 1b. report = yes: after the apply the stick is remounted read-write just
#     long enough to write the client's report onto it; the publisher
#     finds it there, signed by the enrolled client.
. "$FERRY_TESTLIB/fleet.sh"
fleet_client rep web-07 "medium_label = FERRYSTICK"
fleet_enroll repo rep web-07
rc=0
ASAN_OPTIONS=$NOLEAK strace -f -qq -e signal=none -e trace=mount,umount2 -o report.trace \
    "$FERRY_BIN/applymedia" --root "$TEST_TMP/rep" auto "$dev" >report.out 2>report.err || rc=$?
[ "$rc" -eq 0 ] || { cat report.out report.err; die "auto with report = yes failed (exit $rc)"; }
grep -q "^ferry: updated patterns none -> 2026.11.23-1, engine none -> 8.0.1; stick may be removed$" report.out ||
    { cat report.out; die "report = yes: outcome line"; }
grep -q "report not written" report.out report.err && { cat report.out report.err; die "the report was not written"; }
rmp=$TEST_TMP/rep/run/ferry/auto/${dev##*/}
# read-only for the apply, read-write only after it, then unmounted
grep -E "mount\(|umount2\(" report.trace | sed 's/^[0-9]* *//' >report.calls
grep -Eq "^mount\(\"$dev\", \"$rmp\", \"ext4\", MS_RDONLY\|MS_NOSUID\|MS_NODEV\|MS_NOEXEC, NULL\) = 0" <(sed -n 1p report.calls) ||
    { cat report.calls; die "first call is not the read-only mount"; }
grep -Eq "^mount\(NULL, \"$rmp\", NULL, MS_NOSUID\|MS_NODEV\|MS_NOEXEC\|MS_REMOUNT, NULL\) = 0" <(sed -n 2p report.calls) ||
    { cat report.calls; die "second call is not the read-write remount"; }
grep -Eq "^umount2\(\"$rmp\"" <(sed -n 3p report.calls) || { cat report.calls; die "not unmounted after the report"; }
mounted "$dev" && die "the stick is still mounted after the report"
mount -o ro "$dev" mnt
ls mnt/ferry-reports/report-*.json >/dev/null 2>&1 || { ls -R mnt | head; die "no report on the stick"; }
expect_ok mkmedia --repo repo fleet mnt
out_has "web-07"
grep -q UNTRUSTED "$TEST_TMP/last.out" && { cat "$TEST_TMP/last.out"; die "the report is untrusted"; }
umount mnt
# the report is a change to the stick: the apply stays read-only, so the
# sum check above is the last one on an untouched stick

# 2. does not match (label, then uuid): never mounted, client unchanged.
make_client other "medium_label = OTHERSTICK"
make_client byuuid "medium_uuid = 01234567-89ab-cdef-0123-456789abcdef"
make_client nopolicy
for c in other byuuid nopolicy; do
	before=$(client_digest "$c")
	rc=0
	ASAN_OPTIONS=$NOLEAK strace -f -qq -e signal=none -e trace=mount,umount2,fsopen,fsmount,move_mount -o "$c.trace" \
	    "$FERRY_BIN/applymedia" --root "$TEST_TMP/$c" auto "$dev" >"$c.out" 2>"$c.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$c.out" "$c.err"; die "$c: exit $rc"; }
	no_mount "$c.trace"
	[ ! -e "$c/run/ferry/auto" ] || die "$c: a mount point was made"
	[ "$(client_digest "$c")" = "$before" ] || die "$c: the client changed"
done
grep -Eq "^ferry: $dev: label \"FERRYSTICK\" uuid [0-9a-f-]+ is not this client's medium; not mounted$" other.out ||
    { cat other.out; die "label mismatch not said"; }
grep -q "is not this client's medium; not mounted" byuuid.out || { cat byuuid.out; die "uuid mismatch not said"; }
grep -q "^ferry: $dev: plug-in apply is off (client.conf sets neither medium_label nor medium_uuid); not mounted$" nopolicy.out ||
    { cat nopolicy.out; die "no policy: not said"; }

# 3. FAT32, matched by UUID, written through mkmedia --fat (as
#    fat_split.sh does: a real FAT32 image for libblkid, the medium written
#    for FAT).  A kernel without vfat (this suite's may lack it; every
#    client's has it) gets the folder bound read-only in the image's place
#    (FERRY_TEST_MOUNT_BIND, test builds only).
truncate -s 40M fat.img
mkfs.vfat -F 32 -n FERRYFAT fat.img >/dev/null
build_medium repo fatmedium --fat
fdev=$(attach fat.img)
fuuid=$(blkid -s UUID -o value fat.img)
make_client fc "medium_uuid = $fuuid"
rc=0
if grep -qw vfat /proc/filesystems; then
	mount -o loop fat.img mnt && cp -r fatmedium/. mnt/ && umount mnt
	bind=
else
	need_hooks
	bind=$TEST_TMP/fatmedium
	note "no vfat in this kernel: the --fat folder stands in for the FAT32 file system"
fi
FERRY_TEST_MOUNT_BIND=$bind ASAN_OPTIONS=$NOLEAK strace -f -qq -e signal=none -e trace=mount -o fat.trace \
    "$FERRY_BIN/applymedia" --root "$TEST_TMP/fc" auto "$fdev" >fat.out 2>fat.err || rc=$?
[ "$rc" -eq 0 ] || { cat fat.out fat.err; die "auto on FAT32 failed (exit $rc)"; }
grep -q "\"$fdev\", \"[^\"]*\", \"vfat\", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC" fat.trace ||
    { cat fat.trace; die "FAT32 not mounted read-only"; }
grep -q "^ferry: updated patterns none -> 2026.11.23-1, engine none -> 8.0.1; stick may be removed$" fat.out ||
    { cat fat.out; die "FAT32 outcome line"; }
diff -r fc/opt/av/Bases "$SAMPLES/patterns/2026.11.23-1" >/dev/null || die "FAT32: patterns not applied"
grep -q " $TEST_TMP/fc/run/" /proc/self/mounts && die "FAT32 stick still mounted"

# 4. the label matches but the stick holds no medium: 18, unmounted.
truncate -s 32M empty.img
mkfs.ext4 -q -L FERRYSTICK empty.img
edev=$(attach empty.img)
make_client ec "medium_label = FERRYSTICK"
before=$(client_digest ec)
expect_fail 18 "applymedia: .*manifest" client ec auto "$edev"
grep -q "^ferry: the medium on $edev was not applied (.*); stick may be removed$" "$TEST_TMP/last.out" ||
    { cat "$TEST_TMP/last.out"; die "failure outcome line"; }
mounted "$edev" && die "the empty stick is still mounted"
rmdir ec/run/ferry/auto ec/run/ferry ec/run || die "the mount point's folder is not empty"
[ "$(client_digest ec)" = "$before" ] || die "an empty stick changed the client"

# 5. a medium this client refuses (signed by a key it does not trust): the
#    refusal's code, the client unchanged, the stick unmounted.
make_client untrusting "medium_label = FERRYSTICK"
sed -i "s/^trust = .*/trust = $FPR_K2/" untrusting/etc/ferry/client.conf
before=$(client_digest untrusting)
expect_fail 5 "applymedia: " client untrusting auto "$dev"
grep -q "^ferry: the medium on $dev was not applied (.*); stick may be removed$" "$TEST_TMP/last.out" ||
    { cat "$TEST_TMP/last.out"; die "refusal outcome line"; }
mounted "$dev" && die "a refused stick is still mounted"
rmdir untrusting/run/ferry/auto untrusting/run/ferry untrusting/run || die "the mount point's folder is not empty"
[ "$(client_digest untrusting)" = "$before" ] || die "a refused stick changed the client"

# 5b. a medium applied in part (a hook fails on one component, the other
#     is switched): the outcome line says "partly applied" with the
#     summary, not "not applied"; the stick is unmounted.
make_client partial "medium_label = FERRYSTICK"
sed -i '/^\[component patterns\]/a pre_switch = exit 3' partial/etc/ferry/client.conf
expect_fail 11 "applymedia: " client partial auto "$dev"
grep -q "^ferry: the medium on $dev was partly applied (1 of 2 components updated: engine none -> 8\.0\.1; failed: patterns 2026\.11\.23-1 (pre_switch hook failed; not installed)); stick may be removed$" "$TEST_TMP/last.out" ||
    { cat "$TEST_TMP/last.out" "$TEST_TMP/last.err"; die "partial outcome line"; }
[ "$(cat partial/opt/av/engine/version.txt)" = "engine 8.0.1" ] || die "engine not applied"
[ -e partial/opt/av/Bases ] && die "patterns switched despite its failing hook"
mounted "$dev" && die "a partly applied stick is still mounted"

# 6. already mounted elsewhere: left alone (15), nothing applied.
mount -o ro "$dev" mnt
expect_fail 15 "already mounted at $TEST_TMP/mnt" client cl auto "$dev"
umount mnt

# 6b. the label matches but the file system is not one ferry mounts
#     (cramfs): refused (19), never mounted.
if command -v mkfs.cramfs >/dev/null; then
	mkdir crsrc && echo x >crsrc/f
	mkfs.cramfs -n FERRYSTICK crsrc cr.img >/dev/null
	crdev=$(attach cr.img)
	before=$(client_digest cl)
	rc=0
	ASAN_OPTIONS=$NOLEAK strace -f -qq -e signal=none -e trace=mount,fsopen,fsmount -o cr.trace \
	    "$FERRY_BIN/applymedia" --root "$TEST_TMP/cl" auto "$crdev" >cr.out 2>cr.err || rc=$?
	[ "$rc" -eq 19 ] || { cat cr.out cr.err; die "cramfs: exit $rc, want 19"; }
	grep -q "file system \"cramfs\" is not one ferry mounts" cr.err || { cat cr.err; die "cramfs: message"; }
	no_mount cr.trace
	[ "$(client_digest cl)" = "$before" ] || die "cramfs: the client changed"
else
	skip_part "mkfs.cramfs (util-linux) missing: the file system allow-list case was not run"
fi

# 7. its own mount point, left mounted by a run killed outside the unit:
#    taken back, not "busy".
mkdir -p "$mp"
mount -o ro "$dev" "$mp"
expect_ok client cl auto "$dev"
out_has "^ferry: nothing to update on $dev; stick may be removed$"
mounted "$dev" && die "the left-over mount was not cleared"

# 8. not a block device
expect_fail 2 "not a block device" client cl auto stick.img
note "ext4 and FAT32 loop sticks applied read-only; non-matching devices never mounted"
