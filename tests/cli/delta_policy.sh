# mkmedia's delta policy on add: chain (consecutive pairs), star (from each
# of the last W versions straight to the newest), both; a window by count
# or age; deltas larger than a fraction of the base are not kept.
. "$FERRY_TESTLIB/common.sh"
make_samples
V="2026.11.19-1 2026.11.20-1 2026.11.20-2 2026.11.21-1 2026.11.22-1"
pairs() { mkmedia --repo "$1" --json list | jq -r '.components[0].deltas[] | "\(.from)>\(.to)"' | sort | tr '\n' ' '; }

make_repo chain --deltas chain
add_versions chain patterns $V
[ "$(pairs chain)" = "2026.11.19-1>2026.11.20-1 2026.11.20-1>2026.11.20-2 2026.11.20-2>2026.11.21-1 2026.11.21-1>2026.11.22-1 " ] ||
    die "chain: $(pairs chain)"

make_repo star --deltas star --window 2
add_versions star patterns $V
[ "$(pairs star)" = "2026.11.19-1>2026.11.20-1 2026.11.19-1>2026.11.20-2 2026.11.20-1>2026.11.20-2 2026.11.20-1>2026.11.21-1 2026.11.20-2>2026.11.21-1 2026.11.20-2>2026.11.22-1 2026.11.21-1>2026.11.22-1 " ] ||
    die "star window 2: $(pairs star)"

# window by age: versions released more than 1 day before the new one get
# no delta to it
make_repo age --deltas star --window 10 --window-days 1
for v in $V; do
	d=${v%-*}; d=${d//./-}
	mkmedia --repo age add patterns "$v" "$SAMPLES/patterns/$v" --released "${d}T0${v##*-}:00:00Z" >/dev/null
done
pairs age | grep -q '2026.11.19-1>2026.11.22-1' && die "age window ignored: $(pairs age)"
pairs age | grep -q '2026.11.21-1>2026.11.22-1' || die "age window dropped the recent delta: $(pairs age)"

# a delta larger than the fraction of the base is not kept, and says so
make_repo frac --deltas chain --max-fraction 0.001
add_versions frac patterns 2026.11.19-1
expect_ok mkmedia --repo frac add patterns 2026.11.01-1 "$SAMPLES/patterns/2026.11.01-1"
expect_ok mkmedia --repo frac add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
out_has 'no delta 2026.11.19-1 -> 2026.11.20-1: [0-9]+ bytes is more than 0% of the base'
[ -z "$(pairs frac)" ] || die "oversized delta kept: $(pairs frac)"

# build carries the newest base plus the deltas inside the window
need_keys
expect_ok mkmedia --repo star build --out med --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq '[.components[0].versions[] | select(.base)] | length' med/ferry/manifest.json)" -eq 1 ] || die "not exactly one base"
jq -e '.components[0].versions[] | select(.base) | .version == "2026.11.22-1"' med/ferry/manifest.json >/dev/null || die "base is not the newest"
