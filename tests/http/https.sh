# https mirror with a self-signed certificate made at test time.  Without
# trusting it applymedia refuses (TLS, exit 3, clear message, client
# unchanged); with FERRY_CA_BUNDLE pointing at it the medium applies.  The
# host name is checked too, and the signature is still required over TLS.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
command -v openssl >/dev/null || skip "openssl not installed"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout key.pem -out cert.pem \
    >openssl.log 2>&1 || { cat openssl.log; die "openssl req failed"; }
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
mkdir www
cp -a m1/ferry www/ferry
nginx_start www ssl "$PWD/cert.pem" "$PWD/key.pem"
URL=https://127.0.0.1:$NGINX_PORT/ferry/
unset FERRY_CA_BUNDLE

# Not trusted: refused before any byte is believed.
make_client c
before=$(client_digest c)
expect_fail 3 '^applymedia: manifest.json: TLS failed, the mirror.s certificate was refused \(.*\); for a private CA set FERRY_CA_BUNDLE=FILE$' \
    client c apply "$URL"
[ "$(client_digest c)" = "$before" ] || die "client changed after a TLS refusal"
expect_fail 3 'TLS failed' verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$URL"

# Trusted through FERRY_CA_BUNDLE, but the name does not match (the
# certificate is for 127.0.0.1, not localhost): still refused.
FERRY_CA_BUNDLE=$PWD/cert.pem expect_fail 3 'TLS failed' \
    client c apply "https://localhost:$NGINX_PORT/ferry/"
[ "$(client_digest c)" = "$before" ] || die "client changed after a host name refusal"

# Trusted: works, and verifies end to end.
FERRY_CA_BUNDLE=$PWD/cert.pem expect_ok verifymedia --trust "$FPR_GOOD" \
    --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$URL"
FERRY_CA_BUNDLE=$PWD/cert.pem expect_ok client c apply "$URL"
expect_ok client c status
out_has 'patterns.*2026\.11\.20-1'

# TLS is no substitute for the signature.
make_client c2
rm www/ferry/manifest.json.sig
before=$(client_digest c2)
FERRY_CA_BUNDLE=$PWD/cert.pem expect_fail 5 'not signed: manifest.json.sig is missing' \
    client c2 apply "$URL"
[ "$(client_digest c2)" = "$before" ] || die "client changed after an unsigned https medium"
