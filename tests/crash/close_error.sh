# close() after writing is checked (formats/deltapkg_apply.c): a file a
# delta writes without its own fsync (a step inside a chain, or every
# file when the stage is flushed at once) reports a delayed write error
# only in close().  Fault point deltapkg.close fails that close with EIO:
# the apply fails cleanly (exit 3, one "write failed: Input/output error"
# line) and the client is unchanged; it used to be ignored (exit 0).
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# FERRY_FAULT
make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
add_versions repo patterns 2026.11.22-1
build_medium repo m2
make_client cl
expect_ok client cl apply m1
expect_ok client cl plan m2
out_has 'via delta'
before=$(client_digest cl)
FERRY_FAULT=deltapkg.close:1:eio expect_fail 3 '^applymedia: .*: write failed: Input/output error$' client cl apply m2
[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || { cat "$TEST_TMP/last.err"; die "not one line"; }
[ "$(client_digest cl)" = "$before" ] || die "a failed close changed the client"
expect_ok client cl apply m2			# and the next run succeeds
out_has 'applied via delta'
