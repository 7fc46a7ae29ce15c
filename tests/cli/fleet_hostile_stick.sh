# The stick that comes back from the fleet is hostile as a whole, not only
# its reports (docs/SECURITY.md §5): it goes to the publisher host that
# holds the signing key, where `mkmedia fleet` reads its reports and
# `mkmedia build --for STICK --out STICK` writes the next medium onto it.
# - A device node where a report or its signature should be is refused
#   without being opened (opening a device runs its driver: a watchdog
#   starts, a tape rewinds); the refusal names it, "not a regular file".
# - ferry-reports that is a symbolic link or a file is named as such.
# - A target whose ferry/, ferry/pkg or ferry/pkg/COMPONENT is a symbolic
#   link (or a file) is refused with exit 9 before anything is written:
#   nothing outside the target, nothing on the target, the repository
#   unchanged (not even its serial); mkmedia mirror refuses such a link
#   in its folder too.
# - A signature file with two enrolled clients' signatures is refused as
#   such (it said "signed by key A, but the file name names key A").
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys

make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
build_medium repo m1
add_versions repo patterns 2026.11.20-1
fleet_client a web-01;  A=$FLEET_FPR
expect_ok client a apply m1
fleet_enroll repo a web-01
la=$(echo "$A" | tr 'A-F' 'a-f')
expect_ok client a report --to good
G=report-$la-0000000002.json
[ -f "good/$G" ] || die "no report"
REPO=$(tree_digest repo)

# control: the genuine report is used, and a medium is built for it
expect_ok mkmedia --repo repo fleet good
out_has "^behind +web-01 "
cp -a good ctl
expect_ok mkmedia --repo repo build --for ctl --out ctl --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME"
[ -f ctl/ferry/manifest.json ] || die "control: no medium"
REPO=$(tree_digest repo)

# 1. device nodes as a report and as a signature (major 240: no driver,
# so an open would fail with ENXIO, "No such device or address")
mkdir -p dev
if mknod "dev/report-$la-0000000003.json" c 240 7 2>/dev/null &&
    cp "good/$G" dev/ && mknod "dev/$G.sig" c 240 7; then
	expect_ok mkmedia --repo repo fleet dev
	out_has "^UNTRUSTED dev/report-$la-0000000003.json: not a regular file \(device, fifo or directory\) \(not used\)$"
	out_has "^UNTRUSTED dev/$G: not a regular file \(device, fifo or directory\) \(not used\)$"
	grep -q "No such device" "$TEST_TMP/last.out" && die "a device node was opened"
	out_has "^0 client\(s\): .* 2 untrusted report\(s\) ignored"
else
	skip_part "mknod is not allowed here (not root, or nodev): no device-node case"
fi

# 2. ferry-reports that is no folder is named as such, and not followed
mkdir -p outside st1 st2
cp "good/$G" "good/$G.sig" outside/
ln -s "$PWD/outside" st1/ferry-reports
echo x >st2/ferry-reports
expect_ok mkmedia --repo repo fleet st1
out_has "^UNTRUSTED st1/ferry-reports: is a symbolic link: not followed \(not used\)$"
out_has "^0 client\(s\)"
expect_ok mkmedia --repo repo fleet st2
out_has "^UNTRUSTED st2/ferry-reports: is not a folder \(not used\)$"

# 2b. a .sig with two enrolled clients' signatures (the named one's and
# another's) is refused with a message that says so
fleet_client b db-01;  B=$FLEET_FPR
fleet_enroll repo b db-01
REPO=$(tree_digest repo)
mkdir -p twosig
cp "good/$G" twosig/
report_sign a "twosig/$G" && mv "twosig/$G.sig" sig.a
report_sign b "twosig/$G" && mv "twosig/$G.sig" sig.b
cat sig.b sig.a >"twosig/$G.sig"
expect_ok mkmedia --repo repo fleet twosig
out_has "^UNTRUSTED twosig/$G: signed by 2 enrolled keys \(($A|$B), ($A|$B)\): a report carries the signature of its own client only \(not used\)$"
out_has "^0 client\(s\)"

# 3. a target with a symbolic link on the way to the new files
mkdir -p victim
echo keep >victim/file
VICTIM=$(tree_digest victim)
target() {	# target NAME WHAT: the stick NAME is refused for WHAT
	local t=$1 what=$2 before
	cp -a good "$t/ferry-reports"
	before=$(find "$t" -printf '%p %y %s %l\n' | sort | sha256sum)
	expect_fail 9 "mkmedia: $t: $what \(nothing was written\)" \
	    mkmedia --repo repo build --for "$t" --out "$t" \
	    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
	[ "$(tree_digest victim)" = "$VICTIM" ] || die "$t: written outside the target"
	[ "$(find "$t" -printf '%p %y %s %l\n' | sort | sha256sum)" = "$before" ] ||
	    die "$t: the target changed"
	[ "$(tree_digest repo)" = "$REPO" ] || die "$t: the repository changed"
}
mkdir -p t1 t2/ferry t3/ferry/pkg t4/ferry
ln -s "$PWD/victim" t1/ferry
target t1 "ferry: is a symbolic link: not followed"
ln -s "$PWD/victim" t2/ferry/pkg
target t2 "ferry/pkg: is a symbolic link: not followed"
ln -s "$PWD/victim" t3/ferry/pkg/patterns
target t3 "ferry/pkg/patterns: is a symbolic link: not followed"
echo x >t4/ferry/pkg
target t4 "ferry/pkg: is not a folder"
# the same stick without the link takes the medium
rm t2/ferry/pkg
expect_ok mkmedia --repo repo build --for t2 --out t2 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME"
[ "$(tree_digest victim)" = "$VICTIM" ] || die "written outside the target"

# 4. mkmedia mirror writes the same way: a link on the way in the mirror
# folder is refused (exit 9), not written through (on main the package
# went into victim/patterns/)
KR=$FERRY_TEST_KEYS/pinned.gpg
expect_ok mkmedia mirror --from m1 --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"
rm -rf mir/pkg
ln -s "$PWD/victim" mir/pkg
expect_fail 9 "^mkmedia: pkg: is a symbolic link: not followed$" \
    mkmedia mirror --from t2 --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"
[ "$(tree_digest victim)" = "$VICTIM" ] || die "mirror: written outside the mirror folder"
