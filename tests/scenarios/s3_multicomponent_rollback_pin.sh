# Field scenario 3 (../shared/SCENARIOS.md): a mail gateway with five
# components on different rhythms (virus patterns daily, anti-spam several
# times a day, spyware weekly, engine and URL filter rarely), the virus
# pattern in a global (.00) and a Japan (.80) variant.  Asserts: status
# shows installed vs available per component and which are OUT OF DATE
# (text and --json); selected (--component) or all components update; each
# client follows its own variant and the repository keeps the variants
# apart; rollback goes back one generation and pins the component until
# unpin, status shows the pin; plain-word logs ("<component> <version>
# applied", "rolled back to version"); on_failure fires for a failed health
# check and a failed verification; a lock left by a killed applymedia never
# blocks; two update runs at once: the second gets exit 15 (or waits).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys

rel() {		# rel COMPONENT VERSION: a tiny release tree in rel/C/V
	local d=rel/$1/$2
	put_file "$d" "$1.dat" "$1 $2 $(printf '%s' "$1$2" | sha256sum | cut -c1-32)"
	put_file "$d" version.txt "$2"
	echo "$d"
}
add() {		# add COMPONENT VERSION [--variant V]
	local c=$1 v=$2; shift 2
	add_tree repo "$c" "$v" "$(rel "$c${1:+-$2}" "$v")" "$@"
}
make_repo repo
# release day 1
add vsapi 15.695.00
add vsapi 15.695.80 --variant jp
add antispam 1834.10
add spyware 1.200
add engine 9.750.1008
add urlfilter 2.5
build_medium repo d1
# day 2: a new virus pattern (both variants), three anti-spam updates
add vsapi 15.697.00
add vsapi 15.697.80 --variant jp
add antispam 1834.11
add antispam 1834.12
add antispam 1834.13
build_medium repo d2
# the repository keeps the variants apart, as does the medium
[ -d repo/components/vsapi ] && [ -d repo/components/vsapi+jp ] ||
    { ls repo/components; die "variants not kept apart in the repository"; }
expect_ok mkmedia --repo repo list
out_has '^vsapi$'
out_has '^vsapi variant jp$'
python3 - d2/ferry/manifest.json <<'PY' || die "medium does not carry both variants"
import json, sys
m = json.load(open(sys.argv[1]))
v = {(c["name"], c.get("variant", "")): [x["version"] for x in c["versions"]]
     for c in m["components"]}
assert v[("vsapi", "")][-1] == "15.697.00", v
assert v[("vsapi", "jp")][-1] == "15.697.80", v
PY

gateway() {	# gateway DIR [VARIANT]
	local hc="health_check = test ! -e $TEST_TMP/$1.engine-broken"
	# a pre_switch that holds the run until the test creates DIR.go
	local hold="pre_switch = echo started > $TEST_TMP/$1.hook; while [ ! -e $TEST_TMP/$1.go ]; do sleep 0.05; done"
	scen_client "$1" "on_failure = echo \"\$FERRY_EVENT \$FERRY_COMPONENT: \$FERRY_MESSAGE\" >> $TEST_TMP/$1.mail" \
	    "[component vsapi]" "path = /opt/gw/pattern" ${2:+"variant = $2"} \
	    "[component antispam]" "path = /opt/gw/antispam" \
	    "[component spyware]" "path = /opt/gw/spyware" \
	    "[component engine]" "path = /opt/gw/engine" "$hc" "$hold" \
	    "[component urlfilter]" "path = /opt/gw/urlfilter" "$hold"
	touch "$1.go"
}
gateway gw
gateway gwjp jp
trap 'touch "$TEST_TMP/gw.go" "$TEST_TMP/gwjp.go"' EXIT	# never leave a hook waiting
expect_ok client gw apply d1
expect_ok client gwjp apply d1
[ "$(cat gw/opt/gw/pattern/version.txt)" = 15.695.00 ] || die "global gateway not on the global pattern"
[ "$(cat gwjp/opt/gw/pattern/version.txt)" = 15.695.80 ] || die "Japan gateway not on the Japan pattern"

