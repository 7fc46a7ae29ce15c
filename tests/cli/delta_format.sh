# Delta package format 3 on a medium (formats/SPEC.md §7.7, §12): mkmedia
# writes format 3; a medium that carries one says format_version 3 (a
# reader of version 1 or 2 refuses it by that number); a medium of bases
# only stays version 1; the client applies the format-3 delta and gets
# exactly the release.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
[ "$(jq .format_version m1/ferry/manifest.json)" = 1 ] || die "bases-only medium is not version 1"
add_versions repo patterns 2026.11.22-1
f=$(find repo -name "*.fdelta" | head -n 1)
[ -n "$f" ] || die "no delta package in the repository"
[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 46594403 ] || die "delta package is not format 3"
build_medium repo m2
[ "$(jq .format_version m2/ferry/manifest.json)" = 3 ] || die "medium with a format-3 delta is not version 3"
make_client cl
expect_ok client cl apply m1
expect_ok client cl apply m2
out_has 'applied via delta chain 2026.11.21-1 -> 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "delta result differs from the release"
