# applymedia status prints each history line as history.jsonl holds it:
# state_log() stores the message already escaped by core/say.c, so status
# escapes it once more only in the sense of say_out()'s door: "\x1b"
# stays "\x1b" (it used to come out as "\x5cx1b"), and a line holding raw
# control bytes (written by hand, not by ferry) is escaped on the way out.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
make_client cl
expect_ok client cl apply m1
H=cl/var/lib/ferry/history.jsonl
[ -f "$H" ] || die "no $H"
ESC=$(printf '\033')

# as state_log() writes a message with a newline, an ESC and a backslash
printf '%s\n' '{"time":"2026-11-22T00:00:00Z","event":"apply","component":"patterns","result":"ok","message":"entry Bases/a\\x0aFAKE OK\\x1b[2J\\x5c.db"}' >>"$H"
expect_ok client cl status
out_has '^ +2026-11-22T00:00:00Z entry Bases/a\\x0aFAKE OK\\x1b\[2J\\x5c\.db$'
grep -q 'x5cx' "$TEST_TMP/last.out" && { cat "$TEST_TMP/last.out"; die "status escaped the history line twice"; }
# --json gives the line as stored
expect_ok client cl status --json
jq -e '.components[0].history[-1].message == "entry Bases/a\\x0aFAKE OK\\x1b[2J\\x5c.db"' \
    "$TEST_TMP/last.out" >/dev/null || die "--json changed the stored message"

# a hand-written line with raw control bytes still leaves escaped
printf '%s\n' '{"time":"2026-11-22T00:00:01Z","event":"apply","component":"patterns","result":"ok","message":"raw \u001b[2J\nFAKE OK"}' >>"$H"
expect_ok client cl status
out_has '^ +2026-11-22T00:00:01Z raw \\x1b\[2J\\x0aFAKE OK$'
if LC_ALL=C grep -q "$ESC" "$TEST_TMP/last.out"; then die "status printed a raw ESC"; fi
grep -q '^FAKE OK' "$TEST_TMP/last.out" && die "status printed the message's second line"
exit 0
