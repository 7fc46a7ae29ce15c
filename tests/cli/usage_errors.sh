# usage_errors: a bad command line is one error line in the documented form
# "<tool>: <where>: <what>" (docs/EXIT-CODES.md), then the usage text, exit
# 2, for all three tools.  Before, getopt printed its own line too
# ("/path/to/applymedia: unrecognized option '--frob'", with the binary's
# path and in the C library's language), and mkmedia and verifymedia printed
# only getopt's line.
. "$FERRY_TESTLIB/common.sh"

# one_error TOOL LINE ARGS...: exit 2, the first stderr line is LINE, the
# second starts the usage text, and no line is getopt's.
one_error() {
	local t=$1 line=$2; shift 2
	expect_fail 2 . "$t" "$@"
	[ "$(sed -n 1p "$TEST_TMP/last.err")" = "$line" ] ||
	    { cat "$TEST_TMP/last.err"; die "$t $*: first line is not: $line"; }
	sed -n 2p "$TEST_TMP/last.err" | grep -q "^usage: $t " ||
	    { cat "$TEST_TMP/last.err"; die "$t $*: no usage text after the error"; }
	! grep -qE 'unrecognized option|requires an argument|invalid option' "$TEST_TMP/last.err" ||
	    { cat "$TEST_TMP/last.err"; die "$t $*: getopt printed its own line"; }
	[ "$(grep -c "^$t: " "$TEST_TMP/last.err")" -eq 1 ] ||
	    { cat "$TEST_TMP/last.err"; die "$t $*: not exactly one error line"; }
}
for t in applymedia mkmedia verifymedia; do
	one_error "$t" "$t: unknown option or missing argument: --frob" --frob
	one_error "$t" "$t: unknown option or missing argument: -Z" -Z
done
one_error applymedia "applymedia: unknown option or missing argument: --config" status --config
one_error mkmedia "mkmedia: unknown option or missing argument: --repo" list --repo
one_error verifymedia "verifymedia: unknown option or missing argument: --keyring" x --keyring
one_error applymedia "applymedia: no command given"
one_error mkmedia "mkmedia: no command given"
one_error mkmedia "mkmedia: unknown command: frob" frob
one_error verifymedia "verifymedia: give exactly one PATH" a b
# a word left over after a command that takes none is named, not ignored
# (before, "mkmedia list mirror" listed the repository and exit 0)
make_repo repo
expect_ok mkmedia --repo repo list		# control
one_error mkmedia "mkmedia: unexpected argument: mirror" --repo repo list mirror
one_error mkmedia "mkmedia: unexpected argument: mirror" --repo repo list --json mirror
one_error mkmedia "mkmedia: unexpected argument: example" --repo r2 init --publisher p example
[ ! -e r2 ] || die "init with an extra word made a repository"
one_error mkmedia "mkmedia: unexpected argument: usb" --repo repo build --out o usb --sign-key 0E21C1D292BA7AE12CEEFF1EA761130E799F1378
[ ! -e o ] || die "build with an extra word wrote something"
mkdir src && echo x >src/a
before=$(tree_digest repo)
one_error mkmedia "mkmedia: unexpected argument: again" --repo repo add patterns 1.0 src again
[ "$(tree_digest repo)" = "$before" ] || die "add with an extra word changed the repository"
# Control: --help is the usage text alone, on standard output, exit 0.
for t in applymedia mkmedia verifymedia; do
	expect_ok "$t" --help
	sed -n 1p "$TEST_TMP/last.out" | grep -q "^usage: $t " || die "$t --help"
	[ ! -s "$TEST_TMP/last.err" ] || die "$t --help wrote to stderr"
done
