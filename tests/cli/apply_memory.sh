# applymedia checks memory before it plans a delta, as it checks disk
# (issue 15 "bounded work", formats/SPEC.md §7.4): a delta whose decoding
# needs more memory than is available is not used; the base is, with a
# warning that names the delta and both amounts.  FERRY_TEST_MEM_AVAIL is
# a test hook (HOOKS=1 builds only) that lowers the measured memory.
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# FERRY_TEST_MEM_AVAIL
make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
add_versions repo patterns 2026.11.22-1
build_medium repo m2
make_client cl
expect_ok client cl apply m1

# enough memory: the delta
expect_ok client cl plan m2
out_has 'via delta chain 2026.11.21-1 -> 2026.11.22-1'

# 1 MiB available: the base, and the warning says why
expect_ok env FERRY_TEST_MEM_AVAIL=1048576 "$FERRY_BIN/applymedia" --root "$PWD/cl" plan m2
out_has '^patterns: 2026.11.21-1 -> 2026.11.22-1 via base 2026.11.22-1;'
err_has 'patterns: delta 2026.11.21-1 -> 2026.11.22-1 needs [0-9]+ MiB of memory to apply, 1 MiB are available; using base 2026.11.22-1 instead'
expect_ok env FERRY_TEST_MEM_AVAIL=1048576 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply m2
out_has 'applied via base 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "installed tree differs from the release"
