# mkmedia build --for REPORTS: the refusals.  --for with --since (two ways
# to say what the clients have), a path that is not a folder of reports,
# and reports that need nothing (none at all, or only untrusted ones):
# each refused with its exit code and message, nothing written, the
# repository's serial not used up.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
serial() { jq .serial repo/ferry-repo.json; }
s0=$(serial)
b() { mkmedia --repo repo build --out out --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" "$@"; }
expect_fail 2 "mkmedia: --for and --since are two ways to say what the clients have: give one" \
    b --for reports --since prev
expect_fail 18 "mkmedia: .*nowhere" b --for nowhere
mkdir empty
expect_fail 18 "mkmedia: --for: no trusted client needs anything" b --for empty
out_has "^--for: 0 trusted client\(s\) from 0 report file\(s\); 0 untrusted report\(s\) not used$"
# a report file that is not signed: untrusted, named, not used
mkdir -p unsigned/ferry-reports
echo '{}' >unsigned/ferry-reports/report-0123456789abcdef0123456789abcdef01234567-0000000001.json
expect_fail 18 "mkmedia: --for: no trusted client needs anything" b --for unsigned
err_has "warning: --for: .*report-0123456789abcdef0123456789abcdef01234567-0000000001.json: untrusted, not used"
[ ! -e out ] || die "a refused build wrote something"
[ "$(serial)" = "$s0" ] || die "a refused build used up a serial"
