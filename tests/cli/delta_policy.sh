# mkmedia's delta policy on add: chain (consecutive pairs), star (from each
# of the last W versions straight to the newest), both; a window by count
# or age; a delta that would not lower what its client reads is not kept
# (--max-fraction is gone: accepted with a warning, old configs load); a
# medium carries only the deltas some client's cheapest plan uses.
. "$FERRY_TESTLIB/common.sh"
make_samples
V="2026.11.19-1 2026.11.20-1 2026.11.20-2 2026.11.21-1 2026.11.22-1"
pairs() { mkmedia --repo "$1" --json list | jq -r '.components[0].deltas[] | "\(.from)>\(.to)"' | sort | tr '\n' ' '; }

make_repo chain --deltas chain
add_versions chain patterns $V
[ "$(pairs chain)" = "2026.11.19-1>2026.11.20-1 2026.11.20-1>2026.11.20-2 2026.11.20-2>2026.11.21-1 2026.11.21-1>2026.11.22-1 " ] ||
    die "chain: $(pairs chain)"

# star, window 2: each new version gets deltas from the two before it,
# except 2026.11.20-2 -> 2026.11.22-1: a client at 2026.11.20-2 already
# reads less than that through 2026.11.21-1 (two small deltas), so the
# direct one would not lower its plan by 1/64 and is not kept; add says so
# with the plan it compared against (the chain's bytes).
make_repo star --deltas star --window 2
for v in $V; do
	expect_ok mkmedia --repo star add patterns "$v" "$SAMPLES/patterns/$v"
done
[ "$(pairs star)" = "2026.11.19-1>2026.11.20-1 2026.11.19-1>2026.11.20-2 2026.11.20-1>2026.11.20-2 2026.11.20-1>2026.11.21-1 2026.11.20-2>2026.11.21-1 2026.11.21-1>2026.11.22-1 " ] ||
    die "star window 2: $(pairs star)"
dsize() { mkmedia --repo star --json list | jq -r --arg f "$1" --arg t "$2" '.components[0].deltas[] | select(.from == $f and .to == $t) | .bytes'; }
chainb=$(( $(dsize 2026.11.20-2 2026.11.21-1) + $(dsize 2026.11.21-1 2026.11.22-1) ))
out_has "^patterns: no delta 2026.11.20-2 -> 2026.11.22-1: it would not lower what a client at 2026.11.20-2 reads \(at least [0-9]+ bytes against a plan of $chainb\)\$"

