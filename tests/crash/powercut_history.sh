# Regression (found by the power-loss simulator, issue 16): a power cut
# during the append to history.jsonl can leave a partial last line, or a
# line whose lost page reads back as zeros.  status must still show every
# earlier entry (the reader split lines as C strings, so a NUL hid the
# rest of the file), and the next locked run cuts the torn line away so
# the following entries start on a line of their own.
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
make_repo repo
add_versions repo patterns 2026.11.19-1
build_medium repo m1
add_versions repo patterns 2026.11.20-1
build_medium repo m2
make_client a
expect_ok client a apply m1
H=a/var/lib/ferry/history.jsonl
n0=$(wc -l <"$H")
[ "$n0" -ge 1 ] || die "no history written"
# A torn append: zeroed page, then the tail of a line and no newline.
printf '\0\0\0\0\0\0\0\0"component":"patterns"}\n{"time":"2026-' >>"$H"
expect_ok client a status --json
[ "$(jq '.history | length' "$TEST_TMP/last.out")" -eq "$n0" ] ||
    { cat "$TEST_TMP/last.out"; die "status lost history entries behind the torn line"; }
# The next run recovers: the torn line is gone, its new entries parse.
expect_ok client a apply m2
[ "$(tr -d '\000' <"$H" | wc -c)" -eq "$(wc -c <"$H")" ] ||
    die "NUL bytes left in history.jsonl"
jq -c . "$H" >/dev/null || die "history.jsonl has a line that is not JSON"
[ "$(wc -l <"$H")" -gt "$n0" ] || die "apply m2 added no history"
expect_ok client a status --json
jq -e '.history[-1].to // .history[-1].message | test("2026.11.20-1")' \
    "$TEST_TMP/last.out" >/dev/null ||
    { jq '.history[-1]' "$TEST_TMP/last.out"; die "the new entry is not last"; }
# A history without damage is not rewritten by recovery.
before=$(sha256sum <"$H")
expect_ok client a plan m2
[ "$(sha256sum <"$H")" = "$before" ] || die "an intact history was changed"
echo "ok"
