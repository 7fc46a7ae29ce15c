# One door for untrusted text (core/say.c): an archive entry name with a
# newline and an ANSI escape, a name that is not UTF-8, and a notice with
# both reach the on_failure hook (FERRY_MESSAGE), stderr, history.jsonl and
# `applymedia status` escaped, as one line each, and every refusal is
# logged (json_pack used to fail on the non-UTF-8 name and log nothing).
. "$FERRY_SRC/tests/attack/_lib.sh"
HOOKLOG=$TEST_TMP/hook.log
attack_setup "on_failure = printf '%s\\n' \"\$FERRY_MESSAGE\" >>$HOOKLOG"
: >"$HOOKLOG"
ESC=$(printf '\033')
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

# one_more FILE BEFORE REGEX: FILE has exactly one line more than BEFORE
# lines, that line matches REGEX, and FILE holds no ESC byte.
one_more() {
	local f=$1 n=$2 re=$3 now
	now=$(wc -l <"$f")
	[ "$now" -eq $((n + 1)) ] || { cat -A "$f"; die "$f: $((now - n)) new line(s), want 1"; }
	tail -n 1 "$f" | grep -Eq -- "$re" || { tail -n 1 "$f"; die "$f: last line lacks /$re/"; }
	if LC_ALL=C grep -q "$ESC" "$f"; then die "$f holds a raw ESC"; fi
}

# 1. "Bases/a\n\x1b[2J.db" in the archive
hostile_pkg esc "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/a\\nFAKE OK\\u001b[2J.db\", \"data\": \"x\"}]}"
h=$(wc -l <"$HOOKLOG"); l=$(wc -l <"$ST/history.jsonl")
refused 9 'pkg/patterns/[^:]+: entry Bases/a\\x0aFAKE OK\\x1b\[2J\.db: path not clean and relative' esc
[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || { cat -A "$TEST_TMP/last.err"; die "stderr is not one line"; }
one_more "$HOOKLOG" "$h" '^pkg/patterns/[^:]+: entry Bases/a\\x0aFAKE OK\\x1b\[2J\.db: path not clean and relative$'
one_more "$ST/history.jsonl" "$l" '"message":"refused medium [^"]*: pkg/patterns/[^:]+: entry Bases/a\\\\x0aFAKE OK\\\\x1b\[2J\.db: path not clean'

# 2. "Bases/\xff\xfe.db": not UTF-8, still logged, escaped
hostile_pkg utf8 "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name_hex\": \"42617365732ffffe2e6462\", \"data\": \"x\"}]}"
h=$(wc -l <"$HOOKLOG"); l=$(wc -l <"$ST/history.jsonl")
refused 9 'pkg/patterns/[^:]+: entry Bases/\\xff\\xfe\.db: path not clean and relative' utf8
one_more "$HOOKLOG" "$h" 'entry Bases/\\xff\\xfe\.db: path not clean'
one_more "$ST/history.jsonl" "$l" '"message":"refused medium [^"]*entry Bases/\\\\xff\\\\xfe\.db: path not clean.*"result":"unsafe"'
jq -e . "$ST/history.jsonl" >/dev/null || die "history.jsonl is not JSON lines"

# 3. a notice with a newline, an ESC and a C1 CSI (U+009B): plan and
#    status print it escaped, on one line
fresh_medium notice
forge edit notice 'm["notices"] = [{"text": "X\nFAKE OK\x1b[2J\u009b2J"}]'
for cmd in plan status; do
	expect_ok client client "$cmd" notice
	if LC_ALL=C grep -q "$ESC" "$TEST_TMP/last.out" "$TEST_TMP/last.err"; then
		die "$cmd printed a raw ESC"; fi
	if LC_ALL=C grep -q "$(printf '\302\233')" "$TEST_TMP/last.out"; then
		die "$cmd printed a raw C1 CSI"; fi
	grep -q '^FAKE OK' "$TEST_TMP/last.out" && die "$cmd printed the notice's second line"
	out_has 'notice: X\\x0aFAKE OK\\x1b\[2J\\xc2\\x9b2J$'
	CASES=$((CASES + 1))
done
assert_unchanged
done_cases 4