# window by age: versions released more than 1 day before the new one get
# no delta to it
make_repo age --deltas star --window 10 --window-days 1
for v in $V; do
	d=${v%-*}; d=${d//./-}
	mkmedia --repo age add patterns "$v" "$SAMPLES/patterns/$v" --released "${d}T0${v##*-}:00:00Z" >/dev/null
done
pairs age | grep -q '2026.11.19-1>2026.11.22-1' && die "age window ignored: $(pairs age)"
pairs age | grep -q '2026.11.21-1>2026.11.22-1' || die "age window dropped the recent delta: $(pairs age)"

# --max-fraction is accepted for old scripts, ignored, and says so
expect_ok mkmedia --repo frac init --publisher example-av --level 3 --base-level 3 --deltas chain --max-fraction 0.001
err_has '^mkmedia: warning: --max-fraction is ignored: a delta is kept when it lowers what some client reads'
add_versions frac patterns 2026.11.19-1 2026.11.20-1
[ "$(pairs frac)" = "2026.11.19-1>2026.11.20-1 " ] || die "useful delta not kept: $(pairs frac)"
jq -e '.policy | has("max_fraction") | not' frac/ferry-repo.json >/dev/null || die "max_fraction still written"

# A delta that would not lower what a client at its starting version reads
# (two releases with nothing in common, incompressible) is not kept, and
# the add says so; the encoder gave up early (no stray file left).
mkdir -p rnd/1 rnd/2
head -c 3000000 /dev/urandom >rnd/1/blob.bin
head -c 3000000 /dev/urandom >rnd/2/blob.bin
make_repo useless --deltas star
expect_ok mkmedia --repo useless add blob 1 rnd/1
expect_ok mkmedia --repo useless add blob 2 rnd/2
out_has '^blob: no delta 1 -> 2: it would not lower what a client at 1 reads \(at least [0-9]+ bytes against a plan of [0-9]+\)$'
[ -z "$(pairs useless)" ] || die "useless delta kept: $(pairs useless)"
[ -z "$(ls useless/components/blob/deltas 2>/dev/null)" ] || die "delta files left: $(ls useless/components/blob/deltas)"

# A repository written before (max_fraction, no base_level) still loads
# and adds with the new rule.
jq '.policy.max_fraction = 0.5 | del(.policy.base_level)' useless/ferry-repo.json >old.json && mv old.json useless/ferry-repo.json
mkdir -p rnd/3 && cp rnd/2/blob.bin rnd/3/ && printf 'x' >>rnd/3/blob.bin
expect_ok mkmedia --repo useless add blob 3 rnd/3
[ "$(pairs useless)" = "2>3 " ] || die "old config: $(pairs useless)"

# build carries the newest base plus the deltas inside the window
need_keys
expect_ok mkmedia --repo star build --out med --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq '[.components[0].versions[] | select(.base)] | length' med/ferry/manifest.json)" -eq 1 ] || die "not exactly one base"
jq -e '.components[0].versions[] | select(.base) | .version == "2026.11.22-1"' med/ferry/manifest.json >/dev/null || die "base is not the newest"
# ... and only the deltas some client's cheapest plan to the newest uses:
# 2026.11.21-1 -> 2026.11.22-1 (client at 2026.11.21-1) and
# 2026.11.20-2 -> 2026.11.21-1 (the first step of the client at
# 2026.11.20-2); those into 2026.11.20-2 and from 2026.11.20-1 stay in the
# repository, no plan uses them
[ "$(jq -r '.components[0].deltas | map("\(.from)>\(.to)") | sort | join(" ")' med/ferry/manifest.json)" = \
    "2026.11.20-2>2026.11.21-1 2026.11.21-1>2026.11.22-1" ] ||
    die "medium deltas: $(jq -c '.components[0].deltas' med/ferry/manifest.json)"
# --component C=V: the deltas into that version instead
expect_ok mkmedia --repo star build --out med21 --component patterns=2026.11.21-1 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq -r '.components[0].deltas | map("\(.from)>\(.to)") | sort | join(" ")' med21/ferry/manifest.json)" = \
    "2026.11.20-1>2026.11.21-1 2026.11.20-2>2026.11.21-1" ] ||
    die "medium deltas for =2026.11.21-1: $(jq -c '.components[0].deltas' med21/ferry/manifest.json)"
# both: the chain steps no client's cheapest plan passes through are left
# off (into 2026.11.20-1 and 2026.11.20-2: every client is past them); the
# medium carries the same two deltas as the star one
make_repo both --deltas both --window 2
add_versions both patterns $V
build_medium both m0 --component patterns=2026.11.20-2
expect_ok mkmedia --repo both build --out medb --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq -r '.components[0].deltas | map("\(.from)>\(.to)") | sort | join(" ")' medb/ferry/manifest.json)" = \
    "2026.11.20-2>2026.11.21-1 2026.11.21-1>2026.11.22-1" ] ||
    die "a delta no plan uses is on the medium: $(jq -c '.components[0].deltas' medb/ferry/manifest.json)"
# and a client at 2026.11.20-2 gets there through both of them
make_client cl
expect_ok client cl apply m0
expect_ok client cl apply medb
out_has 'patterns: 2026.11.20-2 -> 2026.11.22-1 applied via delta chain 2026.11.20-2 -> 2026.11.21-1 -> 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "wrong result"
