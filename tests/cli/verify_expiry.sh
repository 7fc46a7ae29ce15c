# verifymedia judges a medium's expiry as a client at its default
# settings does (expired = refuse, grace_days = 7): past the grace days it
# fails with exit 12, the code applymedia refuses the same medium with;
# within them, a warning and exit 0; --grace-days N mirrors a client's
# grace_days.  --json carries "expires" and "expired".  (Before, verifymedia
# said "ok" for a medium every client refused.)
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
now=$(date +%s)
day=86400
V() { verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$@"; }
T='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'

# control: a medium that has not expired
build_medium repo fresh --expires 30
expect_ok V fresh
out_has '^ok: example-av-stable-1 '
grep -q expired last.err && die "warned about a medium that has not expired"
expect_ok V --json fresh
jq -e '.ok and .expired == false and (.expires | test("^[0-9-]+T"))' last.out >/dev/null ||
    { cat last.out; die "--json: no expires/expired for a live medium"; }
# without --expires: "expires": null
build_medium repo never --serial 2
expect_ok V --json never
jq -e '.ok and .expired == false and .expires == null' last.out >/dev/null ||
    { cat last.out; die "--json: a medium without expiry"; }

# signed 30 days ago, expired 29 days ago: every default client refuses it
SOURCE_DATE_EPOCH=$((now - 30 * day)) build_medium repo old --expires 1 --serial 3
make_client cl
before=$(client_digest cl)
expect_fail 12 '^applymedia: example-av-stable-3: expired on ' client cl apply old
[ "$(client_digest cl)" = "$before" ] || die "the refused medium changed the client"
expect_fail 12 "^verifymedia: example-av-stable-3: expired on $T \(clock $T\): clients with grace_days = 7 refuse it since $T \(exit 12\); make a new medium\$" V old
err_has '^verifymedia: 1 problem found$'
grep -q '^ok:' last.out && die "verifymedia said ok for an expired medium"
rc=0; V --json old >last.out 2>last.err || rc=$?
[ "$rc" -eq 12 ] || { cat last.out last.err; die "--json: exit $rc, want 12"; }
jq -e '.ok == false and .result == "expired" and .exit == 12 and .expired == true
    and (.expires | test("^[0-9-]+T")) and (.problems | length == 1)
    and .problems[0].code == "expired" and .problems[0].where == "example-av-stable-3"' last.out >/dev/null ||
    { cat last.out; die "--json does not report the expiry"; }
# a client with grace_days = 60 still takes it: so does --grace-days 60
expect_ok V --grace-days 60 old
out_has '^ok: example-av-stable-3 '
err_has "^verifymedia: warning: medium example-av-stable-3 expired on $T \(clock $T\): clients with grace_days = 60 accept it with a warning until $T, then refuse it \(exit 12\)\$"
make_client cl60 "grace_days = 60"
expect_ok client cl60 apply old
expect_fail 2 '^verifymedia: --grace-days' V --grace-days soon old

# a damaged and expired medium: the worse news is the exit code
rm -rf bad && cp -a old bad
flip_byte "$(find bad/ferry/pkg -name '*base*' | head -1)" 200
expect_fail 6 'sha256 differs' V bad
err_has 'expired on'
err_has '^verifymedia: 2 problems found$'

# expired 2 days ago: within the default grace, clients warn and apply
SOURCE_DATE_EPOCH=$((now - 3 * day)) build_medium repo recent --expires 1 --serial 4
expect_ok V recent
out_has '^ok: example-av-stable-4 '
err_has "^verifymedia: warning: medium example-av-stable-4 expired on $T \(clock $T\): clients with grace_days = 7 accept it with a warning"
expect_ok V --json recent
jq -e '.ok and .expired == true' last.out >/dev/null || { cat last.out; die "--json: expired within grace"; }
make_client cl2
expect_ok client cl2 apply recent
# a strict client (grace_days = 0) refuses it, and so does --grace-days 0
make_client cl0 "grace_days = 0"
expect_fail 12 'expired on' client cl0 apply recent
expect_fail 12 'clients with grace_days = 0 refuse it since' V --grace-days 0 recent
