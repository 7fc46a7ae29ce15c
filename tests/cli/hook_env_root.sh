# Hooks under applymedia --root DIR see FERRY_PATH as the component's path
# below DIR, the link this run switches (docs/man/applymedia.1, HOOKS): a
# hook that checks or reloads "$FERRY_PATH" works on the client it runs
# for.  They saw the configured path outside the root (/opt/av/Bases),
# which on a test or image-preparation host is another tree or none.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2
make_client cl
log=$TEST_TMP/env.log
rec='echo "$FERRY_EVENT $FERRY_FROM>$FERRY_TO $FERRY_PATH $(cat "$FERRY_PATH/Bases/version.txt" 2>/dev/null || echo none)"'
sed -i "/^\[component patterns\]/a pre_switch = $rec >>$log\npost_switch = $rec >>$log\nhealth_check = $rec >>$log" \
    cl/etc/ferry/client.conf
want=$TEST_TMP/cl/opt/av/Bases
expect_ok client cl apply m1
expect_ok client cl apply m2
expect_ok client cl rollback patterns
cat "$log"
[ "$(paste -sd'|' "$log")" = \
"pre_switch >2026.11.20-1 $want none|post_switch >2026.11.20-1 $want patterns 2026.11.20-1|\
health_check >2026.11.20-1 $want patterns 2026.11.20-1|\
pre_switch 2026.11.20-1>2026.11.21-1 $want patterns 2026.11.20-1|\
post_switch 2026.11.20-1>2026.11.21-1 $want patterns 2026.11.21-1|\
health_check 2026.11.20-1>2026.11.21-1 $want patterns 2026.11.21-1|\
pre_switch 2026.11.21-1>2026.11.20-1 $want patterns 2026.11.21-1|\
post_switch 2026.11.21-1>2026.11.20-1 $want patterns 2026.11.20-1" ] ||
    die "hooks did not see FERRY_PATH=$want, the link under --root"

# A relative --root is made absolute once: the hooks see the absolute path.
: >"$log"
expect_ok applymedia --root cl unpin patterns
expect_ok applymedia --root cl apply m2
grep -qv " $want " "$log" && { cat "$log"; die "relative --root: FERRY_PATH is not $want"; }
[ "$(wc -l <"$log")" -eq 3 ] || { cat "$log"; die "expected three hook runs"; }
exit 0
