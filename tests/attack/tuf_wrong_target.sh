# TUF wrong target (T10): a genuine medium from another publisher or
# channel than the client follows, and a component for another variant.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
conf=client/etc/ferry/client.conf

sed -i 's|^\[client\]$|&\npublisher = other-vendor|' "$conf"
snapshot
refused 19 'example-av-stable-2: medium is from publisher example-av; this client follows other-vendor' med2

sed -i '/^publisher = /d; s|^\[client\]$|&\nchannel = beta|' "$conf"
snapshot
refused 19 'example-av-stable-2: medium is for channel stable; this client follows beta' med2

# The client follows variant x80 of patterns; the medium's patterns is the
# plain variant: it is not installed, nothing changes.
sed -i '/^channel = /d; s|^path = /opt/av/Bases$|&\nvariant = x80|' "$conf"
snapshot
expect_ok attack_apply med2
out_has '^patterns: not on this medium$'
out_has '^nothing to do: every component is up to date$'
assert_unchanged
CASES=$((CASES + 1))

# The other way round: the medium carries patterns for variant x80 only
# (signed), the client follows the plain variant.
sed -i '/^variant = x80$/d' "$conf"
snapshot
fresh_medium x80
forge edit x80 'comp("patterns")["variant"] = "x80"'
expect_ok attack_apply x80
out_has '^patterns: not on this medium$'
assert_unchanged
CASES=$((CASES + 1))
done_cases 4