# --- the console view: installed vs available, OUT OF DATE
expect_ok client gw status d2
cat "$TEST_TMP/last.out"
out_has '^vsapi +15\.695\.00 +available 15\.697\.00  OUT OF DATE$'
out_has '^antispam +1834\.10 +available 1834\.13  OUT OF DATE$'
out_has '^spyware +1\.200 +available 1\.200$'
out_has '^engine +9\.750\.1008 +available 9\.750\.1008$'
out_has '^urlfilter +2\.5 +available 2\.5$'
expect_ok client gwjp status d2
out_has '^vsapi +15\.695\.80 +available 15\.697\.80  OUT OF DATE$'
expect_ok client gw status --json d2
python3 - "$TEST_TMP/last.out" <<'PY' || die "status --json: wrong installed/available"
import json, sys
d = {c["component"]: c for c in json.load(open(sys.argv[1]))["components"]}
assert d["vsapi"]["installed"] == "15.695.00" and d["vsapi"]["available"] == "15.697.00"
assert d["vsapi"]["out_of_date"] is True and d["antispam"]["out_of_date"] is True
assert d["spyware"]["out_of_date"] is False and d["engine"]["out_of_date"] is False
PY

# --- update selected components, then all
expect_ok client gw apply --component antispam d2
out_has '^antispam: 1834\.10 -> 1834\.13 applied via'
grep -q vsapi "$TEST_TMP/last.out" && die "--component antispam touched vsapi"
[ "$(cat gw/opt/gw/pattern/version.txt)" = 15.695.00 ] || die "vsapi updated by --component antispam"
expect_ok client gw apply d2
out_has '^vsapi: 15\.695\.00 -> 15\.697\.00 applied via'
out_has '^antispam: already at 1834\.13$'
expect_ok client gwjp apply d2
out_has '^vsapi: 15\.695\.80 -> 15\.697\.80 applied via'
[ "$(cat gwjp/opt/gw/pattern/version.txt)" = 15.697.80 ] || die "Japan gateway left its variant"
grep -q '"variant":"jp"' gwjp/var/lib/ferry/c/vsapi/current/meta.json || die "generation does not record the variant"
# a client following a variant this medium does not carry gets neither
scen_client gwcn "[component vsapi]" "path = /opt/gw/pattern" "variant = cn"
expect_ok client gwcn plan d2
out_has '^vsapi: not on this medium$'
# plain-word log lines
grep -q '"message":"antispam 1834.13 applied from medium example-av-stable-2' gw/var/lib/ferry/history.jsonl ||
    die "history lacks 'antispam 1834.13 applied'"
expect_ok client gw status
out_has 'vsapi 15\.697\.00 applied from medium example-av-stable-2'

# --- rollback one generation: pinned until the admin re-enables it
expect_ok client gw rollback vsapi
out_has '^vsapi rolled back to version 15\.695\.00; it is pinned until "applymedia unpin vsapi"$'
[ "$(cat gw/opt/gw/pattern/version.txt)" = 15.695.00 ] || die "rollback wrong"
grep -q '"message":"vsapi rolled back to version 15.695.00"' gw/var/lib/ferry/history.jsonl ||
    die "history lacks 'vsapi rolled back to version 15.695.00'"
# day 3: every component but spyware moves
add vsapi 15.699.00
add vsapi 15.699.80 --variant jp
add antispam 1834.14
add engine 9.750.1010
add urlfilter 2.6
build_medium repo d3
expect_ok client gw status d3
out_has '^vsapi +15\.695\.00 +\[pinned\]  available 15\.699\.00  OUT OF DATE$'
expect_ok client gw apply d3
out_has '^vsapi: pinned after a rollback; run applymedia unpin vsapi to update it again$'
out_has '^antispam: 1834\.13 -> 1834\.14 applied via'
[ "$(cat gw/opt/gw/pattern/version.txt)" = 15.695.00 ] || die "pinned component silently re-applied"
expect_ok client gw unpin vsapi
expect_ok client gw status d3
out_has '^vsapi +15\.695\.00 +available 15\.699\.00  OUT OF DATE$'
expect_ok client gw apply d3
out_has '^vsapi: 15\.695\.00 -> 15\.699\.00 applied via'

