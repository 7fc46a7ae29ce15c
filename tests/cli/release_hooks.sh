# Test hooks exist only in test builds (make HOOKS=1, core/fault.h
# FY_TEST_ENV).  A release build (make O=build/rel, what build.sh build and
# install ship) ignores FERRY_TEST_NOW, FERRY_TEST_FAT_MAX and
# FERRY_TEST_NO_SLEEP: with FERRY_TEST_NOW set to a time before the expiry,
# an expired medium is still refused (exit 12), where a test build, the
# control, accepts it.  The release build is brought up to date here.
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# the controls run the test build ($FERRY_BIN)
REL=$FERRY_SRC/build/rel
note "make O=build/rel (release build, no HOOKS)"
make -s -C "$FERRY_SRC" O=build/rel build/rel/applymedia build/rel/mkmedia build/rel/verifymedia >make.log 2>&1 ||
    { cat make.log; die "release build failed"; }
"$REL/applymedia" --version | grep -q 'test build' && die "build/rel says it is a test build"
"$REL/applymedia" --version | grep -Eq '^applymedia [0-9.]+$' || die "release --version: $("$REL/applymedia" --version)"
DAY=86400
NOW=$(date +%s)

# FERRY_TEST_NOW: a medium signed 30 days ago that expired 29 days ago.
make_repo repo
add_versions repo patterns 2026.11.20-1
SOURCE_DATE_EPOCH=$((NOW - 30 * DAY)) build_medium repo exp --expires 1
make_client cl
before=$(client_digest cl)
then=$((NOW - 30 * DAY + 3600))
FERRY_TEST_NOW=$then expect_ok client cl plan exp	# control: the test build obeys it
FERRY_TEST_NOW=$then expect_fail 12 '^applymedia: example-av-stable-1: expired on ' \
    "$REL/applymedia" --root "$PWD/cl" apply exp
FERRY_TEST_NOW=nonsense expect_fail 12 'expired on ' "$REL/applymedia" --root "$PWD/cl" plan exp
[ "$(client_digest cl)" = "$before" ] || die "the refused medium changed the client"

# FERRY_TEST_FAT_MAX: the test build splits at 200000 bytes, the release
# build keeps the FAT limit (4 GiB - 1) and splits nothing.
build_medium repo m1			# for the memory hook below
expect_ok client cl apply m1
add_versions repo patterns 2026.11.21-1
FERRY_TEST_FAT_MAX=200000 expect_ok mkmedia --repo repo build --out fat_t --fat \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ -n "$(jq -r '.files[] | select(.parts) | .path' fat_t/ferry/manifest.json)" ] ||
    die "control: the test build did not split at FERRY_TEST_FAT_MAX"
FERRY_TEST_FAT_MAX=200000 expect_ok "$REL/mkmedia" --repo repo build --out fat_r --fat \
    --serial 9 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ -z "$(jq -r '.files[] | select(.parts) | .path' fat_r/ferry/manifest.json)" ] ||
    die "the release build split files at FERRY_TEST_FAT_MAX"

# FERRY_TEST_NO_SLEEP: the test build says it does not sleep; the release
# build waits (at most 1 s here) and never says so.
FERRY_TEST_NO_SLEEP=1 expect_ok client cl --jitter 1 status
out_has 'not sleeping: FERRY_TEST_NO_SLEEP'
FERRY_TEST_NO_SLEEP=1 expect_ok "$REL/applymedia" --root "$PWD/cl" --jitter 1 status
grep -q 'not sleeping' "$TEST_TMP/last.out" "$TEST_TMP/last.err" &&
    die "the release build obeyed FERRY_TEST_NO_SLEEP"
# FERRY_TEST_MEM_AVAIL: 1 MiB makes the test build take the base instead
# of the delta (tests/cli/apply_memory.sh); the release build measures.
FERRY_TEST_MEM_AVAIL=1048576 expect_ok client cl plan fat_t
err_has 'MiB are available; using base'
FERRY_TEST_MEM_AVAIL=1048576 expect_ok "$REL/applymedia" --root "$PWD/cl" plan fat_t
grep -q 'MiB are available' "$TEST_TMP/last.err" && die "the release build obeyed FERRY_TEST_MEM_AVAIL"
note "release build ignores FERRY_TEST_NOW, FERRY_TEST_FAT_MAX, FERRY_TEST_NO_SLEEP, FERRY_TEST_MEM_AVAIL"
# FERRY_TEST_ARCHIVE_SONAME: the test build fails to load libarchive
# (tests/cli/archive_dl.sh); the release build loads libarchive.so.13.
expect_ok mkmedia --repo repo build --iso m1.iso --label FERRY_R \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
V=(--trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" m1.iso)
FERRY_TEST_ARCHIVE_SONAME=libnonexistent.so.1 expect_fail 70 \
    '^verifymedia: libarchive\.so\.13: cannot load the library: libnonexistent' \
    verifymedia "${V[@]}"
FERRY_TEST_ARCHIVE_SONAME=libnonexistent.so.1 expect_ok "$REL/verifymedia" "${V[@]}"
note "release build ignores FERRY_TEST_ARCHIVE_SONAME"
