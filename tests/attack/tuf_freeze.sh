# TUF indefinite freeze (T6/T34): an expired medium; a clock turned back
# to 1970 does not reopen it; a medium older than max_age_days.
. "$FERRY_SRC/tests/attack/_lib.sh"
need_hooks	# FERRY_TEST_NOW
attack_setup
now=$(date +%s)
day=86400

# Serial 2 expires one day after signing; at now + 30 days it is refused.
build_medium repo exp1 --expires 1
control exp1
FERRY_TEST_NOW=$((now + 30 * day)) \
    refused 12 'example-av-stable-[0-9]+: expired on [0-9TZ:-]+; trusted time is [0-9TZ:-]+ \(clock [0-9TZ:-]+, newest signed time seen [0-9TZ:-]+\); refused \(--allow-expired overrides\)' exp1

# The client accepts a medium signed 20 days from now (serial 3); an
# expired medium is then refused even with the clock at 1970: trusted
# time is the newest signed time ever seen.
SOURCE_DATE_EPOCH=$((now + 20 * day)) build_medium repo late --serial 3
expect_ok client client apply late
SOURCE_DATE_EPOCH=$((now + 1 * day)) build_medium repo exp2 --expires 1 \
    --serial 4
snapshot
FERRY_TEST_NOW=0 \
    refused 12 'example-av-stable-4: expired on [0-9TZ:-]+; trusted time is [0-9TZ:-]+ \(clock 1970-01-01T00:00:00Z, newest signed time seen [0-9TZ:-]+\); refused \(--allow-expired overrides\)' exp2

# Policy max_age_days = 7: a medium signed 30 days ago is too old.
sed -i 's|^\[client\]$|&\nmax_age_days = 7|' client/etc/ferry/client.conf
SOURCE_DATE_EPOCH=$((now - 30 * day)) build_medium repo old --serial 5
snapshot
FERRY_TEST_NOW=$((now + 21 * day)) \
    refused 12 'example-av-stable-5: signed on [0-9TZ:-]+, older than max_age_days=7 at trusted time [0-9TZ:-]+ \(clock [0-9TZ:-]+\)' old
done_cases 3
