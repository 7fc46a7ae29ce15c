# --since: an incremental medium holding only what clients that applied
# the previous medium need; --max-size: newest bases first, then the deltas
# whose loss costs the clients least (a chain's last delta does not go,
# and its whole chain with it, for a few bytes too many; every delta left
# is used by some client's plan), and a clear error when the bases alone
# do not fit.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo --deltas both
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1
make_client cl
expect_ok client cl apply m1

add_versions repo patterns 2026.11.21-1 2026.11.22-1
expect_ok mkmedia --repo repo build --out m2 --since m1 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
# only a delta for patterns, nothing for the unchanged engine, no base
jq -r '.files[].path' m2/ferry/manifest.json >files.txt
grep -q 'base' files.txt && { cat files.txt; die "--since medium carries a base"; }
grep -q 'engine' files.txt && die "--since medium carries the unchanged engine"
# the cheapest way from 2026.11.20-1: two deltas through 2026.11.21-1 (a
# direct one was not kept: it would not have lowered that plan by 1/64)
grep -q 'patterns-2026.11.20-1-to-2026.11.22-1-' files.txt && { cat files.txt; die "a direct delta no plan uses"; }
grep -q 'patterns-2026.11.20-1-to-2026.11.21-1-' files.txt || { cat files.txt; die "no first step"; }
grep -q 'patterns-2026.11.21-1-to-2026.11.22-1-' files.txt || { cat files.txt; die "no second step"; }
full=$(du -sb m1/ferry | cut -f1); inc=$(du -sb m2/ferry | cut -f1)
note "full medium $full bytes, incremental $inc bytes"
[ "$inc" -lt "$full" ] || die "incremental medium not smaller"
expect_ok client cl apply m2
out_has 'patterns: 2026.11.20-1 -> 2026.11.22-1 applied via delta chain 2026.11.20-1 -> 2026.11.21-1 -> 2026.11.22-1'
out_has '^engine: not on this medium$'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "wrong result"
# a fresh client cannot use an incremental medium: clear refusal, unchanged
make_client fresh
before=$(client_digest fresh)
expect_fail 8 'nothing installed and no base of 2026.11.22-1 on the medium' client fresh apply m2
[ "$(client_digest fresh)" = "$before" ] || die "refusal changed the client"
# --since a medium we did not sign is refused
cp -a m1 forged; sed -i 's/"channel": "stable"/"channel": "stabla"/' forged/ferry/manifest.json
expect_fail 5 'bad signature.*--since needs the previous medium' \
    mkmedia --repo repo build --out m3 --since forged --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"

# --max-size
bases=$(jq '[.components[].versions[] | select(.base) | .base] as $b | [.files[] | select(.path as $p | $b | index($p))] | map(.size) | add' m1/ferry/manifest.json)
expect_fail 14 'the newest base packages alone need [0-9]+ bytes, more than the 1000 allowed' \
    mkmedia --repo repo build --out tiny --max-size 1000 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ ! -e tiny/ferry/manifest.json ] || die "a medium was written despite the size error"
# A new engine: its delta 8.0.0 -> 8.0.1 saves its one client (base - delta)
# bytes, under 3 per byte it takes; every patterns delta saves its clients
# many times its size (a small delta most clients' chains pass through).
add_versions repo engine 8.0.1
expect_ok mkmedia --repo repo build --out all --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nall=$(jq '[.components[].deltas // [] | .[]] | length' all/ferry/manifest.json)
total=$(jq '[.files[].size] | add' all/ferry/manifest.json)
# What saves the clients the fewest bytes per byte stored goes first.  The
# engine delta's ratio, from the manifest: (base - delta) / delta.
ebase=$(jq -r '.files[] | select(.path | test("engine-8.0.1-base-")) | .size' all/ferry/manifest.json)
ebytes=$(jq -r '.files[] | select(.path | test("engine-8.0.0-to-8.0.1-.*fdelta")) | .size' all/ferry/manifest.json)
[ -n "$ebytes" ] || die "no engine delta on the full medium"
note "engine delta $ebytes bytes; base $ebase"
[ $(( (ebase - ebytes) / ebytes )) -lt 3 ] || die "engine delta saves 3 or more bytes per byte: the test's premise"
# Room for everything but 20 kB (mkmedia keeps 64 KiB for the README, sums
# and signatures): one delta has to go, and it is the engine's, not the
# oldest nor any patterns delta.
lim=$(( total + 65536 - 20000 ))
expect_ok mkmedia --repo repo build --out small --max-size "$lim" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nsmall=$(jq '[.components[].deltas // [] | .[]] | length' small/ferry/manifest.json)
note "deltas: $nall without a limit, $nsmall under --max-size $lim"
[ "$nsmall" -eq $((nall - 1)) ] || die "--max-size dropped $((nall - nsmall)) deltas, not one"
[ "$(jq '[.files[].size] | add' small/ferry/manifest.json)" -le "$lim" ] || die "medium larger than --max-size"
jq -e '.components[] | select(.name=="engine") | (.deltas // []) | length == 0' small/ferry/manifest.json >/dev/null ||
    die "the delta saving least per byte (engine 8.0.0 -> 8.0.1) stayed"
