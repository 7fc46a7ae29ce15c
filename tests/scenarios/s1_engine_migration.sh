# Field scenario 1 (../shared/SCENARIOS.md): engine migration on a mail
# server, antivirus SDK v7 -> v8.  One medium carries the v8 engine and the
# patterns that need it ("patterns need engine >= 8") plus an end-of-life
# notice.  Asserts: the patterns alone are refused on a v7 node (required
# and installed versions named, nothing changed, plan says the same); the
# whole medium installs the engine first; the two services are stopped
# only around the switch, after the v8 tree was staged; success is checked
# the way admins do (the v8 library exists, avhelper says 3.01); the
# active and the standby node end up identical; 4 -> 8 is allowed like
# 7 -> 8 unless the publisher forbids a base over older versions; the
# notice is shown by plan, apply and status on the nodes it concerns only.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys
make_samples

# --- the vendor: engine 4.0.0 (a tree we make), 7.9.2, 8.0.1 (samples)
v4=$TEST_TMP/engine-4.0.0
put_file "$v4" bin/scanengine "scan engine 4" 755
put_file "$v4" bin/avhelper '#!/bin/sh
echo avhelper 1.50' 755
put_file "$v4" lib/libav4.so "libav4"
put_file "$v4" version.txt "engine 4.0.0"
spam=$TEST_TMP/antispam-1.0
put_file "$spam" rules.cf "score SPAM 5"

make_repo repo
add_tree repo engine 4.0.0 "$v4"
build_medium repo m4                                    # serial 1
add_versions repo engine 7.9.2
add_versions repo patterns 2026.11.20-1                 # patterns for v7
build_medium repo m7                                    # serial 2
add_versions repo engine 8.0.1
add_tree repo patterns 2026.11.23-1 "$SAMPLES/patterns/2026.11.23-1" \
    --requires 'engine>=8.0.0'
add_tree repo antispam 1.0 "$spam"
EOL='END OF LIFE: pattern updates for engine 7 stop on 2010-12-31; install engine 8 first'
build_medium repo m8 --notice "engine:$EOL" \
    --notice "update the engine first, then the patterns"  # serial 3
grep -q 'requires *engine >= 8.0.0' m8/ferry/README.txt ||
    die "README.txt on the medium does not state the prerequisite"

# --- the mail server: two services stopped/started by the engine's hooks
cat >svc.sh <<'EOF'
#!/bin/sh
# svc.sh NODE stop|start: the mail server's scan and smtp services.  A stop
# records what is live and whether the new engine is already staged.
node=$1 log=$1/services.log
case $2 in
stop)	staged=$(ls "$node/var/lib/ferry/c/engine/gens" | grep -c "^$FERRY_TO-")
	echo "stop smtp mailscan: live $(cat "$node/opt/mail/av/engine/version.txt"), $FERRY_TO staged=$staged $(date +%s%N)" >>"$log" ;;
start)	echo "start mailscan smtp: live $(cat "$node/opt/mail/av/engine/version.txt") $(date +%s%N)" >>"$log" ;;
esac
EOF
chmod 755 svc.sh
node() {	# node DIR: a cluster node tracking engine and patterns
	scen_client "$1" \
	    "[component engine]" "path = /opt/mail/av/engine" \
	    "pre_switch = $TEST_TMP/svc.sh $TEST_TMP/$1 stop" \
	    "post_switch = $TEST_TMP/svc.sh $TEST_TMP/$1 start" \
	    "[component patterns]" "path = /opt/mail/av/Bases"
}
node active
node standby
node old
expect_ok client active apply m7
expect_ok client standby apply m7
expect_ok client old apply m4
rm -f active/services.log standby/services.log old/services.log
[ "$(active/opt/mail/av/engine/bin/avhelper)" = "avhelper 2.10" ] || die "v7 helper not 2.10"

# --- control: the engine 7 patterns are fine on v7 (serial-2 medium)
expect_ok client active status
out_has '^engine +7\.9\.2'
out_has '^patterns +2026\.11\.20-1'

# --- refused: the new patterns alone on a v7 node; plan says the same
before=$(client_digest active)
msg='^applymedia: patterns: patterns 2026\.11\.23-1 requires engine 8\.0\.0 or later; installed: 7\.9\.2$'
expect_fail 13 "$msg" client active plan --component patterns m8
expect_fail 13 "$msg" client active apply --component patterns m8
[ "$(client_digest active)" = "$before" ] || die "refused prerequisite changed the node"
[ ! -e active/services.log ] || die "services were stopped for a refused update"
[ "$(active/opt/mail/av/engine/bin/avhelper)" = "avhelper 2.10" ] || die "engine changed"

# --- plan: engine before patterns, and the end-of-life notice
expect_ok client active plan m8
out_has "^notice for engine: $EOL\$"
out_has '^notice: update the engine first, then the patterns$'
grep -n '' "$TEST_TMP/last.out" >plan.txt
pe=$(grep -m1 ':engine: 7\.9\.2 -> 8\.0\.1 via' plan.txt | cut -d: -f1)
pp=$(grep -m1 ':patterns: 2026\.11\.20-1 -> 2026\.11\.23-1 via' plan.txt | cut -d: -f1)
[ -n "$pe" ] && [ -n "$pp" ] && [ "$pe" -lt "$pp" ] || { cat plan.txt; die "plan does not put the engine first"; }
[ "$(client_digest active)" = "$before" ] || die "plan changed the node"

