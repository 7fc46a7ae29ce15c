#!/usr/bin/env bash
# build.sh: the single entry point.  See README.md.
#   deps      install the Debian packages the build, tests and benches need
#   build     release build in build/rel (warnings are errors)
#   test      deps + test build (fault points compiled in) + the whole suite
#   demo      deps + build + the bundled sample scenario (samples/demo.sh)
#   asan      the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   valgrind  the integration tests with every tool under valgrind memcheck
#   fuzz [S]  each libFuzzer target for S seconds (default 60)
#   crash [N] the long crash campaign: N random kill -9 trials (default 1000)
#   bench     benchmarks; writes docs/BENCHMARKS.md
#   http-bench [N]  N concurrent clients against nginx on loopback
#             (bench/http_load.sh; docs/BENCHMARKS-http.md)
#   install   make install (PREFIX=/usr/local)
#   deb       Debian packages ferry-client and ferry-publisher in build/deb/
#             (dist/debian), checked with lintian (no errors)
#   clean
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

DEBS=(build-essential pkg-config gettext
      libarchive-dev libarchive13 libgpgme-dev libblkid-dev libzstd-dev libjansson-dev
      libgcrypt20-dev libcurl4-openssl-dev libssl-dev libcmocka-dev libdivsufsort-dev
      liblzma-dev
      libunistring-dev
      python3
      gnupg gpgv zstd libarchive-tools xorriso genisoimage fuseiso fuse3 libfuse3-dev
      dosfstools e2fsprogs util-linux nginx-light faketime jq curl
      valgrind clang libclang-rt-14-dev xdelta3 bsdiff hyperfine time strace
      procps psmisc openssl groff-base locales man-db zip
      debhelper lintian systemd udev)

deps() {
	local missing=()
	for p in "${DEBS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "build.sh: dependencies present"
		return 0
	fi
	echo "build.sh: installing ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends "${missing[@]}" >/dev/null
	# nginx is started by the tests on a private port, never as a service.
	$sudo systemctl disable --now nginx >/dev/null 2>&1 || true
}

mk() { make -s -j"$JOBS" "$@"; }

# ferry's private HTTP(S)-only libcurl, built once from Debian's curl
# source into build/curl and shared by every build folder (the Makefile
# copies it beside the tools; docs/DEPENDENCIES.md).  When it cannot be
# fetched or built, the script says so in one line and the tools use the
# system's libcurl.so.4.
private_curl() { dist/curl/build-private.sh build/curl || true; }

build()      { private_curl; mk O=build/rel; echo "build.sh: built build/rel/{mkmedia,applymedia,verifymedia}"; }
build_test() { private_curl; mk O=build/test HOOKS=1; }
build_asan() { private_curl; mk O=build/asan HOOKS=1 SAN=1 CC=clang; }

# deb: the source tree (without build/ and VCS files) is copied to
# build/deb/ferry-VERSION with dist/debian as its debian/ folder, built
# there with dpkg-buildpackage, and the packages checked with lintian.
deb() {
	local v d
	v=$(cat VERSION)
	d=build/deb
	rm -rf "$d"
	mkdir -p "$d/ferry-$v"
	tar -c --exclude=./build --exclude=./.git --exclude=./bench/.corpus \
	    --exclude=./dist/debian . | tar -x -C "$d/ferry-$v"
	cp -r dist/debian "$d/ferry-$v/debian"
	# the private libcurl and the Debian version of its source
	# (dist/debian/rules: installed, Built-Using)
	private_curl
	if [ -f build/curl/lib/libcurl.so.4 ]; then
		mkdir -p "$d/ferry-$v/debian/curl"
		cp build/curl/lib/libcurl.so.4 build/curl/lib/VERSION "$d/ferry-$v/debian/curl/"
	fi
	(cd "$d/ferry-$v" && DEB_BUILD_OPTIONS="noddebs parallel=$JOBS" \
	    dpkg-buildpackage -b -us -uc) >"$d/build.log" 2>&1 ||
	    { tail -n 60 "$d/build.log"; echo "build.sh: dpkg-buildpackage failed ($d/build.log)" >&2; return 1; }
	rm -rf "$d/ferry-$v"
	lintian --fail-on error --tag-display-limit 0 "$d"/ferry_"$v"_*.changes
	echo "build.sh: built $(cd "$d" && ls ./*.deb | tr '\n' ' ')in $d (lintian: no errors)"
}

cmd=${1:-build}
shift || true
case "$cmd" in
deps)	deps ;;
build)	deps; build ;;
test)	deps; build_test; exec tests/run.sh build/test "$@" ;;
demo)	deps; build; exec samples/demo.sh build/rel "$@" ;;
asan)	deps; build_asan
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
	export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	exec tests/run.sh build/asan "$@" ;;
valgrind) deps; build_test; FERRY_VALGRIND=1 exec tests/run.sh build/test "$@" ;;
fuzz)	deps; exec tests/fuzz/run.sh "${1:-60}" ;;
crash)	deps; build_test; exec tests/crash/campaign.sh build/test "${1:-1000}" ;;
bench)	deps; build; exec bench/run.sh build/rel "$@" ;;
http-bench) deps; build; exec bench/http_load.sh build/rel "$@" ;;
install) deps; private_curl; mk O=build/rel; make O=build/rel install ;;
deb)	deps; deb ;;
clean)	rm -rf build ;;
*)	echo "usage: build.sh deps|build|test|demo|asan|valgrind|fuzz|crash|bench|http-bench|install|deb|clean" >&2
	exit 2 ;;
esac
