# Hooks run only around the switch, in order; a failing health check
# switches back automatically and says so; on_failure is called.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2
make_client cl "on_failure = echo \"FAILURE \$FERRY_MESSAGE\" >> $TEST_TMP/notify.log"
log=$TEST_TMP/hooks.log
cat >>cl/etc/ferry/client.conf <<EOF2
[component extra]
path = /opt/av/extra
EOF2
# hooks for patterns: record order, and prove the new generation was
# already staged when the service was stopped (downtime = the switch only)
python3 - cl/etc/ferry/client.conf "$log" <<'PY'
import sys
conf, log = sys.argv[1], sys.argv[2]
s = open(conf).read()
s = s.replace("[component patterns]\npath = /opt/av/Bases\n",
 "[component patterns]\npath = /opt/av/Bases\n"
 "pre_switch = echo \"pre $FERRY_FROM>$FERRY_TO staged=$(ls $FERRY_ROOT_STATE/c/patterns/gens | grep -c \"^$FERRY_TO-\")\" >> " + log + "\n"
 "post_switch = echo \"post $FERRY_FROM>$FERRY_TO $(cat /proc/self/cwd >/dev/null; readlink -f $FERRY_LINK | sed 's|.*/gens/||; s|/tree||')\" >> " + log + "\n"
 "health_check = echo health $FERRY_TO >> " + log + "\n")
open(conf, "w").write(s)
PY
export FERRY_ROOT_STATE=$TEST_TMP/cl/var/lib/ferry FERRY_LINK=$TEST_TMP/cl/opt/av/Bases
expect_ok client cl apply m1
expect_ok client cl apply m2
cat "$log"
grep -q '^pre >2026.11.20-1 staged=1$' "$log" || die "pre_switch ran before staging finished"
[ "$(sed -n 2p "$log")" = "post >2026.11.20-1 2026.11.20-1-$(ls cl/var/lib/ferry/c/patterns/gens | grep '^2026.11.20-1-' | sed 's/^2026.11.20-1-//')" ] ||
    die "post_switch did not see the new generation live"
[ "$(sed -n 3p "$log")" = "health 2026.11.20-1" ] || die "health_check not third"
[ "$(sed -n 4p "$log")" = "pre 2026.11.20-1>2026.11.21-1 staged=1" ] || die "second pre_switch wrong"

# A failing health check: exit 11, back on the old version, logged.
add_versions repo patterns 2026.11.22-1
build_medium repo m3
prev_before=$(readlink cl/var/lib/ferry/c/patterns/previous)
sed -i 's/^health_check = .*/health_check = echo health-fail; exit 3/' cl/etc/ferry/client.conf
expect_fail 11 'health_check hook exited with status 3: .*; rolled back to 2026.11.21-1$' client cl apply m3
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "not back on the old version"
grep -q '"event":"rollback"' cl/var/lib/ferry/history.jsonl || die "rollback not in history"
[ "$(readlink cl/var/lib/ferry/c/patterns/previous)" = "$prev_before" ] ||
    die "switching back lost the rollback target"
ls cl/var/lib/ferry/c/patterns/gens | grep -q '^2026.11.22-1-' && die "failed generation left behind"
grep -q 'FAILURE .*rolled back to 2026.11.21-1' notify.log || die "on_failure hook not called"

# A first install whose health check fails has no version to switch back
# to: the message says the new version stays installed (it did not say,
# so "rolled back" was assumed while the new version was live).
make_client fresh "on_failure = echo \"FAILURE \$FERRY_MESSAGE\" >> $TEST_TMP/fresh.log"
sed -i '/^\[component patterns\]/a health_check = exit 4' fresh/etc/ferry/client.conf
expect_fail 11 '^applymedia: patterns: health_check hook exited with status 4: exit 4; nothing was installed before, so 2026\.11\.22-1 stays installed$' \
    client fresh apply m3
diff -r fresh/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "the live tree is not the new version"
expect_ok client fresh status
out_has '^patterns +2026\.11\.22-1'
grep -q 'FAILURE .*nothing was installed before, so 2026.11.22-1 stays installed' fresh.log ||
    die "on_failure not told that the new version stays installed"
grep -q '"message":"refused medium .*stays installed"' fresh/var/lib/ferry/history.jsonl ||
    die "history does not say that the new version stays installed"

# A hook that hangs is killed after its timeout; nothing switched.
sed -i 's/^health_check = .*/health_check = true/; s/^pre_switch = .*/pre_switch = sleep 30/' cl/etc/ferry/client.conf
sed -i '/^\[component patterns\]/a timeout = 1' cl/etc/ferry/client.conf
before=$(readlink cl/var/lib/ferry/c/patterns/current)
prev_before=$(readlink cl/var/lib/ferry/c/patterns/previous)
expect_fail 11 'pre_switch hook did not finish within 1 s and was killed' client cl apply m3
[ "$(readlink cl/var/lib/ferry/c/patterns/current)" = "$before" ] || die "switched despite pre_switch failure"
# The links were prepared before pre_switch (applymedia/switch.c): a
# refusing hook puts previous back and leaves no .tmp link behind.
[ "$(readlink cl/var/lib/ferry/c/patterns/previous)" = "$prev_before" ] ||
    die "a killed pre_switch moved previous"
sed -i 's/^pre_switch = .*/pre_switch = echo stopping-refused; exit 4/' cl/etc/ferry/client.conf
expect_fail 11 'pre_switch hook exited with status 4: ' client cl apply m3
[ "$(readlink cl/var/lib/ferry/c/patterns/current)" = "$before" ] || die "switched despite pre_switch exit 4"
[ "$(readlink cl/var/lib/ferry/c/patterns/previous)" = "$prev_before" ] ||
    die "a refusing pre_switch moved previous: $(readlink cl/var/lib/ferry/c/patterns/previous), want $prev_before"
ls -a cl/var/lib/ferry/c/patterns | grep -q '\.tmp$' && die "link left behind: $(ls -a cl/var/lib/ferry/c/patterns)"
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "not on the old version"
exit 0
