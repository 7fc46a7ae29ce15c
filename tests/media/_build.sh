# tests/media/_build.sh: fixture and checks of the "a failed build never
# spoils a good medium" tests (build_keeps_medium.sh, and
# tests/crash/build_random_kill.sh).  Source after tests/lib/common.sh.
# Not a test (run.sh skips _*.sh).
#
# build_fixture: repo/ holds patterns 2026.11.19-1 and engine 8.0.0, built
# as the OLD medium (serial 1) into old.tmpl/; then patterns 2026.11.20-1
# and engine 8.0.1 are added, so a build with --serial 2 ($NEW_SERIAL)
# writes new packages beside the old ones and removes obsolete ones.
OLD_SERIAL=1
NEW_SERIAL=2

# The fixture lives on a private tmpfs when one can be mounted (root): the
# trials test process death and I/O errors, not power loss (that is the
# power-loss simulator's job), and without real fsyncs they run several
# times faster.  FERRY_CRASH_DISK=1 keeps it on the test's file system.
# The caller's working directory becomes the fixture's.
build_unmount() { [ -z "${BUILD_MNT:-}" ] || umount -l "$BUILD_MNT" 2>/dev/null || true; }
build_fixture() {
	mkdir -p w
	if [ -z "${FERRY_CRASH_DISK:-}" ] &&
	    mount -t tmpfs -o size=256m,mode=0700 ferry-build w 2>/dev/null; then
		BUILD_MNT=$PWD/w
		trap build_unmount EXIT
	fi
	cd w
	make_repo repo
	add_versions repo patterns 2026.11.19-1
	add_versions repo engine 8.0.0
	build_medium repo old.tmpl
	add_versions repo patterns 2026.11.20-1
	add_versions repo engine 8.0.1
}

# new_build TARGET [options]: the build of the NEW medium onto TARGET.
new_build() {
	local t=$1; shift
	mkmedia --repo repo build --out "$t" --sign-key "$FPR_GOOD" \
	    --gnupghome "$KEYHOME" --serial "$NEW_SERIAL" "$@"
}

# serial_of TARGET: verifymedia TARGET; prints the serial it verified as,
# or "FAIL <exit> <first problem>".
serial_of() {
	local rc=0 out
	out=$(verifymedia --json --trust "$FPR_GOOD" \
	    --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$1" 2>/dev/null) || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "$out" | jq -r .serial
	else
		echo "FAIL $rc $(echo "$out" | jq -r '.problems[0] |
		    "\(.where): \(.message)"' 2>/dev/null | head -c 200)"
	fi
}

# old_or_new TARGET WHAT: TARGET must verify as the old or the new medium
# (never "incomplete"); prints the serial.  Dies otherwise.
old_or_new() {
	local s
	s=$(serial_of "$1")
	case $s in
	"$OLD_SERIAL"|"$NEW_SERIAL") echo "$s" ;;
	*) die "$2: the target verifies as neither the old nor the new medium: $s" ;;
	esac
}
