# A refused `mkmedia add` leaves the repository exactly as it was: no
# empty components/<name> folder for a component it did not add (before,
# 'mkmedia add newcomp 1.0 /missing' left components/newcomp behind, and
# `list` and `build` found a component without versions), no staging
# folder, nothing else.  Each case: the exit code, the message, and the
# digest of the whole repository before and after.
. "$FERRY_TESTLIB/common.sh"
make_repo repo
make_samples
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
mkdir empty withlink
echo data >withlink/a.db
ln -s /etc/passwd withlink/link
echo 'not an archive' >bad.zip

# refused REPO CODE REGEX ARGS...: `mkmedia --repo REPO add ARGS...` exits
# CODE with REGEX on stderr and REPO is unchanged
refused() {
	local r=$1 code=$2 re=$3 before; shift 3
	before=$(tree_digest "$r")
	expect_fail "$code" "$re" mkmedia --repo "$r" add "$@"
	[ "$(tree_digest "$r")" = "$before" ] || {
		(cd "$r" && find . | sort); die "refused add $* changed the repository"; }
}
# a new component
refused repo 18 '^mkmedia: missing: cannot read' engine 8.0.1 missing
[ ! -e repo/components/engine ] || die "components/engine left behind"
refused repo 4 'empty: is empty' engine 8.0.1 empty
refused repo 9 'link' engine 8.0.1 withlink
refused repo 4 'bad.zip' engine 8.0.1 bad.zip
refused repo 4 'empty: is empty' engine 8.0.1 empty --variant jp
refused repo 2 'not a valid version' engine 'bad version' "$SAMPLES/engine/8.0.1"
# an existing component: a refused new version, and changed content
refused repo 18 'cannot read' patterns 2026.11.21-1 missing
refused repo 6 'already ingested with different content' patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.21-1"
# control: the same component is then added as usual
expect_ok mkmedia --repo repo add engine 8.0.1 "$SAMPLES/engine/8.0.1"
expect_ok mkmedia --repo repo list
out_has 'engine'
