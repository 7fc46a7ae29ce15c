# mkmedia add makes no delta from a version below the floor of the new
# one: a version that requires its own component at M (--requires C>=M, a
# cumulative patch that needs its master program) cannot be applied by a
# client below M (applymedia refuses, exit 13), so a delta from there
# would cost the publisher time and the medium bytes for nobody.  add
# says so; the repository and the medium have no such delta.  A
# requirement on another component sets no floor.  (Before, the delta
# 2026.11.19-1 -> 2026.11.21-1 was made.)
. "$FERRY_TESTLIB/common.sh"
make_samples
pairs() { mkmedia --repo "$1" --json list | jq -r '.components[] | select(.name == "patterns") | .deltas[] | "\(.from)>\(.to)"' | sort | tr '\n' ' '; }
for r in floor plain; do
	make_repo $r --deltas star --window 4
	add_versions $r patterns 2026.11.19-1 2026.11.20-1 2026.11.20-2
done
# control: without a floor, 2026.11.21-1 gets a delta from each of the three
expect_ok mkmedia --repo plain add patterns 2026.11.21-1 "$SAMPLES/patterns/2026.11.21-1"
[ "$(pairs plain)" = "2026.11.19-1>2026.11.20-1 2026.11.19-1>2026.11.20-2 2026.11.19-1>2026.11.21-1 2026.11.20-1>2026.11.20-2 2026.11.20-1>2026.11.21-1 2026.11.20-2>2026.11.21-1 " ] ||
    die "control: $(pairs plain)"
# with the floor 2026.11.20-1: nothing from 2026.11.19-1
expect_ok mkmedia --repo floor add patterns 2026.11.21-1 "$SAMPLES/patterns/2026.11.21-1" \
    --requires 'patterns>=2026.11.20-1'
out_has '^patterns: no delta to 2026\.11\.21-1 from 2026\.11\.19-1 or older: patterns 2026\.11\.21-1 requires patterns 2026\.11\.20-1 or later, so no client below that may apply it$'
[ "$(pairs floor)" = "2026.11.19-1>2026.11.20-1 2026.11.19-1>2026.11.20-2 2026.11.20-1>2026.11.20-2 2026.11.20-1>2026.11.21-1 2026.11.20-2>2026.11.21-1 " ] ||
    die "floor: $(pairs floor)"
ls floor/components/patterns/deltas | grep -q '^2026.11.19-1__2026.11.21-1' &&
    die "the delta from below the floor is in the repository"
need_keys
build_medium floor m
jq -e '[.components[] | select(.name == "patterns") | .deltas[]? | select(.from == "2026.11.19-1" and .to == "2026.11.21-1")] | length == 0' \
    m/ferry/manifest.json >/dev/null || die "the medium carries a delta from below the floor"
find m/ferry/pkg -name '*2026.11.19-1-to-2026.11.21-1*' | grep -q . && die "a delta file from below the floor on the medium"
# a requirement on another component sets no floor for this one
add_versions floor engine 8.0.0
expect_ok mkmedia --repo floor add patterns 2026.11.22-1 "$SAMPLES/patterns/2026.11.22-1" \
    --requires 'engine>=8.0.0'
grep -q 'no delta to 2026.11.22-1 from .* or older' last.out && die "another component's requirement set a floor"
# every starting point of the window was tried (made, or not kept by the
# 1/64 rule), the oldest too
out_has '^patterns: (no )?delta 2026\.11\.19-1 -> 2026\.11\.22-1: '