# --- the migration on the active node
expect_ok client active apply m8
out_has "^notice for engine: $EOL\$"
out_has '^engine: 7\.9\.2 -> 8\.0\.1 applied via'
out_has '^patterns: 2026\.11\.20-1 -> 2026\.11\.23-1 applied via'
cat active/services.log
[ "$(wc -l <active/services.log)" -eq 2 ] || die "services not stopped and started exactly once"
sed -n 1p active/services.log | grep -q '^stop smtp mailscan: live engine 7\.9\.2, 8\.0\.1 staged=1 ' ||
    die "services stopped before the v8 engine was staged, or after the switch"
sed -n 2p active/services.log | grep -q '^start mailscan smtp: live engine 8\.0\.1 ' ||
    die "services started before the switch"
t1=$(sed -n 1p active/services.log | awk '{print $NF}')
t2=$(sed -n 2p active/services.log | awk '{print $NF}')
down_ms=$(( (t2 - t1) / 1000000 ))
note "services down for $down_ms ms (the switch only; staging happened before)"
[ "$down_ms" -lt 5000 ] || die "services were down for $down_ms ms"
# what admins check: the v8 library, the helper's version, no v7 library
[ -f active/opt/mail/av/engine/lib/libav8.so ] || die "v8 library missing"
[ ! -e active/opt/mail/av/engine/lib/libav7.so ] || die "v7 library still there"
[ "$(active/opt/mail/av/engine/bin/avhelper)" = "avhelper 3.01" ] || die "helper does not say 3.01"
diff -r active/opt/mail/av/Bases "$SAMPLES/patterns/2026.11.23-1" || die "patterns tree wrong"
# status: exact versions, nothing out of date, the notice; verify: files
expect_ok client active status m8
out_has '^engine +8\.0\.1 +available 8\.0\.1$'
out_has '^patterns +2026\.11\.23-1 +available 2026\.11\.23-1$'
out_has "^notice for engine: $EOL\$"
expect_ok client active verify
out_has '^engine 8\.0\.1: [0-9]+ entries match the listing$'
out_has '^patterns 2026\.11\.23-1: [0-9]+ entries match the listing$'

# --- the standby node: same procedure, same result
expect_ok client standby apply m8
[ "$(tree_digest standby/opt/mail/av/engine)" = "$(tree_digest active/opt/mail/av/engine)" ] ||
    die "standby engine differs from active"
[ "$(tree_digest standby/opt/mail/av/Bases)" = "$(tree_digest active/opt/mail/av/Bases)" ] ||
    die "standby patterns differ from active"

# --- 4 -> 8 is allowed as well (a base over any older version)
[ "$(old/opt/mail/av/engine/bin/avhelper)" = "avhelper 1.50" ] || die "v4 helper wrong"
expect_ok client old apply m8
out_has '^engine: 4\.0\.0 -> 8\.0\.1 applied via'
out_has '^patterns: none -> 2026\.11\.23-1 applied via base 2026\.11\.23-1$'
[ "$(old/opt/mail/av/engine/bin/avhelper)" = "avhelper 3.01" ] || die "4 -> 8: helper not 3.01"
[ -f old/opt/mail/av/engine/lib/libav8.so ] && [ ! -e old/opt/mail/av/engine/lib/libav4.so ] ||
    die "4 -> 8: wrong libraries"

# --- ... unless the publisher says otherwise: no deltas, and the v8 base
# marked not to go over an older engine.  A fresh node may still install.
make_repo repo2 --deltas none
add_tree repo2 engine 4.0.0 "$v4"
build_medium repo2 n4
add_tree repo2 engine 8.0.1 "$SAMPLES/engine/8.0.1" --no-base-over-any
build_medium repo2 n8
grep -q '"base_over_any": false' n8/ferry/manifest.json || die "manifest lacks base_over_any=false"
node strict
expect_ok client strict apply n4
before=$(client_digest strict)
expect_fail 8 '^applymedia: engine: the publisher does not allow the base of 8\.0\.1 over the installed 4\.0\.0, and there is no delta chain from it$' \
    client strict apply n8
[ "$(client_digest strict)" = "$before" ] || die "refused base changed the node"
node fresh
expect_ok client fresh apply n8
[ "$(fresh/opt/mail/av/engine/bin/avhelper)" = "avhelper 3.01" ] || die "fresh install failed"

# --- the notice concerns engine nodes only: a spam relay tracking only
# the antispam rules from the same medium does not see it
scen_client relay "[component antispam]" "path = /opt/relay/rules"
expect_ok client relay plan m8
grep -q 'END OF LIFE' "$TEST_TMP/last.out" && die "engine notice shown on a node without the engine"
out_has '^notice: update the engine first, then the patterns$'
expect_ok client relay apply m8
grep -q 'END OF LIFE' "$TEST_TMP/last.out" && die "engine notice shown by apply on a relay"
expect_ok client relay status m8
grep -q 'END OF LIFE' "$TEST_TMP/last.out" && die "engine notice shown by status on a relay"
expect_ok client relay status --json m8
grep -q 'END OF LIFE' "$TEST_TMP/last.out" && die "engine notice in status --json on a relay"
expect_ok client active status --json m8
python3 - "$TEST_TMP/last.out" <<'PY' || die "status --json lacks the end-of-life notice"
import json, sys
n = json.load(open(sys.argv[1]))["notices"]
assert any(x["component"] == "engine" and x["text"].startswith("END OF LIFE") for x in n), n
PY
note "scenario 1: v7 -> v8 and v4 -> v8 on three nodes; prerequisite, hooks, notice checked"
