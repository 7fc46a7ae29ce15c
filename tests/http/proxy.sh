# The standard proxy variables are honoured (libcurl): with http_proxy set
# and the mirror's host not in no_proxy, every request goes to the proxy
# (a loopback helper that answers from a folder and forwards nothing; the
# mirror's host name is never resolved).  With no_proxy covering the host
# the proxy is bypassed.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
pyserve_start plain m1

make_client c
unset no_proxy NO_PROXY HTTP_PROXY
http_proxy=$PYSERVE_URL expect_ok client c apply http://mirror.invalid/ferry/
grep -q '^GET http://mirror.invalid/ferry/manifest.json - 200$' "$PYSERVE_LOG" ||
    { cat "$PYSERVE_LOG"; die "manifest not fetched through the proxy"; }
grep -q '^GET http://mirror.invalid/ferry/pkg/' "$PYSERVE_LOG" ||
    die "package not fetched through the proxy"
expect_ok client c status
out_has 'patterns.*2026\.11\.20-1'

# no_proxy: the proxy is not used (the direct connection to an unused
# loopback port fails, quickly and clearly).
: >"$PYSERVE_LOG"
port=$(free_port)
make_client d
before=$(client_digest d)
FERRY_HTTP_RETRIES=0 http_proxy=$PYSERVE_URL no_proxy=127.0.0.1 expect_fail 3 \
    'manifest.json: cannot read from the mirror: .*(onnect|refused)' \
    client d apply "http://127.0.0.1:$port/ferry/"
! grep -q '^GET' "$PYSERVE_LOG" || die "no_proxy host went through the proxy"
[ "$(client_digest d)" = "$before" ] || die "client changed"
