# applymedia over http from nginx on loopback: a fresh client gets the
# bases, a client one day behind fetches only the delta (nginx's access
# log shows nothing else besides manifest and signatures), re-applying is
# a no-op, verifymedia checks the mirror end to end, and the mirror's
# root URL (holding ferry/) works like a stick's root.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2

mkdir www
cp -a m1/ferry www/ferry
nginx_start www
URL=$NGINX_URL/ferry/

# Control: the served tree verifies over http.
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$URL"
out_has '^ok: example-av-stable-1 \(serial 1\)'

# A fresh client: the bases.
make_client fresh
: >"$NGINX_LOG"
expect_ok client fresh apply "$URL"
# nothing to remove: no "the medium may be removed now" for a mirror
out_has '^all packages downloaded and verified$'
grep -q 'may be removed' last.out && { cat last.out; die "'may be removed' printed for an http mirror"; }
nginx_gets >gets1
grep -q 'patterns-2026.11.20-1-base' gets1 || die "fresh client did not fetch the patterns base"
grep -q 'engine-8.0.0-base' gets1 || die "fresh client did not fetch the engine base"
expect_ok client fresh status
out_has 'patterns.*2026\.11\.20-1'

# Re-applying the same medium is a no-op and fetches no package.
d=$(client_digest fresh)
: >"$NGINX_LOG"
expect_ok client fresh apply "$URL"
nginx_gets | grep -q '/pkg/' && { nginx_gets; die "re-apply fetched a package"; }
[ "$(client_digest fresh)" = "$d" ] || die "re-apply changed the client"

# The next day's medium on the mirror: the client one day behind gets the
# delta and nothing else besides manifest and signatures.
rm -rf www/ferry && cp -a m2/ferry www/ferry
: >"$NGINX_LOG"
expect_ok client fresh apply "$URL"
nginx_gets >gets2
cat gets2
grep -v -E '^/ferry/(manifest\.json(\.sig(\.[0-9]+)?)?)$' gets2 >pkgs2 || true
[ "$(cat pkgs2)" = "/ferry/pkg/patterns/$(cd m2/ferry/pkg/patterns && ls *-2026.11.20-1-to-2026.11.21-1-*.fdelta)" ] ||
    { cat pkgs2; die "expected exactly the 11.20-1 -> 11.21-1 delta"; }
expect_ok client fresh status
out_has 'patterns.*2026\.11\.21-1'
# ... over one connection: the probes nginx answered 404 (.incomplete, the
# next signature, the next key set) kept it open.  libcurl closes the
# connection after a 404 under CURLOPT_FAILONERROR, and every probe then
# cost the next request a new one (5 connections for 9 requests).
awk '$1 == "HEAD" && $3 == 404' "$NGINX_LOG" | grep -q . ||
    { cat "$NGINX_LOG"; die "no 404 probe in the apply: the check below proves nothing"; }
conns=$(awk '{ print $6 }' "$NGINX_LOG" | sort -u | wc -l)
[ "$conns" -eq 1 ] || { cat "$NGINX_LOG"; die "the apply used $conns connections, expected 1"; }

# The same result as a client applying the stick directly.
make_client stick
expect_ok client stick apply m1
out_has '^all packages copied and verified; the medium may be removed now$'
expect_ok client stick apply m2
same_apps() {
	local c
	for c in Bases engine; do
		[ "$(tree_digest "$1/opt/av/$c")" = "$(tree_digest "$2/opt/av/$c")" ] ||
		    die "$1 and $2 differ in /opt/av/$c"
	done
}
same_apps fresh stick

# The server root holding ferry/ is found like a stick's root.
make_client root
expect_ok client root apply "$NGINX_URL/"
same_apps root stick
