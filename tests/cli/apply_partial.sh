# A medium with several components where a hook fails on one of them:
# the components that do not require it are still applied, those that do
# are not attempted, and the run ends with one summary line (exit 11):
# what was updated to which version, what failed (which hook, what is
# installed now), what was not attempted.  The history has a line per
# component and calls the medium "partly applied", not "refused".  Before,
# the first failing hook ended the run silently: independent components
# after it were never attempted, and the history said "refused medium"
# while the components before it were live.  A requirement met by the
# version live after the switch back (engine 8.0.0 under patterns that
# need 8.0.0 or later, engine 8.0.1 failed) does not hold the patterns.
# With --json the failure document lists every component's outcome.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys
make_samples
put_file spam-1.0 rules.cf "score SPAM 5"
put_file spam-1.1 rules.cf "score SPAM 6"

make_repo repo
add_versions repo engine 7.9.2
add_versions repo patterns 2026.11.20-1
add_tree repo antispam 1.0 spam-1.0
build_medium repo m1
add_versions repo engine 8.0.1
add_tree repo patterns 2026.11.23-1 "$SAMPLES/patterns/2026.11.23-1" --requires 'engine>=8.0.0'
add_tree repo antispam 1.1 spam-1.1
build_medium repo m2
m2id=example-av-stable-2

node() {	# node DIR: engine, patterns (requires engine) and antispam
	make_client "$1" "on_failure = echo \"\$FERRY_MESSAGE\" >>$TEST_TMP/$1.notify"
	printf '[component antispam]\npath = /opt/spam/rules\n' >>"$1/etc/ferry/client.conf"
	expect_ok client "$1" apply m1
}
gens() { ls "$1/var/lib/ferry/c/$2/gens" | sed 's/-[0-9a-f]*-s[0-9]*$//' | sort | paste -sd' '; }

# --- the engine's health check fails: engine back on 7.9.2, patterns
# (which require engine >= 8.0.0) not attempted, antispam applied
node a
sed -i '/^\[component engine\]/a health_check = exit 3' a/etc/ferry/client.conf
expect_fail 11 . client a apply m2
cat "$TEST_TMP/last.err"
err_has '^applymedia: engine: health_check hook exited with status 3: exit 3; rolled back to 7\.9\.2$'
err_has '^applymedia: patterns: patterns 2026\.11\.23-1 was not attempted: it requires engine 8\.0\.0 or later, and engine was not updated$'
[ "$(tail -n1 "$TEST_TMP/last.err")" = "applymedia: $m2id: 1 of 3 components updated: antispam 1.0 -> 1.1; failed: engine 8.0.1 (health_check hook failed; installed: 7.9.2); not attempted: patterns 2026.11.23-1" ] ||
    die "last line is not the summary"
[ "$(grep -c "^applymedia: " "$TEST_TMP/last.err")" -eq 3 ] || die "expected three error lines"
out_has '^antispam: 1\.0 -> 1\.1 applied via '
[ "$(cat a/opt/av/engine/version.txt)" = "engine 7.9.2" ] || die "engine not back on 7.9.2"
diff -r a/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "patterns changed"
diff -r a/opt/spam/rules spam-1.1 || die "antispam not updated"
# what was staged for the failed and the unattempted component is gone
[ "$(gens a engine)" = "7.9.2" ] || die "engine generations: $(gens a engine)"
[ "$(gens a patterns)" = "2026.11.20-1" ] || die "patterns generations: $(gens a patterns)"
# the history, per component and for the medium
h=a/var/lib/ferry/history.jsonl
python3 - "$h" "$m2id" <<'PY' || die "history wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
m2 = [l for l in lines if l["medium"] == sys.argv[2]]
got = [(l["event"], l["component"], l["result"]) for l in m2]
want = [("rollback", "engine", "ok"), ("apply", "engine", "hook"),
        ("apply", "patterns", "prereq"), ("apply", "antispam", "ok"),
        ("failed", None, "hook")]
assert got == want, got
assert m2[1]["message"] == "engine 8.0.1 from medium %s failed: health_check hook exited with status 3: exit 3; rolled back to 7.9.2" % sys.argv[2], m2[1]
assert m2[2]["message"] == "patterns 2026.11.23-1 from medium %s not attempted: patterns 2026.11.23-1 was not attempted: it requires engine 8.0.0 or later, and engine was not updated" % sys.argv[2], m2[2]
assert m2[4]["message"].startswith("medium %s partly applied: 1 of 3 components updated: antispam 1.0 -> 1.1; failed: engine 8.0.1" % sys.argv[2]), m2[4]
assert not any("refused" in l["message"] for l in m2), m2
PY
grep -q "^$m2id: 1 of 3 components updated: antispam 1.0 -> 1.1; failed: engine 8.0.1 " a.notify ||
    { cat a.notify; die "on_failure was not given the summary"; }
