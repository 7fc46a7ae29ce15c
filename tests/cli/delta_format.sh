# Delta package format 2 on a medium (formats/SPEC.md §7.5, §12): mkmedia
# writes format 2; a medium that carries one says format_version 2 (a
# reader of version 1 refuses it by that number); a medium of bases only
# stays version 1; the client applies the format-2 delta and gets exactly
# the release.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
[ "$(jq .format_version m1/ferry/manifest.json)" = 1 ] || die "bases-only medium is not version 1"
add_versions repo patterns 2026.11.22-1
f=$(find repo -name "*.fdelta" | head -n 1)
[ -n "$f" ] || die "no delta package in the repository"
[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 46594402 ] || die "delta package is not format 2"
build_medium repo m2
[ "$(jq .format_version m2/ferry/manifest.json)" = 2 ] || die "medium with a format-2 delta is not version 2"
make_client cl
expect_ok client cl apply m1
expect_ok client cl apply m2
out_has 'applied via delta chain 2026.11.21-1 -> 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "delta result differs from the release"
