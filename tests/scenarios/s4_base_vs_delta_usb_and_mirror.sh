# Field scenario 4 (../shared/SCENARIOS.md): definition databases updated
# by small deltas, with a base when a client is far behind; carried on a
# USB stick (the stick's folder is the update source, E:\Mirror) or served
# from a site mirror (a plain folder, then the same folder over HTTP).
# Asserts: mkmedia makes deltas only from recent versions (a 4-day window);
# a client 2 days behind reads a delta of a few KB, one 3 weeks behind and
# a new one read the base; all end byte-identical whatever carried the
# medium; a mirror missing its base package still serves delta clients and
# tells the others which file is missing, and they recover when it is
# copied again; a saturated/unreachable mirror fails cleanly and a retry
# works; --jitter spreads scheduled runs (0..N seconds, uniform).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys
need_hooks	# FERRY_TEST_NO_SLEEP (--jitter 600 must not wait)
make_samples

released() {	# 2026.11.20-2 -> 2026-11-20T12:00:00Z (the day's 2nd release)
	local d=${1%-*} n=${1##*-}
	printf '%sT%02d:00:00Z\n' "${d//./-}" $(( n * 6 ))
}
add_day() {
	local v
	for v in "$@"; do
		add_tree repo patterns "$v" "$SAMPLES/patterns/$v" --released "$(released "$v")"
	done
}
make_repo repo --deltas star --window 8 --window-days 4
add_day 2026.09.01-1 2026.11.01-1                       # monthly bases
build_medium repo m-nov01
add_day 2026.11.19-1 2026.11.20-1 2026.11.20-2 2026.11.21-1
build_medium repo m-nov21
add_day 2026.11.22-1 2026.11.23-1
# the offline database, written to a stick's folder
build_medium repo stick/Mirror
M=stick/Mirror/ferry/manifest.json
python3 - "$M" >deltas.txt <<'PY' || die "cannot read the deltas of the medium"
import json, sys
m = json.load(open(sys.argv[1]))
c = [c for c in m["components"] if c["name"] == "patterns"][0]
for d in c["deltas"]:
    if d["to"] == "2026.11.23-1":
        print(d["from"])
    elif d["from"] == "2026.11.19-1":   # the first step of a chain
        print("chain", d["from"])
PY
note "deltas to 2026.11.23-1 from: $(tr '\n' ' ' <deltas.txt)"
# 11.19 (4 days back) starts a delta: straight to 11.23, or a chain when
# that is not 1/64 smaller than the chain (formats/SPEC.md §7.6)
grep -qx 2026.11.21-1 deltas.txt && grep -Eqx '(chain )?2026.11.19-1' deltas.txt ||
    die "no delta from a recent version"
grep -qx 2026.11.01-1 deltas.txt && die "a delta from a version 22 days old (window is 4 days)"

mkcl() { scen_client "$1" "[component patterns]" "path = /opt/eset/updfiles"; }
mkcl near; mkcl far; mkcl new
expect_ok client far apply m-nov01
expect_ok client near apply m-nov21
[ "$(cat near/opt/eset/updfiles/Bases/version.txt)" = "patterns 2026.11.21-1" ] || die "near not at 11.21"

# --- the planner picks by bytes from the local version
expect_ok client near plan stick/Mirror
out_has '^patterns: 2026\.11\.21-1 -> 2026\.11\.23-1 via delta chain 2026\.11\.21-1 -> 2026\.11\.23-1; [0-9]+ bytes to read'
dbytes=$(sed -n 's/^patterns: .*; \([0-9]*\) bytes to read.*/\1/p' "$TEST_TMP/last.out")
expect_ok client far plan stick/Mirror
out_has '^patterns: 2026\.11\.01-1 -> 2026\.11\.23-1 via base 2026\.11\.23-1; [0-9]+ bytes to read'
bbytes=$(sed -n 's/^patterns: .*; \([0-9]*\) bytes to read.*/\1/p' "$TEST_TMP/last.out")
expect_ok client new plan stick/Mirror
out_has '^patterns: none -> 2026\.11\.23-1 via base 2026\.11\.23-1;'
note "delta from 2 days back: $dbytes bytes; base for 3 weeks back: $bbytes bytes"
[ "$dbytes" -lt $(( bbytes / 20 )) ] || die "the delta ($dbytes) is not much smaller than the base ($bbytes)"

# --- offline update from the stick's folder
expect_ok client near apply stick/Mirror
out_has "^1 component updated from medium example-av-stable-3; $dbytes bytes read from the medium\$"

# --- the site mirror: a plain folder holding ferry/ ...
mkdir -p srv/www && cp -a stick/Mirror/ferry srv/www/ferry
base=$(cd srv/www/ferry && find pkg -name 'patterns-2026.11.23-1-base-*' | head -n1)
[ -n "$base" ] || { ls -R srv/www/ferry; die "cannot find the base package on the mirror"; }
# a mirror that lacks the multi-MB base (a half-done copy)
mv "srv/www/ferry/$base" base.saved
# ... still serves a client that needs only a delta
mkcl near2
expect_ok client near2 apply m-nov21
expect_ok client near2 apply srv/www/ferry
out_has '^patterns: 2026\.11\.21-1 -> 2026\.11\.23-1 applied via delta chain'
# ... and tells a client that needs the base which file is missing
before=$(client_digest far)
expect_fail 16 "$base" client far apply srv/www/ferry
note "far client on a mirror without the base: $(cat "$TEST_TMP/last.err")"
[ "$(client_digest far)" = "$before" ] || die "the incomplete mirror changed the client"
mv base.saved "srv/www/ferry/$base"              # re-download it
expect_ok client far apply srv/www/ferry
out_has '^patterns: 2026\.11\.01-1 -> 2026\.11\.23-1 applied via base 2026\.11\.23-1$'

# --- ... and the same folder behind a web server, with --jitter
if ! command -v nginx >/dev/null 2>&1; then
	skip_part "the HTTP half: nginx is not installed (./build.sh deps)"
	expect_ok client new apply srv/www/ferry
else
	. "$FERRY_SRC/tests/http/_nginx.sh"
	nginx_start srv/www
	URL=$NGINX_URL/ferry/
	nginx_stop                               # the mirror is down / saturated
	before=$(client_digest new)
	# (no retries with backoff here: FERRY_HTTP_RETRIES=0 keeps it fast)
	rc=0; FERRY_HTTP_RETRIES=0 FERRY_TEST_NO_SLEEP=1 client new --jitter 600 \
	    apply "$URL" >last.out 2>last.err || rc=$?
	[ "$rc" -ne 0 ] || die "apply from a stopped mirror succeeded"
	note "mirror down: exit $rc: $(tail -n1 last.err)"
	grep -q '127\.0\.0\.1' last.err || die "the error does not name the mirror"
	[ "$(client_digest new)" = "$before" ] || die "a failed download changed the client"
	nginx_start srv/www                      # retry later
	URL=$NGINX_URL/ferry/
	FERRY_TEST_NO_SLEEP=1 expect_ok client new --jitter 600 apply "$URL"
	out_has '^waiting [0-9]+ s \(jitter'
	out_has '^patterns: none -> 2026\.11\.23-1 applied via base 2026\.11\.23-1$'
	nginx_stop
fi
[ "$(tree_digest new/opt/eset/updfiles)" = "$(tree_digest "$SAMPLES/patterns/2026.11.23-1")" ] &&
    [ "$(tree_digest far/opt/eset/updfiles)" = "$(tree_digest near/opt/eset/updfiles)" ] &&
    [ "$(tree_digest far/opt/eset/updfiles)" = "$(tree_digest new/opt/eset/updfiles)" ] ||
    die "clients differ after stick, folder and mirror"

# --- --jitter: uniform 0..N before anything is touched; 0 means none
: >delays
for _ in $(seq 1 24); do
	FERRY_TEST_NO_SLEEP=1 client near --jitter 3 status >j.out
	sed -n 's/^waiting \([0-9]*\) s (jitter.*/\1/p' j.out >>delays
done
[ "$(wc -l <delays)" -eq 24 ] || die "not every run reported its delay"
awk '$1 < 0 || $1 > 3 { bad = 1 } END { exit bad }' delays || die "delay outside 0..3"
[ "$(sort -u delays | wc -l)" -ge 2 ] || die "24 runs all chose the same delay"
note "24 delays in 0..3: $(sort -n delays | uniq -c | awk '{printf "%s x%s ", $2, $1}')"
start=$(date +%s%N)
expect_ok client near --verbose --jitter 1 status
err_has '^waiting [01] s \(jitter\)$'
note "--jitter 1 took $(( ($(date +%s%N) - start) / 1000000 )) ms"
expect_ok client near --jitter 0 status
grep -q jitter "$TEST_TMP/last.out" && die "--jitter 0 waited"
expect_fail 2 '^applymedia: --jitter takes a whole number from 0 to 86400, not "soon"$' \
    client near --jitter soon status
[ -f "$FERRY_SRC/docs/SCHEDULING.md" ] && grep -q RandomizedDelaySec "$FERRY_SRC/docs/SCHEDULING.md" ||
    die "docs/SCHEDULING.md does not document a timer"
note "scenario 4: delta vs base by age, stick, folder and HTTP mirror, jitter"
