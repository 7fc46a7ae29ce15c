#!/usr/bin/env bash
# dist/curl/build-private.sh CACHE: ferry's private, HTTP(S)-only libcurl
# (docs/DEPENDENCIES.md, "libcurl: a private copy"), built from Debian's
# own curl source package into CACHE (build/curl): CACHE/lib/libcurl.so.4
# CACHE/lib/VERSION (the Debian version of the source it was built
# from) and CACHE/lib/INSTALLED (the installed libcurl4's version then).  The Makefile copies it beside the tools (make O=build/X) and
# installs it as PREFIX/lib/ferry/libcurl.so.4; formats/curl_dl.c loads it
# before the system's libcurl.so.4.
#
# The source is that of the installed libcurl4 when the archive still has
# it, else the newest curl in bookworm (-updates, -security).  apt runs
# with a private sources list and lists folder under CACHE/apt: /etc/apt
# and /var/lib/apt are not touched.  Built once; rebuilt only when the
# installed libcurl4's Debian version changes.
#
# Exit 0 with the library in place, 1 (one line on stderr, the details in
# CACHE/build.log) when it cannot be fetched or built: the tools then use
# the system's libcurl.so.4 and everything works as before.
set -uo pipefail
CACHE=${1:?usage: dist/curl/build-private.sh CACHE}
mkdir -p "$CACHE" || exit 1
CACHE=$(cd "$CACHE" && pwd)
LOG=$CACHE/build.log
LIB=$CACHE/lib

want=$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null || true)
if [ -f "$LIB/libcurl.so.4" ] && [ -f "$LIB/VERSION" ] &&
    [ "$(cat "$LIB/INSTALLED" 2>/dev/null)" = "$want" ]; then
	exit 0		# up to date
fi

fail() {
	echo "build.sh: private HTTP(S)-only libcurl not built ($*; $LOG): the tools will use the system libcurl.so.4" >&2
	exit 1
}

exec 9>"$CACHE/.lock" && flock 9 || fail "cannot lock $CACHE"
# another build may have made it while we waited for the lock
if [ -f "$LIB/libcurl.so.4" ] && [ -f "$LIB/VERSION" ] &&
    [ "$(cat "$LIB/INSTALLED" 2>/dev/null)" = "$want" ]; then
	exit 0
fi

: >"$LOG"
for t in apt-get dpkg-source make cc; do
	command -v "$t" >/dev/null 2>&1 || fail "$t not found"
done
APT=$CACHE/apt
rm -rf "$APT" "$CACHE/src"
mkdir -p "$APT/lists/partial" "$CACHE/src" || fail "cannot create $APT"
cat >"$APT/sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
mv "$APT/sources" "$APT/private.sources"
A=(-o Dir::Etc::SourceList="$APT/private.sources"
   -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists="$APT/lists"
   -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
   -o Acquire::Retries=2 -o Acquire::http::Timeout=30
   -o APT::Sandbox::User="$(id -un)")
echo "== apt-get update (private lists)" >>"$LOG"
timeout 300 apt-get "${A[@]}" --error-on=any update >>"$LOG" 2>&1 ||
    fail "apt-get update of the deb-src lists failed (no network or no Debian archive?)"
cd "$CACHE/src" || fail "no $CACHE/src"
echo "== apt-get source curl=$want" >>"$LOG"
if [ -z "$want" ] ||
    ! timeout 300 apt-get "${A[@]}" source --download-only "curl=$want" >>"$LOG" 2>&1; then
	echo "== apt-get source curl (newest)" >>"$LOG"
	timeout 300 apt-get "${A[@]}" source --download-only curl >>"$LOG" 2>&1 ||
	    fail "apt-get source curl failed"
fi
dsc=$(ls curl_*.dsc 2>/dev/null | head -n 1)
[ -n "$dsc" ] || fail "no curl .dsc downloaded"
ver=${dsc#curl_}; ver=${ver%.dsc}
dpkg-source -x "$dsc" curl >>"$LOG" 2>&1 || fail "dpkg-source -x $dsc failed"
cd curl || fail "no curl source folder"
echo "== configure (curl $ver, HTTP(S) only)" >>"$LOG"
# Only what ferry's HTTP sources use (formats/source_http.c): http and
# https through OpenSSL, proxies (http_proxy, no_proxy).  No other
# protocol, no compression, no IDN, no cookies, no netrc.
./configure --disable-static --enable-shared --with-openssl \
    --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
    --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
    --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
    --disable-ftp --disable-file --disable-manual --without-libidn2 \
    --without-nghttp2 --without-librtmp --without-libssh2 \
    --without-libpsl --without-brotli --without-zstd --without-zlib \
    --without-gssapi --disable-ntlm --disable-alt-svc --disable-hsts \
    --disable-cookies --disable-netrc --disable-doh --disable-mime \
    --disable-unix-sockets --enable-proxy \
    >>"$LOG" 2>&1 || fail "configure failed"
echo "== make -C lib" >>"$LOG"
make -C lib -j"$(nproc 2>/dev/null || echo 2)" >>"$LOG" 2>&1 || fail "make failed"
so=$(readlink -f lib/.libs/libcurl.so.4)
[ -f "$so" ] || fail "no lib/.libs/libcurl.so.4 after the build"
mkdir -p "$LIB.new" && rm -f "$LIB.new"/* &&
    install -m 0644 "$so" "$LIB.new/libcurl.so.4" &&
    echo "$ver" >"$LIB.new/VERSION" &&
    echo "$want" >"$LIB.new/INSTALLED" &&
    rm -rf "$LIB" && mv "$LIB.new" "$LIB" || fail "cannot install into $LIB"
cd "$CACHE" && rm -rf "$CACHE/src"
echo "build.sh: private HTTP(S)-only libcurl from Debian's curl $ver in $LIB" >&2
exit 0
