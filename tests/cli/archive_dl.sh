# libarchive is loaded at run time, only when an archive is first created
# (formats/archive_dl.c; issue 17 target 2, docs/DEPENDENCIES.md):
#   - no tool is linked with libarchive or the libraries it pulls in, and
#     no tool exports an archive_* symbol (libarchive's calls to its own
#     functions must never land in ferry's forwarding ones);
#   - with the load failing (test builds: FERRY_TEST_ARCHIVE_SONAME names
#     a library that does not exist, or one without libarchive's symbols),
#     the apply of a base package, verifymedia of an ISO image (named
#     .iso or not) and mkmedia add fail with one line naming
#     libarchive.so.13 and dlerror(), exit 70, and nothing is installed; verifymedia of a folder medium and applymedia of a
#     compact delta (format 2+) still succeed: they never need it;
#   - verifymedia and applymedia, which decode deltas but never make them,
#     are not linked with the encoder's libdivsufsort (formats/delta_dec.c);
#   - strace: verifymedia of a folder and the apply of a compact delta
#     never open libarchive.so.13; verifymedia of an ISO image does (the
#     control: the trace sees the library when it is opened).
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks
command -v strace >/dev/null || skip "strace is not installed (./build.sh deps)"

for t in verifymedia applymedia mkmedia; do
	ldd "$FERRY_BIN/$t" >"$t.ldd"
	if grep -E 'lib(archive|xml2|icu[a-z]*)\.so' "$t.ldd"; then
		die "$t is linked with libarchive or its dependencies"
	fi
	# (a sanitizer runtime may bring libstdc++ itself)
	if ! grep -q 'lib[at]san' "$t.ldd" && grep 'libstdc++' "$t.ldd"; then
		die "$t is linked with libstdc++"
	fi
	if nm -D --defined-only "$FERRY_BIN/$t" | grep -E ' archive_'; then
		die "$t exports archive_* symbols (they would interpose libarchive's own)"
	fi
done
# The client tools decode deltas but never make them: the encoder's suffix
# sorting (libdivsufsort) is mkmedia's alone (formats/delta_dec.c).
grep -q 'libdivsufsort' mkmedia.ldd || die "mkmedia no longer links libdivsufsort: the check below proves nothing"
for t in verifymedia applymedia; do
	if grep 'libdivsufsort' "$t.ldd"; then
		die "$t is linked with the delta encoder's libdivsufsort"
	fi
done

make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
expect_ok mkmedia --repo repo build --iso m1.iso --label FERRY_T \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
cp m1.iso m1.img		# found an image by its content, not its name
add_versions repo patterns 2026.11.22-1
build_medium repo m2
f=$(find m2/ferry/pkg -name '*.fdelta' | head -n 1)
[ -n "$f" ] || die "m2 carries no delta package"
[ "$(head -c 3 "$f")" = FYD ] || die "m2's delta package is not a compact one (format 2+)"
make_client ca
make_client cb
make_client cc
expect_ok client ca apply m1
expect_ok client cb apply m1
V=(verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg")
# the last command's stderr without valgrind's lines (FERRY_VALGRIND)
errors() { grep -v '^==[0-9]*==' last.err || true; }

# --- the load fails -------------------------------------------------------
MISSING="libarchive.so.13: cannot load the library: libnonexistent.so.1: cannot open shared object file: No such file or directory"
export FERRY_TEST_ARCHIVE_SONAME=libnonexistent.so.1
expect_fail 70 . client cc apply m1
[ "$(errors)" = "applymedia: $MISSING" ] ||
    { cat last.err; die "apply of a base package: not the one-line libarchive error"; }
left=$(find cc/opt cc/var/lib/ferry/c -mindepth 1 ! -type d 2>/dev/null || true)
[ -z "$left" ] || { echo "$left"; die "the failed apply installed something"; }
before=$(client_digest cc)
for img in m1.iso m1.img; do
	expect_fail 70 . "${V[@]}" "$img"
	printf 'verifymedia: %s\nverifymedia: 1 problem found\n' "$MISSING" >want.err
	errors | diff want.err - || die "verifymedia $img: not the one-line libarchive error"
done
# a file that is no ISO image (libblkid finds no file system on it): the
# usual usage error, not libarchive's (m1.img above is an image by
# libblkid's probe too)
head -c 65536 /dev/zero >zeros.img
expect_fail 2 . "${V[@]}" zeros.img
printf 'verifymedia: zeros.img: not a folder, an ISO 9660 image or an http(s) URL\nverifymedia: 1 problem found\n' >want.err
errors | diff want.err - || die "verifymedia of a non-image without libarchive: not the usage error"
expect_fail 70 . mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
[ "$(errors)" = "mkmedia: $MISSING" ] ||
    { cat last.err; die "mkmedia add: not the one-line libarchive error"; }
# never needed:
expect_ok "${V[@]}" m1
out_has '^ok: example-av-stable-1 '
expect_ok client ca apply m2
out_has 'applied via delta chain 2026\.11\.21-1 -> 2026\.11\.22-1'
diff -r ca/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "delta result differs from the release"
# a library that is not libarchive: dlsym() fails
FERRY_TEST_ARCHIVE_SONAME=libz.so.1 expect_fail 70 . client cc apply m1
errors | grep -Eqx 'applymedia: libarchive\.so\.13: cannot load the library: (/[^:]*/)?libz\.so\.1: undefined symbol: archive_[a-z0-9_]+' ||
    { cat last.err; die "a library without libarchive's symbols: not reported as such"; }
[ "$(client_digest cc)" = "$before" ] || die "the failed apply changed the client"
unset FERRY_TEST_ARCHIVE_SONAME

# --- what the tools open --------------------------------------------------
NOLEAK="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"	# no LSan under ptrace
traced() {	# traced NAME CMD...: the files CMD opened in NAME.st
	local name=$1 rc=0; shift
	ASAN_OPTIONS=$NOLEAK strace -f -qq -e trace=openat,open -e signal=none \
	    -o "$name.st" "$@" >last.out 2>last.err || rc=$?
	[ "$rc" -eq 0 ] || { cat last.err; die "$name: exit $rc"; }
	grep -q 'openat(' "$name.st" || die "$name: strace saw no openat at all"
}
opens_libarchive() { grep -E '"[^"]*lib(archive|xml2|icuuc)\.so[^"]*"' "$1.st"; }
traced iso "$FERRY_BIN/verifymedia" "${V[@]:1}" m1.iso
opens_libarchive iso >/dev/null || die "control: verifymedia of an ISO image opened no libarchive.so.13"
traced folder "$FERRY_BIN/verifymedia" "${V[@]:1}" m1
out_has '^ok: example-av-stable-1 '
if opens_libarchive folder; then die "verifymedia of a folder opened libarchive"; fi
traced delta "$FERRY_BIN/applymedia" --root "$PWD/cb" apply m2
out_has 'applied via delta chain 2026\.11\.21-1 -> 2026\.11\.22-1'
if opens_libarchive delta; then die "the apply of a compact delta opened libarchive"; fi
