# applymedia over http loads ferry's private HTTP(S)-only libcurl
# (formats/curl_dl.c, dist/curl/build-private.sh) when it is beside the
# binary (a build folder) or in BINDIR/../lib/ferry (installed), and the
# system's libcurl.so.4 when it is absent or refused: group or world
# writable, in a folder others may write to, owned by another user, or
# not a libcurl at all.
# Every apply succeeds.  Which library the running applymedia mapped is
# read from /proc/PID/maps by a post_switch hook (its parent is
# applymedia).  A machine where the private copy could not be built (no
# network, no deb-src) skips the parts that need it, and says why.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
mkdir www
cp -a m1/ferry www/ferry
nginx_start www
URL=$NGINX_URL/ferry/

# apply_with BINDIR NAME: a fresh client NAME applies the mirror with
# BINDIR/applymedia; NAME.maps lists the libcurl files it had mapped.
apply_with() {
	local bin=$1 c=$2
	make_client "$c"
	sed -i "/^\[component patterns\]/a post_switch = grep -o '/[^ ]*libcurl[^ ]*' /proc/\$PPID/maps | sort -u >$TEST_TMP/$c.maps" \
	    "$c/etc/ferry/client.conf"
	FERRY_BIN=$bin expect_ok client "$c" apply "$URL"
	out_has '^all packages downloaded and verified$'
	[ -s "$c.maps" ] || die "$c: the post_switch hook saw no libcurl in applymedia's maps"
	[ "$(wc -l <"$c.maps")" -eq 1 ] || { cat "$c.maps"; die "$c: more than one libcurl mapped"; }
	expect_ok client "$c" status
	out_has 'patterns.*2026\.11\.20-1'
}
system_curl() {	# system_curl NAME: NAME.maps names the system's libcurl
	grep -q -E '^/(usr/)?lib/[^ ]*libcurl\.so\.4' "$1.maps" ||
	    { cat "$1.maps"; die "$1: applymedia did not load the system libcurl.so.4"; }
}
# bindir NAME [LIB MODE]: a folder with a copy of applymedia (and LIB as
# libcurl.so.4 with MODE)
bindir() {
	mkdir -m 0755 "$1"
	cp "$FERRY_BIN/applymedia" "$1/"
	[ -z "${2:-}" ] || install -m "$3" "$2" "$1/libcurl.so.4"
}

# Absent: the system's libcurl.so.4, and the apply succeeds.
bindir none
apply_with "$PWD/none" none
system_curl none

PRIV=$FERRY_BIN/libcurl.so.4
if [ ! -f "$PRIV" ]; then
	skip_part "no private libcurl in $FERRY_BIN (the Debian curl source could not be fetched or built: see build/curl/build.log): only the system libcurl was tested"
	exit 0
fi
# The private copy needs nothing but libssl, libcrypto and libc.
ldd "$PRIV" >ldd.out || die "ldd $PRIV failed"
other=$(awk '$1 ~ /\.so/ && $1 !~ /^(linux-vdso|libssl|libcrypto|libc|\/lib64\/ld-linux)/ {print $1}' ldd.out)
[ -z "$other" ] || { cat ldd.out; die "the private libcurl needs more than libssl/libcrypto/libc: $other"; }

# The build folder: the copy the Makefile put beside the tools.
apply_with "$FERRY_BIN" build
[ "$(cat build.maps)" = "$(readlink -f "$PRIV")" ] ||
    { cat build.maps; die "applymedia of the build did not load $PRIV"; }

# Installed: BINDIR/../lib/ferry/libcurl.so.4.
mkdir -p inst/lib/ferry
bindir inst/bin
install -m 0644 "$PRIV" inst/lib/ferry/libcurl.so.4
apply_with "$PWD/inst/bin" installed
[ "$(cat installed.maps)" = "$PWD/inst/lib/ferry/libcurl.so.4" ] ||
    { cat installed.maps; die "installed applymedia did not load lib/ferry/libcurl.so.4"; }

# Refused, the system's libcurl used instead: group-writable, world-writable.
bindir gw "$PRIV" 0664
apply_with "$PWD/gw" gw
system_curl gw
bindir ww "$PRIV" 0646
apply_with "$PWD/ww" ww
system_curl ww
# a folder others may write to (the file could be replaced)
bindir wdir "$PRIV" 0644
chmod 0777 wdir
apply_with "$PWD/wdir" wdir
system_curl wdir
# owned by another user (needs root to give it away)
if [ "$(id -u)" -eq 0 ]; then
	bindir other "$PRIV" 0644
	chown 65534 other/libcurl.so.4
	apply_with "$PWD/other" other
	system_curl other
else
	skip_part "not root: a private libcurl owned by another user not tested"
fi
# Not a libcurl: a file that is no library, and a library without
# curl_easy_init & co. (libjansson, which applymedia links anyway).
printf 'not a library\n' >junk.so
bindir junk "$PWD/junk.so" 0644
apply_with "$PWD/junk" junk
system_curl junk
jansson=$(ldd "$FERRY_BIN/applymedia" | awk '$1 ~ /^libjansson\.so/ { print $3 }')
[ -f "$jansson" ] || die "test bug: no libjansson in ldd of applymedia"
bindir notcurl "$jansson" 0644
apply_with "$PWD/notcurl" notcurl
system_curl notcurl
# The control: the same copy, mode 0644, in a folder of its own, is loaded.
bindir ok "$PRIV" 0644
apply_with "$PWD/ok" ok
[ "$(cat ok.maps)" = "$PWD/ok/libcurl.so.4" ] ||
    { cat ok.maps; die "a private libcurl with mode 0644 was not loaded"; }
