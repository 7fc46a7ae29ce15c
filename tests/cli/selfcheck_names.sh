# Issue 15 "exact file names", mkmedia's side: `mkmedia build` says "safe
# to remove" only for a medium whose every new package the client's own
# code extracts (and every new delta it applies) exactly as listed.  A
# vendor folder with an NFD name (cafe + U+0301, as macOS writes it) is
# the case that slipped through: either the name survives the round trip
# byte for byte and a client installs it, or the self-check refuses the
# build before the switch and the medium on the target stays as it was.
# Never "safe to remove" followed by a client refusing the medium.
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
nfd=$(printf 'cafe\xcc\x81')
make_repo repo
mkdir -p v1 v2/sub
printf 'plain\n' >v1/plain.txt
printf 'plain\n' >v2/plain.txt
printf 'accent\n' >"v2/sub/$nfd.txt"
expect_ok mkmedia --repo repo add patterns 1.0 v1
build_medium repo stick
serial() { verifymedia --json --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$1" | jq -r .serial; }
[ "$(serial stick)" = 1 ] || die "first medium does not verify"
expect_ok mkmedia --repo repo add patterns 2.0 v2
rc=0
mkmedia --repo repo build --out stick --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" \
    >build.out 2>build.err || rc=$?
make_client cl
if [ "$rc" -eq 0 ]; then
	grep -q 'safe to remove' build.out || die "success without 'safe to remove'"
	expect_ok client cl apply stick
	[ -f "cl/opt/av/Bases/sub/$nfd.txt" ] || die "said safe to remove, but the client lacks the exact name"
	note "the NFD name survives the round trip; the client installed it"
else
	[ "$rc" -eq 9 ] || [ "$rc" -eq 6 ] || { cat build.err; die "exit $rc, want 9 or 6 from the self-check"; }
	grep -q "self-check with the client's code before the switch: a client would refuse this package" build.err ||
	    { cat build.err; die "refusal does not name the self-check"; }
	grep -q 'safe to remove' build.out && die "said safe to remove and failed"
	[ "$(serial stick)" = 1 ] || die "the refused build spoiled the medium on the target"
	expect_ok client cl apply stick
	note "the self-check refused the NFD name before the switch: $(head -c 200 build.err)"
fi
