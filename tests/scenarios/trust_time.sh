# The time model (docs/KEYS.md "Time"): expiry is judged against the later
# of the client's clock and the newest signed time it ever accepted, so a
# clock set back cannot reopen an expired medium; a build host clock ahead
# of the client only warns; expired within the grace period warns, beyond
# it refuses with exit 12 naming both times; --allow-expired and
# `expired = warn|allow` are loud and logged.  The clock is injected with
# FERRY_TEST_NOW, the signing time with SOURCE_DATE_EPOCH.  The test keys
# are valid for two years from now, so every time here stays inside that.
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# FERRY_TEST_NOW
DAY=86400
NOW=$(date +%s)
NOW=$((NOW - NOW % DAY))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
at() { local t=$1; shift; FERRY_TEST_NOW=$t "$@"; }
built() {	# CREATED OUT [build options]
	local t=$1 o=$2; shift 2
	SOURCE_DATE_EPOCH=$t build_medium repo "$o" "$@"
}

make_repo repo
add_versions repo patterns 2026.11.20-1
built $((NOW - 50 * DAY)) new --serial 1
add_versions repo patterns 2026.11.21-1
# Signed long ago, valid 10 days, but with a higher serial: only the time
# policy stands between it and a client.
built $((NOW - 200 * DAY)) old --serial 5 --expires 10
OLD_EXP=$((NOW - 190 * DAY))

# 1. Clock set back.  Control: a client whose clock says 1970 and which
#    has never seen a newer medium has no reason to refuse it.
make_client fresh
expect_ok at 86400 client fresh plan old
# A client that accepted `new` (signed 50 days ago) knows time has passed:
# with its clock back in 1970 it still refuses `old`.
make_client a
expect_ok at $((NOW - 49 * DAY)) client a apply new
before=$(client_digest a)
expect_fail 12 "^applymedia: example-av-stable-5: expired on $(iso $OLD_EXP); trusted time is $(iso $((NOW - 50 * DAY))) \(clock 1970-01-02T00:00:00Z, newest signed time seen $(iso $((NOW - 50 * DAY)))\); refused \(--allow-expired overrides\)$" \
    at 86400 client a apply old
[ "$(client_digest a)" = "$before" ] || die "expired medium changed the client"
# ... and a clock far ahead does not help either: it only moves T forward.
expect_fail 12 "expired on $(iso $OLD_EXP); trusted time is $(iso $NOW) \(clock $(iso $NOW)" \
    at "$NOW" client a apply old
[ "$(client_digest a)" = "$before" ] || die "expired medium changed the client"

# 2. Build host clock ahead of the client: accepted; a warning only when
#    the signing time is beyond max_jump_days (400) ahead of the clock.
add_versions repo patterns 2026.11.22-1
built $((NOW + 100 * DAY)) ahead100
built $((NOW + 500 * DAY)) ahead500
make_client b
expect_ok at "$NOW" client b apply ahead100
grep -q 'far ahead' "$TEST_TMP/last.err" && die "warned about a 100-day jump"
make_client c
expect_ok at "$NOW" client c apply ahead500
err_has "^applymedia: warning: medium example-av-stable-[0-9]+ is signed $(iso $((NOW + 500 * DAY))), far ahead of this clock \($(iso "$NOW")\): check the clock"
# What the client accepted moves its trusted time: the 50-days-ago medium
# (serial 1) is now refused as a replay anyway, never as "from the future".

# 3. Expiry and the grace period (7 days): created 20 days ago, valid 10.
add_versions repo patterns 2026.11.23-1
built $((NOW - 20 * DAY)) exp --expires 10
EXP=$((NOW - 10 * DAY))
make_client g
before=$(client_digest g)
# beyond grace: refused, both times named, nothing changed
expect_fail 12 "^applymedia: example-av-stable-[0-9]+: expired on $(iso $EXP); trusted time is $(iso "$NOW") \(clock $(iso "$NOW"), newest signed time seen 1970-01-01T00:00:00Z\); refused" \
    at "$NOW" client g apply exp
[ "$(client_digest g)" = "$before" ] || die "refused expired medium changed the client"
grep -q '"event":"refused".*expired on.*"result":"expired"' g/var/lib/ferry/history.jsonl || die "refusal not logged"
# within grace (3 days late): a warning, exit 0
expect_ok at $((NOW - 7 * DAY)) client g apply exp
err_has "^applymedia: warning: medium example-av-stable-[0-9]+ expired on $(iso $EXP) \(trusted time $(iso $((NOW - 7 * DAY))); clock $(iso $((NOW - 7 * DAY)))\); it will be refused after 7 grace days$"
# --allow-expired: exit 0, loud, and in the history
make_client h
expect_ok at "$NOW" client h apply --allow-expired exp
err_has "warning: medium example-av-stable-[0-9]+ EXPIRED on $(iso $EXP) \(trusted time $(iso "$NOW"); clock $(iso "$NOW")\): accepted because --allow-expired was given"
grep -q '"event":"expired-accepted"' h/var/lib/ferry/history.jsonl || die "--allow-expired not logged"
# expired = warn: a warning even beyond grace
make_client w "expired = warn"
expect_ok at "$NOW" client w apply exp
err_has "warning: medium example-av-stable-[0-9]+ expired on $(iso $EXP)"
# expired = allow: accepted, loud, logged
make_client l "expired = allow"
expect_ok at "$NOW" client l apply exp
err_has "EXPIRED on $(iso $EXP) .*accepted because the configuration allows it"
grep -q '"event":"expired-accepted"' l/var/lib/ferry/history.jsonl || die "expired = allow not logged"
# expired = nonsense is a configuration error
make_client x "expired = sometimes"
expect_fail 17 'expired must be refuse, warn or allow' at "$NOW" client x plan exp
