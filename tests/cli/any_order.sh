# Issue 14 section 1: media from one repository work in any order
# (formats/SPEC.md §13).  Four media of one publisher, with different
# serials, carried three ways:
#   A  serial 1  stick folder  patterns 2026.11.19-1, engine 8.0.0
#   B  serial 2  ISO image     patterns 2026.11.21-1, engine 8.0.0
#   C  serial 3  HTTP mirror   engine 8.0.1 only
#   D  serial 4  stick folder  patterns 2026.11.23-1 only
# The newest of each component is spread over two media (patterns on D,
# engine on C), so an order that ends well has to take a component from an
# older-serial medium after a newer one was accepted.  All 24 orders are
# applied to clients in 3 starting states (fresh; old: A applied; middle:
# C then B applied).  Every apply must exit 0, on_failure must never run,
# history.jsonl must hold no refusal or failure, and every order must end
# at patterns 2026.11.23-1 and engine 8.0.1.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
PN=2026.11.23-1
EN=8.0.1

make_repo repo
add_versions repo patterns 2026.11.19-1
add_versions repo engine 8.0.0
build_medium repo A --serial 1
add_versions repo patterns 2026.11.20-1 2026.11.21-1
mkmedia --repo repo build --iso B.iso --serial 2 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" >/dev/null
add_versions repo engine 8.0.1
build_medium repo www --component engine --serial 3
add_versions repo patterns 2026.11.22-1 "$PN"
build_medium repo D --component patterns --serial 4
mkdir -p www
nginx_start www
MEDIA=(A "$TEST_TMP/B.iso" "$NGINX_URL/ferry/" D)
NAMES=(A B C D)

# One client path for every run: the application links are absolute, so
# a starting state is saved once and restored to the same place.
make_client cl "on_failure = touch $TEST_TMP/on_failure.ran"
cp -a cl start.fresh
expect_ok client cl apply A
cp -a cl start.old
rm -rf cl && cp -a start.fresh cl
expect_ok client cl apply "${MEDIA[2]}"
expect_ok client cl apply "${MEDIA[1]}"
grep -q 'patterns 2026.11.21-1' cl/opt/av/Bases/Bases/version.txt ||
    die "middle state: B (serial 2) did not bring patterns forward after C (serial 3)"
cp -a cl start.middle

runs=0 alarms=0 orders=0 nothing=0 forward=0
for start in fresh old middle; do
	for a in 0 1 2 3; do for b in 0 1 2 3; do for c in 0 1 2 3; do
	for d in 0 1 2 3; do
		[ $a -ne $b ] && [ $a -ne $c ] && [ $a -ne $d ] &&
		    [ $b -ne $c ] && [ $b -ne $d ] && [ $c -ne $d ] || continue
		order="${NAMES[a]}${NAMES[b]}${NAMES[c]}${NAMES[d]}"
		rm -rf cl && cp -a "start.$start" cl
		for i in $a $b $c $d; do
			rc=0
			client cl apply "${MEDIA[i]}" >last.out 2>last.err || rc=$?
			runs=$((runs + 1))
			if [ "$rc" -ne 0 ]; then
				alarms=$((alarms + 1))
				cat last.out last.err
				die "$start client, order $order: ${NAMES[i]} exited $rc"
			fi
			grep -q 'offers nothing newer: nothing to do$' last.out &&
			    nothing=$((nothing + 1))
			grep -q 'applied via' last.out &&
			    grep -q 'is older than serial\|left alone' last.out &&
			    forward=$((forward + 1))
		done
		[ ! -e on_failure.ran ] ||
		    die "$start client, order $order: on_failure ran"
		! grep -q '"event":"\(refused\|failed\)"' cl/var/lib/ferry/history.jsonl ||
		    die "$start client, order $order: history holds a refusal"
		grep -qx "patterns $PN" cl/opt/av/Bases/Bases/version.txt ||
		    die "$start client, order $order: patterns not at $PN"
		grep -qx "engine $EN" cl/opt/av/engine/version.txt ||
		    die "$start client, order $order: engine not at $EN"
		orders=$((orders + 1))
	done; done; done; done
done
[ "$orders" -eq 72 ] || die "expected 72 orders, ran $orders"
# The two new paths were really taken: an older medium that brings
# nothing ("nothing to do"), and an older medium that brings a component
# forward while leaving an older one alone.
[ "$nothing" -gt 0 ] || die "no order met an older medium with nothing newer"
[ "$forward" -gt 0 ] || die "no older medium brought a component forward"
note "72 orders (24 x 3 starting states), $runs applies, $alarms false alarms; $nothing older media with nothing to do, $forward older media that brought a component forward"

# One order checked line by line from a fresh client: D, C, B, A.
rm -rf cl && cp -a start.fresh cl
expect_ok client cl apply D
expect_ok client cl apply "${MEDIA[2]}"
out_has "^engine: none -> $EN applied via "
expect_ok client cl apply "${MEDIA[1]}"
out_has '^patterns: medium offers 2026\.11\.21-1, older than the installed 2026\.11\.23-1; left alone$'
out_has '^engine: medium offers 8\.0\.0, older than the installed 8\.0\.1; left alone$'
out_has '^medium example-av-stable-2 \(serial 2\) is older than serial 4 already accepted and offers nothing newer: nothing to do$'
tail -n 1 cl/var/lib/ferry/history.jsonl |
    grep -q '"event":"older-medium".*"result":"ok"' ||
    die "the older medium is not logged as information"
before=$(client_digest cl)
expect_ok client cl apply A
out_has '^medium example-av-stable-1 \(serial 1\) is older than serial 4 already accepted and offers nothing newer: nothing to do$'
[ "$(client_digest cl)" = "$before" ] || die "a harmless older medium changed the client"
# state.json remembers each accepted serial's manifest hash; the highest
# serial stays 4 although C (serial 3) was accepted after D.
python3 - cl/var/lib/ferry/state.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["publishers"]["example-av"]
assert p["serial"] == 4, p
assert sorted(p["accepted"]) == ["3", "4"], p
EOF
