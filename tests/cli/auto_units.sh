# Plug in, walk away (issue 18 sec. 4): the shipped udev rule and
# ferry-auto@.service, as make install puts them.
#  - systemd-analyze verify passes, without a warning, on an instance of
#    the template (ferry-auto@dev-loopN.service, as udev names it), which
#    runs the installed `applymedia auto %f` in its own mount namespace,
#    once per plug-in, logging to the journal and the console;
#  - udevadm test runs the real rule set with 69-ferry-auto.rules on real
#    loop devices (in a private mount namespace, so no link, database entry
#    or rule is left on this machine): a device with a file system that an
#    earlier rule marks FERRY_AUTO (as an administrator does for a VM's
#    virtual disk; a USB stick gets it from the rule itself) wants
#    ferry-auto@.service; the same device unmarked, a device without a file
#    system and a "remove" event want nothing.
. "$FERRY_TESTLIB/common.sh"
unset FERRY_LOCALEDIR
command -v systemd-analyze >/dev/null || skip "systemd-analyze missing (build.sh deps: systemd)"
command -v udevadm >/dev/null || skip "udevadm missing (build.sh deps: udev)"
[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices and a private mount namespace"
command -v unshare >/dev/null || skip "unshare (util-linux) missing"

P=$TEST_TMP/pfx
make -s -C "$FERRY_SRC" -o all O="$FERRY_BIN" PREFIX="$P" install >install.log 2>&1 ||
    { cat install.log; die "make install failed"; }
U=$P/lib/systemd/system/ferry-auto@.service
R=$P/lib/udev/rules.d/69-ferry-auto.rules
[ -f "$U" ] && [ -f "$R" ] || die "make install did not install the unit and the rule"
[ "$(stat -c %a "$U")" = 644 ] && [ "$(stat -c %a "$R")" = 644 ] || die "unit or rule not mode 0644"
grep -q '@BINDIR@' "$U" && die "@BINDIR@ was left in the unit"
grep -qx "ExecStart=$P/bin/applymedia auto %f" "$U" || die "the unit does not run $P/bin/applymedia auto %f"
for l in 'BindsTo=%i.device' 'PrivateMounts=yes' 'RemainAfterExit=yes' \
    'StandardOutput=journal+console' 'StandardError=journal+console' 'Type=oneshot'; do
	grep -qx "$l" "$U" || die "the unit lacks $l"
done

# --- systemd-analyze verify, on the instance udev starts
systemd-analyze verify --man=no "$P/lib/systemd/system/ferry-auto@dev-loop0.service" >verify.out 2>&1 ||
    { cat verify.out; die "systemd-analyze verify fails on ferry-auto@dev-loop0.service"; }
[ ! -s verify.out ] || { cat verify.out; die "systemd-analyze verify warns on ferry-auto@.service"; }
# the check can fail: a broken copy is caught
mkdir broken
sed 's/^RemainAfterExit=yes$/RemainAfterExit=perhaps/' "$U" >broken/ferry-auto@.service
systemd-analyze verify --man=no "$TEST_TMP/broken/ferry-auto@dev-loop0.service" >broken.out 2>&1 || true
grep -q 'perhaps' broken.out || { cat broken.out; die "systemd-analyze verify did not catch a bad value"; }

# --- udevadm test on loop devices, in a private mount namespace
LOOPS=()
trap 'for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done; true' EXIT
attach() {
	local l
	l=$(losetup -f --show "$1" 2>losetup.err) || skip "no loop device: $(cat losetup.err)"
	LOOPS+=("$l")
	echo "$l"
}
truncate -s 16M fs.img raw.img
mkfs.ext4 -q -L FERRYSTICK fs.img
fsdev=$(attach fs.img)
rawdev=$(attach raw.img)
# udev_test DEVICE ACTION MARK: the properties udevadm test computes with
# the installed rule (and, when MARK is 1, an earlier rule marking DEVICE)
udev_test() {
	local k=${1#/dev/}
	unshare -m sh -ec '
		mount --make-rprivate /
		mount -t tmpfs ferry-udev /run/udev 2>/dev/null || { mkdir -p /run/udev && mount -t tmpfs ferry-udev /run/udev; }
		[ -d /dev/disk ] || mkdir /dev/disk
		mount -t tmpfs ferry-udev /dev/disk
		mkdir /run/udev/rules.d
		cp "$1" /run/udev/rules.d/
		[ "$4" = 0 ] || printf "SUBSYSTEM==\"block\", KERNEL==\"%s\", ENV{FERRY_AUTO}=\"1\"\n" "$2" \
		    >/run/udev/rules.d/68-ferry-auto-local.rules
		udevadm test --action="$3" "/sys/class/block/$2"
	' sh "$R" "$k" "$2" "$3" >"udev.$k.$2.$3" 2>&1 || { cat "udev.$k.$2.$3"; die "udevadm test $1 $2 failed"; }
	grep -q "69-ferry-auto.rules" "udev.$k.$2.$3" || { cat "udev.$k.$2.$3"; die "udevadm test did not read the rule"; }
}
wants() { grep -qx 'SYSTEMD_WANTS=ferry-auto@.service' "udev.${1#/dev/}.$2.$3"; }

udev_test "$fsdev" add 1
grep -qx 'ID_FS_LABEL=FERRYSTICK' "udev.${fsdev#/dev/}.add.1" || die "udev did not probe the label"
grep -qx 'FERRY_AUTO=1' "udev.${fsdev#/dev/}.add.1" || die "the local rule's mark was lost"
wants "$fsdev" add 1 || { cat "udev.${fsdev#/dev/}.add.1"; die "a marked device with a file system does not want ferry-auto@.service"; }
grep -qx 'TAGS=.*:systemd:.*' "udev.${fsdev#/dev/}.add.1" || die "the device is not tagged for systemd"
udev_test "$fsdev" add 0
wants "$fsdev" add 0 && die "a device on no auto bus (not USB, not marked) wants ferry-auto"
udev_test "$rawdev" add 1
wants "$rawdev" add 1 && die "a device without a file system wants ferry-auto"
udev_test "$fsdev" remove 1
wants "$fsdev" remove 1 && die "a remove event wants ferry-auto"
note "unit verified; the rule wants ferry-auto@.service for a marked file system only"