[ "$(jq -r '.components[] | select(.name=="patterns") | .deltas | map("\(.from)>\(.to)") | sort | join(" ")' small/ferry/manifest.json)" = \
  "$(jq -r '.components[] | select(.name=="patterns") | .deltas | map("\(.from)>\(.to)") | sort | join(" ")' all/ferry/manifest.json)" ] ||
    die "a patterns delta went: $(jq -c '.components[] | select(.name=="patterns") | .deltas' small/ferry/manifest.json)"
# One byte less than the packages of that medium need (bases and deltas,
# besides the 64 KiB kept for the rest).  The patterns deltas: 19 -> 21 and
# 20 -> 21, then 21 -> 22, the delta every client's chain ends with.  Its
# ratio (what all three clients would read more without it, per byte) is
# the lowest, but dropping it drops the chain: the others are no use
# without it, and the clients read three bases.  What a drop really costs
# decides: dropping one delta into 2026.11.21-1 costs its one client
# (base - its chain), the larger of the two the least.
pd() { jq -r --arg f "$1" --arg t "$2" '.files[] | select(.path | test("patterns-" + $f + "-to-" + $t + "-.*fdelta")) | .size' small/ferry/manifest.json; }
pbase=$(jq -r '.files[] | select(.path | test("patterns-2026.11.22-1-base-")) | .size' small/ferry/manifest.json)
d19=$(pd 2026.11.19-1 2026.11.21-1); d20=$(pd 2026.11.20-1 2026.11.21-1); dend=$(pd 2026.11.21-1 2026.11.22-1)
[ -n "$d19" ] && [ -n "$d20" ] && [ -n "$dend" ] || die "the premise: deltas 19 -> 21, 20 -> 21, 21 -> 22 on the medium"
note "patterns base $pbase; deltas 19->21 $d19, 20->21 $d20, 21->22 $dend bytes"
# the premise: the old rule's ratio puts the chain's end first
rend=$(( (3 * pbase - d19 - d20 - 3 * dend) / dend ))
r19=$(( (pbase - d19 - dend) / d19 )); r20=$(( (pbase - d20 - dend) / d20 ))
[ "$rend" -lt "$r19" ] && [ "$rend" -lt "$r20" ] || die "the premise: the chain's end saves the fewest bytes per byte ($rend, $r19, $r20)"
if [ "$d19" -ge "$d20" ]; then gone=2026.11.19-1; kept=2026.11.20-1; else gone=2026.11.20-1; kept=2026.11.19-1; fi
lim2=$(( $(jq '[.files[] | select(.path | startswith("pkg/")) | .size] | add' small/ferry/manifest.json) + 65536 - 1 ))
expect_ok mkmedia --repo repo build --out smaller --max-size "$lim2" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq '[.files[].size] | add' smaller/ferry/manifest.json)" -le "$lim2" ] || die "medium larger than --max-size"
got=$(jq -r '[.components[].deltas // [] | .[] | "\(.from)>\(.to)"] | sort | join(" ")' smaller/ferry/manifest.json)
[ "$got" = "$kept>2026.11.21-1 2026.11.21-1>2026.11.22-1" ] ||
    die "under --max-size $lim2 the medium carries the deltas '$got', not $kept -> 2026.11.21-1 -> 2026.11.22-1 (the delta from $gone costs least)"
# Every delta on it is used by some client's plan: a client at each
# version of the window asks its own planner.
used=
for v in 2026.11.19-1 2026.11.20-1 2026.11.21-1; do
	build_medium repo "at-$v" --component "patterns=$v"
	make_client "c-$v"
	expect_ok client "c-$v" apply "at-$v"
	expect_ok client "c-$v" --component patterns plan smaller
	case $v in
	"$gone") out_has "patterns: .*base 2026.11.22-1" ;;
	"$kept") out_has "delta chain $v -> 2026.11.21-1 -> 2026.11.22-1" ;;
	*) out_has "delta chain $v -> 2026.11.22-1" ;;
	esac
	used="$used $( (grep -o 'delta chain [^ ]*\( -> [^ ,;]*\)*' "$TEST_TMP/last.out" || :) |
	    sed 's/delta chain //' | awk -F' -> ' '{ for (i = 1; i < NF; i++) print $i ">" $(i + 1) }' | tr '\n' ' ')"
done
for d in $got; do
	case " $used " in *" $d "*) ;; *) die "delta $d is on the medium but no client's plan uses it (plans:$used)" ;; esac
done
# With room for the bases alone, every delta goes.
lim3=$(( ebase + pbase + 65536 ))
expect_ok mkmedia --repo repo build --out bare --max-size "$lim3" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq '[.components[].deltas // [] | .[]] | length' bare/ferry/manifest.json)" -eq 0 ] ||
    die "deltas over the limit stayed: $(jq -c '[.components[].deltas]' bare/ferry/manifest.json)"