expect_ok client a status
out_has 'engine 8\.0\.1 from medium example-av-stable-2 failed: health_check hook'
# fixed hook, same medium again: the rest is applied
sed -i '/^health_check = exit 3$/d' a/etc/ferry/client.conf
expect_ok client a apply m2
out_has '^engine: 7\.9\.2 -> 8\.0\.1 applied via '
out_has '^patterns: 2026\.11\.20-1 -> 2026\.11\.23-1 applied via '
out_has '^antispam: already at 1\.1$'

# --- the case as reported: the engine is switched, then the patterns'
# health check fails.  The engine stays on 8.0.1 and the summary says so.
node b
sed -i '/^\[component patterns\]/a health_check = exit 4' b/etc/ferry/client.conf
sed -i '/^\[component antispam\]/a pre_switch = exit 5' b/etc/ferry/client.conf
expect_fail 11 . client b apply m2
err_has '^applymedia: patterns: health_check hook exited with status 4: exit 4; rolled back to 2026\.11\.20-1$'
err_has '^applymedia: antispam: pre_switch hook exited with status 5: exit 5$'
[ "$(tail -n1 "$TEST_TMP/last.err")" = "applymedia: $m2id: 1 of 3 components updated: engine 7.9.2 -> 8.0.1; failed: patterns 2026.11.23-1 (health_check hook failed; installed: 2026.11.20-1), antispam 1.1 (pre_switch hook failed; installed: 1.0)" ] ||
    die "last line is not the summary"
[ "$(cat b/opt/av/engine/version.txt)" = "engine 8.0.1" ] || die "engine not on 8.0.1"
grep -q '"message":"refused medium' b/var/lib/ferry/history.jsonl && die "history says refused"
grep -q '"component":"engine","event":"apply".*"result":"ok"' b/var/lib/ferry/history.jsonl || die "engine not in the history"

# --- one component to switch: its own error line, as before
node c
sed -i '/^\[component patterns\]/a health_check = exit 4' c/etc/ferry/client.conf
expect_ok client c apply --component engine m2
expect_fail 11 '^applymedia: patterns: health_check hook exited with status 4: exit 4; rolled back to 2026\.11\.20-1$' \
    client c apply --component patterns m2
[ "$(grep -c "^applymedia: " "$TEST_TMP/last.err")" -eq 1 ] || die "one component: more than its error line"
grep -q '"message":"refused medium example-av-stable-2: patterns: health_check' c/var/lib/ferry/history.jsonl ||
    die "one component failed, nothing switched: not logged as refused"

# --- --json: the failure document says what became of each component
# (docs/JSON.md): applied, failed (with its code and message), not
# attempted (why); stdout holds that one document
node j
sed -i '/^\[component engine\]/a health_check = exit 3' j/etc/ferry/client.conf
expect_fail 11 . client j apply --json m2
python3 - "$TEST_TMP/last.out" "$m2id" <<'PY' || die "--json failure document of a partly applied medium"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["exit"] == 11 and d["code"] == "hook", d
assert d["medium"] == sys.argv[2] and d["serial"] == 2, d
c = {x["component"]: x for x in d["components"]}
assert set(c) == {"engine", "patterns", "antispam"}, c
assert c["antispam"]["status"] == "applied" and c["antispam"]["to"] == "1.1", c["antispam"]
e = c["engine"]
assert e["status"] == "failed" and e["code"] == "hook" and e["exit"] == 11, e
assert e["message"].startswith("health_check hook exited with status 3"), e
p = c["patterns"]
assert p["status"] == "not-attempted" and p["code"] == "prereq", p
assert "requires engine 8.0.0 or later" in p["message"], p
PY
[ "$(cat j/opt/av/engine/version.txt)" = "engine 7.9.2" ] || die "--json: engine not back on 7.9.2"

# --- the requirement is met by the version live after the switch back:
# patterns 2 need engine >= 8.0.0, engine 8.0.1 fails and goes back to
# 8.0.0; the patterns are applied (they were not attempted)
put_file eng-8.0.0 version.txt "engine 8.0.0"
put_file eng-8.0.1 version.txt "engine 8.0.1"
put_file pat-1 main.db "p1"
put_file pat-2 main.db "p2"
make_repo r2
add_tree r2 engine 8.0.0 eng-8.0.0
add_tree r2 patterns 1 pat-1
build_medium r2 n1
add_tree r2 engine 8.0.1 eng-8.0.1
add_tree r2 patterns 2 pat-2 --requires 'engine>=8.0.0'
build_medium r2 n2
make_client d
expect_ok client d apply n1
sed -i '/^\[component engine\]/a health_check = exit 3' d/etc/ferry/client.conf
expect_fail 11 . client d apply n2
err_has '^applymedia: engine: health_check hook exited with status 3: exit 3; rolled back to 8\.0\.0$'
out_has '^patterns: 1 -> 2 applied via '
[ "$(tail -n1 "$TEST_TMP/last.err")" = "applymedia: example-av-stable-2: 1 of 2 components updated: patterns 1 -> 2; failed: engine 8.0.1 (health_check hook failed; installed: 8.0.0)" ] ||
    die "last line is not the summary"
[ "$(cat d/opt/av/Bases/main.db)" = "p2" ] || die "patterns not applied on the engine that meets their requirement"
exit 0
