# mirror_cli: `mkmedia mirror` takes the common options --repo, --quiet and
# --verbose (mkmedia --help: "common options"), before the command as with
# every other command or among its own options.  Before, `mkmedia --repo R
# mirror --from ...` failed with "unrecognized option '--from'" and
# `mkmedia mirror ... --quiet` with "unknown option": exit 2 for a
# documented command line.
. "$FERRY_TESTLIB/common.sh"
need_keys
KR=$FERRY_TEST_KEYS/pinned.gpg
mkdir -p src
printf 'one\n' >src/a.txt
make_repo repo
mkmedia --repo repo add comp 1.0 src >/dev/null
expect_ok build_medium repo med
M=(--from med --trust "$FPR_GOOD" --keyring "$KR")

# Control: the documented form (docs/MIRROR.md) prints its one line.
expect_ok mkmedia mirror "${M[@]}" --to "$PWD/m0"
out_has '^mirrored example-av-stable-1 \(serial 1\) to .*/m0: [0-9]+ files copied'

# Common options before the command.
expect_ok mkmedia --repo repo mirror "${M[@]}" --to "$PWD/m1"
out_has '^mirrored example-av-stable-1 \(serial 1\) to .*/m1: '
expect_ok mkmedia --repo=repo --quiet mirror "${M[@]}" --to "$PWD/m2"
[ ! -s "$TEST_TMP/last.out" ] || { cat "$TEST_TMP/last.out"; die "--quiet before mirror printed"; }
expect_ok mkmedia -q mirror "${M[@]}" --to "$PWD/m3"
[ ! -s "$TEST_TMP/last.out" ] || die "-q before mirror printed"
# ... and among mirror's own options.
expect_ok mkmedia mirror "${M[@]}" --to "$PWD/m4" --quiet
[ ! -s "$TEST_TMP/last.out" ] || die "--quiet after mirror printed"
expect_ok mkmedia mirror --verbose "${M[@]}" --to "$PWD/m5" --repo repo
out_has '^mirrored example-av-stable-1 \(serial 1\) to .*/m5: '
for d in m1 m2 m3 m4 m5; do
	diff -r m0 "$d" >/dev/null || die "$d differs from the control mirror"
done

# Still refused: a real unknown option, an operand, a missing --to.
expect_fail 2 '^mkmedia: mirror: unknown option or missing argument: --frob$' \
    mkmedia --repo repo mirror "${M[@]}" --to "$PWD/m6" --frob
expect_fail 2 '^mkmedia: mirror takes no operand: extra$' \
    mkmedia --quiet mirror "${M[@]}" --to "$PWD/m6" extra
expect_fail 2 '^mkmedia: mirror needs --from MEDIUM and --to DIR$' \
    mkmedia --repo repo mirror "${M[@]}"
[ ! -e m6 ] || die "a refused mirror command wrote m6"
