# Delta package format 4 on a medium (formats/SPEC.md §7.8, §12): an
# executable whose new release moves many addresses by a few bytes (a
# long, sparse difference stream) is coded as method 6, so mkmedia writes
# that delta as format 4 and the medium says format_version 4; the client
# applies it and gets exactly the release.  A text-only delta of the same
# repository stays format 3 (tests/cli/delta_format.sh).
. "$FERRY_TESTLIB/common.sh"
need_keys
sparse_engine_media
f=$(find repo -name "*.fdelta" | head -n 1)
[ -n "$f" ] || die "no delta package in the repository"
[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 46594404 ] || die "delta package is not format 4"
[ "$(jq .format_version m2/ferry/manifest.json)" = 4 ] || die "medium with a format-4 delta is not version 4"
make_client cl
expect_ok client cl apply m1
expect_ok client cl apply m2
out_has 'applied via delta chain 8.1.0 -> 8.1.1'
diff -r cl/opt/av/engine rel/8.1.1 || die "delta result differs from the release"
