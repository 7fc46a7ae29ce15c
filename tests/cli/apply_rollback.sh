# rollback: back to the previous generation, pinned until unpin; verify
# finds an edited installed file; a broken local tree makes the delta fail
# and apply falls back to the base once.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2
make_client cl
expect_ok client cl apply m1
expect_ok client cl apply m2

expect_fail 18 'no previous generation|not a component' client cl rollback nosuch
expect_ok client cl rollback patterns
out_has '^patterns rolled back to version 2026.11.20-1; it is pinned until "applymedia unpin patterns"$'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "rollback did not restore 2026.11.20-1"
expect_ok client cl status
out_has '^patterns +2026.11.20-1 +\[pinned\]'
out_has 'patterns rolled back to version 2026.11.20-1'
# pinned: a newer medium does not silently re-apply it
expect_ok client cl apply m2
out_has 'patterns: pinned after a rollback; run applymedia unpin patterns'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "pinned component was updated"
# rollback is repeatable: back to 2026.11.21-1 (the generation we left)
expect_ok client cl rollback patterns
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "second rollback wrong"
expect_ok client cl unpin patterns
out_has 'patterns unpinned'
expect_ok client cl status
grep -q "\[pinned\]" "$TEST_TMP/last.out" && die "still pinned after unpin"

# verify: an edited or truncated installed file is found
expect_ok client cl verify patterns
chmod u+w cl/var/lib/ferry/c/patterns/current/tree/Bases/main.db 2>/dev/null || true
gen=$(readlink -f cl/opt/av/Bases)
printf 'X' | dd of="$gen/Bases/main.db" bs=1 seek=100 conv=notrunc status=none
expect_fail 6 'patterns/Bases/main.db: sha256 differs from listing' client cl verify patterns

# With the local tree broken, the delta to the next version cannot apply:
# apply falls back to the base once and says so.
add_versions repo patterns 2026.11.22-1
build_medium repo m3
expect_ok client cl plan m3
out_has 'via delta chain 2026.11.21-1 -> 2026.11.22-1'
# --check-local hashes the installed tree first and plans the base
expect_ok client cl plan --check-local m3
err_has 'patterns: installed tree differs from its listing \(Bases/main.db: sha256 differs'
out_has 'via base 2026.11.22-1'
expect_ok client cl apply m3
err_has 'patterns: delta failed .*; falling back to the base of 2026.11.22-1'
out_has 'applied via base 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "fallback result wrong"
