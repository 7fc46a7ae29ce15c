# A mirror that lies gets the same refusals as a bad stick, and the client
# is byte-for-byte unchanged: wrong bytes (6), truncated (6), one byte
# longer (6), package missing (404 -> 16), unsigned (5); a stale/replayed
# manifest after a newer one was applied can do nothing (exit 0, nothing
# to do).  Control first: the honest mirror of the same medium applies.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2
DELTA=$(cd m2/ferry && ls pkg/patterns/*-2026.11.20-1-to-2026.11.21-1-*.fdelta)

mkdir www
nginx_start www
URL=$NGINX_URL/ferry/
serve() { rm -rf www/ferry && cp -a "$1/ferry" www/ferry; }

# A client at 11.20-1 (applied from the stick), and its twin for control.
make_client c
expect_ok client c apply m1
make_client control
expect_ok client control apply m1

# Control: the honest mirror of m2.
serve m2
expect_ok client control apply "$URL"
expect_ok client control status
out_has 'patterns.*2026\.11\.21-1'

refused() {	# refused CODE REGEX: apply from the mirror, client unchanged
	local before
	before=$(client_digest c)
	expect_fail "$1" "$2" client c apply "$URL"
	[ "$(client_digest c)" = "$before" ] || die "client changed after a refusal ($2)"
}

# Wrong bytes: one byte flipped in the delta on the served copy.
serve m2
flip_byte "www/ferry/$DELTA" 100
refused 6 "$DELTA: sha256 differs from manifest"

# Truncated.
serve m2
truncate -s -1 "www/ferry/$DELTA"
refused 6 "$DELTA: [0-9]+ bytes, manifest says [0-9]+"

# One byte longer than declared.
serve m2
printf x >>"www/ferry/$DELTA"
refused 6 "$DELTA: longer than the [0-9]+ bytes declared"

# Missing package: 404.
serve m2
rm "www/ferry/$DELTA"
refused 16 "$DELTA: missing on the mirror \(HTTP 404\)"

# Unsigned: no manifest.json.sig on the mirror (signature required over
# http as on a stick).
serve m2
rm www/ferry/manifest.json.sig
refused 5 "manifest.json: not signed: manifest.json.sig is missing"

# A foreign signature only.
serve m2
cp m1/ferry/manifest.json.sig www/ferry/manifest.json.sig
refused 5 "manifest.json: "

# Stale: after the newer medium is applied, the mirror serves the older
# one again (a replay).  It offers nothing newer, so it can do nothing:
# "nothing to do" (exit 0, formats/SPEC.md §13), the client unchanged.
serve m2
expect_ok client c apply "$URL"
serve m1
before=$(client_digest c)
expect_ok client c apply "$URL"
out_has '^medium example-av-stable-1 \(serial 1\) is older than serial 2 already accepted and offers nothing newer: nothing to do$'
[ "$(client_digest c)" = "$before" ] || die "a replayed older mirror changed the client"
