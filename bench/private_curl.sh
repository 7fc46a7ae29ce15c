#!/usr/bin/env bash
# bench/private_curl.sh BUILD_DIR [ROUNDS] [PER_ROUND]: the CPU of one
# HTTP apply (a client one day behind: manifest, signatures, one delta)
# with ferry's private HTTP(S)-only libcurl (BUILD_DIR/libcurl.so.4, from
# dist/curl/build-private.sh) and with the system's libcurl.so.4, in
# ROUNDS (10) alternating rounds of PER_ROUND (20) clients one after the
# other (system first).  The same applymedia binary, copied into two
# folders, one of them with the private copy beside it.  nginx on
# 127.0.0.1 only (tests/http/_nginx.sh).  CPU = user + sys of the
# clients with the gpg processes GPGME starts (bench/reap.c); prints per
# client medians over the rounds and each round's values
# (docs/BENCHMARKS-http.md, "Private libcurl").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$(cd "${1:?usage: private_curl.sh BUILD_DIR [ROUNDS] [PER_ROUND]}" && pwd)
ROUNDS=${2:-10}
PER=${3:-20}
[ -f "$BUILD/libcurl.so.4" ] || { echo "no $BUILD/libcurl.so.4 (build.sh builds it into build/curl)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/ferry-bench-curl.XXXXXX)
export FERRY_SRC=$ROOT FERRY_BIN=$BUILD FERRY_TESTLIB=$ROOT/tests/lib TEST_TMP=$WORK
export LC_ALL=C.UTF-8 TZ=UTC
unset GNUPGHOME FERRY_LOCALEDIR
cd "$WORK"
cc -O2 -o reap "$ROOT/bench/reap.c"
"$ROOT/tests/lib/mkkeys.sh" "$WORK/keys" >/dev/null 2>&1
export FERRY_TEST_KEYS=$WORK/keys
. "$FERRY_TESTLIB/common.sh"
set +e; . "$ROOT/tests/http/_nginx.sh"; set -e
trap '_http_cleanup; rm -rf "$WORK"' EXIT
make_repo repo >/dev/null
add_versions repo patterns 2026.11.20-1 >/dev/null
add_versions repo engine 8.0.0 >/dev/null
build_medium repo m1 >/dev/null
add_versions repo patterns 2026.11.21-1 >/dev/null
build_medium repo m2 >/dev/null
make_client tmpl
client tmpl apply m1 >/dev/null
mkdir www && cp -a m2/ferry www/ferry
nginx_start www
URL=$NGINX_URL/ferry/
mkdir -m 0755 sys priv
cp "$BUILD/applymedia" sys/
cp "$BUILD/applymedia" priv/
install -m 0644 "$BUILD/libcurl.so.4" priv/libcurl.so.4

# round KIND: PER fresh copies of the template apply the mirror; prints
# "wall_ms cpu_ms" per client
round() {
	local kind=$1 i c l
	rm -rf clients && mkdir clients
	for i in $(seq 1 "$PER"); do
		c=clients/c$i
		cp -a tmpl "$c"
		for l in "$c"/opt/av/*; do
			[ -L "$l" ] || continue
			ln -sfn "$(readlink "$l" | sed "s#^$WORK/tmpl/#$WORK/$c/#")" "$l"
		done
	done
	/usr/bin/time -f '%e %U %S' -o cpu.txt ./reap bash -c '
		for i in $(seq 1 '"$PER"'); do
			'"$WORK/$kind"'/applymedia --root '"$WORK"'/clients/c$i apply '"$URL"' >/dev/null 2>&1 ||
			    { echo "'"$kind"' client $i failed" >&2; exit 1; }
		done'
	for i in $(seq 1 "$PER"); do
		[ "$(readlink -f "clients/c$i/opt/av/Bases" | grep -c 2026.11.21-1)" = 1 ] ||
		    { echo "$kind client $i not at 2026.11.21-1" >&2; exit 1; }
	done
	awk -v n="$PER" '{ printf "%.2f %.2f\n", $1 * 1000 / n, ($2 + $3) * 1000 / n }' cpu.txt
}
: >sys.tsv; : >priv.tsv
round sys >/dev/null	# warm-up (page cache, nginx)
for r in $(seq 1 "$ROUNDS"); do
	round sys >>sys.tsv
	round priv >>priv.tsv
done
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in sys priv; do
	printf '%-5s per client: wall %s ms, CPU (user+sys) %s ms; rounds CPU: %s\n' "$k" \
	    "$(cut -d' ' -f1 $k.tsv | med)" "$(cut -d' ' -f2 $k.tsv | med)" \
	    "$(cut -d' ' -f2 $k.tsv | tr '\n' ' ')"
done