# --- failures reach the site's mail/SNMP script through on_failure
# a health check fails after the engine switch: back on the old engine
touch gwjp.engine-broken
expect_fail 11 '^applymedia: engine: health_check hook exited with status 1: .*; rolled back to 9\.750\.1008$' \
    client gwjp apply --component engine d3
[ "$(cat gwjp/opt/gw/engine/version.txt)" = 9.750.1008 ] || die "failed engine left switched"
grep -q '^on_failure : engine: health_check hook exited with status 1: .*rolled back to 9.750.1008$' gwjp.mail ||
    { cat gwjp.mail; die "on_failure not called for the failed health check"; }
rm gwjp.engine-broken
# an installed file changed behind ferry's back: verify fails, mail goes out
expect_ok client gwjp verify          # control
chmod -R u+w gwjp/var/lib/ferry/c/spyware/current/tree
echo tampered >>gwjp/opt/gw/spyware/spyware.dat
expect_fail 6 '^applymedia: spyware/spyware\.dat: ' client gwjp verify spyware
grep -q '^on_failure spyware: verify: spyware/spyware\.dat: ' gwjp.mail ||
    { cat gwjp.mail; die "on_failure not called for the failed verification"; }

# --- a lock left behind by a killed applymedia never blocks
rm gwjp.go gwjp.hook
client gwjp apply --component engine d3 >killed.out 2>&1 &
pid=$!
for _ in $(seq 600); do [ -e gwjp.hook ] && break; sleep 0.05; done
[ -e gwjp.hook ] || die "pre_switch never started"
# the lock file names the holder, as an admin would find it
apid=$(cat gwjp/var/lib/ferry/lock)
case $(cat "/proc/$apid/comm" 2>/dev/null) in
applymedia|memcheck*) ;;		# memcheck: under FERRY_VALGRIND
*) die "lock does not name the running applymedia" ;;
esac
kill -9 "$apid"; wait "$pid" 2>/dev/null || true
touch gwjp.go                          # let the orphaned hook finish
[ "$(cat gwjp/var/lib/ferry/lock)" = "$apid" ] || die "lock file changed (test assumption)"
note "lock file left by the killed run names pid $apid"
[ "$(cat gwjp/opt/gw/engine/version.txt)" = 9.750.1008 ] || die "killed before the switch, yet switched"
expect_ok client gwjp apply --component engine d3
out_has '^engine: 9\.750\.1008 -> 9\.750\.1010 applied via'

# --- two update mechanisms at once: the second is told, not stepped on
rm -f gwjp.go gwjp.hook
client gwjp apply d3 >first.out 2>&1 &
first=$!
for _ in $(seq 600); do [ -e gwjp.hook ] && break; sleep 0.05; done
[ -e gwjp.hook ] || die "first run never reached its hook"
# (the engine is current now; the first run holds the lock in the URL
# filter's pre_switch)
before=$(client_digest gwjp)
expect_fail 15 '^applymedia: .*another applymedia \(pid [0-9]+\) is ' client gwjp apply d3
[ "$(client_digest gwjp)" = "$before" ] || die "the busy run changed the client"
client gwjp --wait apply d3 >second.out 2>&1 &
second=$!
sleep 0.3
touch gwjp.go
wait "$first" || { cat first.out; die "first run failed"; }
wait "$second" || { cat second.out; die "waiting run failed"; }
grep -q 'nothing to do: every component is up to date' second.out || { cat second.out; die "second run did work twice"; }
note "scenario 3: five components, variants, pin, on_failure, stale lock, busy"
