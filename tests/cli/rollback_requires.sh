# applymedia rollback COMPONENT is refused (exit 13, nothing changes, no
# hook runs) when another component's installed version requires the
# version it would leave: rolling engine back to 7.9.2 under patterns
# that require engine >= 8.0.0 left them installed, exit 0.  The hint is
# one a rollback can follow (roll the dependent back first) only when
# that works; with requirements both ways it never sends the
# administrator round in a circle.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys
make_samples
make_repo repo
add_versions repo engine 7.9.2
add_versions repo patterns 2026.11.20-1
build_medium repo m1
add_versions repo engine 8.0.1
add_tree repo patterns 2026.11.22-1 "$SAMPLES/patterns/2026.11.22-1" --requires 'engine>=8.0.0'
build_medium repo m2
add_tree repo patterns 2026.11.23-1 "$SAMPLES/patterns/2026.11.23-1" --requires 'engine>=8.0.0'
build_medium repo m3

make_client cl
sed -i "/^\[component engine\]/a pre_switch = echo \"\$FERRY_EVENT \$FERRY_TO\" >>$TEST_TMP/hooks.log" cl/etc/ferry/client.conf
expect_ok client cl apply m1
expect_ok client cl apply m2
rm -f hooks.log
before=$(client_digest cl)
expect_fail 13 '^applymedia: engine: patterns 2026\.11\.22-1 requires engine 8\.0\.0 or later: rolling engine back to 7\.9\.2 would break it; nothing was changed; roll back patterns first \(to 2026\.11\.20-1\)$' \
    client cl rollback engine
[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || die "more than one error line"
[ "$(client_digest cl)" = "$before" ] || die "a refused rollback changed the client"
[ ! -e hooks.log ] || die "a refused rollback ran the pre_switch hook"
# the hint works: patterns first, then the engine
expect_ok client cl rollback patterns
expect_ok client cl rollback engine
out_has '^engine rolled back to version 7\.9\.2'
[ "$(cat cl/opt/av/engine/version.txt)" = "engine 7.9.2" ] || die "engine not back on 7.9.2"
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "patterns not back on 2026.11.20-1"
# rolling patterns forward again (the generations swap) to 2026.11.22-1,
# which requires engine >= 8.0.0, on engine 7.9.2: refused, nothing
# changes (it was done, exit 0, patterns left without their engine)
before=$(client_digest cl)
expect_fail 13 '^applymedia: patterns: patterns 2026\.11\.22-1 requires engine 8\.0\.0 or later; installed: 7\.9\.2; rolling patterns back to 2026\.11\.22-1 would break it; nothing was changed; bring engine to 8\.0\.0 or later first$' \
    client cl rollback patterns
[ "$(client_digest cl)" = "$before" ] || die "a refused rollback changed the client"
# rolling the engine forward again (the generations swap) breaks nothing
expect_ok client cl rollback engine
[ "$(cat cl/opt/av/engine/version.txt)" = "engine 8.0.1" ] || die "engine not on 8.0.1 again"
# and then patterns may go forward too
expect_ok client cl rollback patterns
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "patterns not on 2026.11.22-1 again"

# The dependent's previous generation requires the engine too: no rollback
# of it helps, the hint says what does.
make_client c2
expect_ok client c2 apply m1
expect_ok client c2 apply m2
expect_ok client c2 apply m3
before=$(client_digest c2)
expect_fail 13 '^applymedia: engine: patterns 2026\.11\.23-1 requires engine 8\.0\.0 or later: rolling engine back to 7\.9\.2 would break it; nothing was changed; apply a version of patterns that works with engine 7\.9\.2 first \(applymedia --component patterns --to VERSION --allow-downgrade apply SOURCE\)$' \
    client c2 rollback engine
[ "$(client_digest c2)" = "$before" ] || die "a refused rollback changed c2"

# Requirements both ways (engine 8.0.1 requires patterns >= 2026.11.22-1,
# which require engine >= 8.0.0): either rollback alone would break the
# other, so neither hint says "roll back the other first" (that would be
# refused in turn, naming the first: a circle).
make_repo repo3
add_versions repo3 engine 7.9.2
add_versions repo3 patterns 2026.11.20-1
build_medium repo3 n1
add_tree repo3 engine 8.0.1 "$SAMPLES/engine/8.0.1" --requires 'patterns>=2026.11.22-1'
add_tree repo3 patterns 2026.11.22-1 "$SAMPLES/patterns/2026.11.22-1" --requires 'engine>=8.0.0'
build_medium repo3 n2
make_client c3
expect_ok client c3 apply n1
expect_ok client c3 apply n2
before=$(client_digest c3)
expect_fail 13 '^applymedia: engine: patterns 2026\.11\.22-1 requires engine 8\.0\.0 or later: .*; apply a version of patterns that works with engine 7\.9\.2 first' \
    client c3 rollback engine
expect_fail 13 '^applymedia: patterns: engine 8\.0\.1 requires patterns 2026\.11\.22-1 or later: rolling patterns back to 2026\.11\.20-1 would break it; nothing was changed; apply a version of engine that works with patterns 2026\.11\.20-1 first' \
    client c3 rollback patterns
[ "$(client_digest c3)" = "$before" ] || die "refused rollbacks changed c3"

# apply --allow-downgrade takes a component back too: refused the same way
# (exit 13, nothing changes) while a component this run leaves alone
# requires more; the hint (take patterns back first) then works.
make_client c4
expect_ok client c4 apply m1
expect_ok client c4 apply m3
before=$(client_digest c4)
expect_fail 13 '^applymedia: engine: patterns 2026\.11\.23-1 requires engine 8\.0\.0 or later: going back to 7\.9\.2 would break it; nothing was changed; take patterns back first \(applymedia --component patterns --to VERSION --allow-downgrade apply SOURCE\)$' \
    client c4 --component engine --to 7.9.2 --allow-downgrade apply m1
[ "$(client_digest c4)" = "$before" ] || die "a refused downgrade changed the client"
expect_ok client c4 --component patterns --to 2026.11.20-1 --allow-downgrade apply m1
expect_ok client c4 --component engine --to 7.9.2 --allow-downgrade apply m1
[ "$(cat c4/opt/av/engine/version.txt)" = "engine 7.9.2" ] || die "engine not taken back to 7.9.2"
diff -r c4/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "patterns not on 2026.11.20-1"
# both taken back in one run: patterns' new version asks nothing of the
# engine, so that is allowed
make_client c5
expect_ok client c5 apply m1
expect_ok client c5 apply m3
expect_ok client c5 --allow-downgrade apply m1
[ "$(cat c5/opt/av/engine/version.txt)" = "engine 7.9.2" ] || die "c5: engine not taken back"
diff -r c5/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "c5: patterns not taken back"
exit 0
