# Counts in messages take the singular for 1 (ngettext, core/i18n.h's P_):
# "1 entry", "1 entry matches", "1 component updated", "1 problem found",
# mkmedia list's "1 entry";
# before, "1 entries", "1 component(s)".  Japanese has one form for both
# (po/ja.po: Plural-Forms nplurals=1).
. "$FERRY_TESTLIB/common.sh"
need_keys
KR=$FERRY_TEST_KEYS/pinned.gpg
mkdir -p one two/sub
printf 'pattern data\n' >one/main.db
printf 'a\n' >two/a.db
printf 'b\n' >two/sub/b.db
make_repo repo
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 one
out_has '^added patterns 2026\.11\.20-1: 1 entry, 13 bytes; base package [0-9]+ bytes$'
expect_ok mkmedia --repo repo add engine 8.0.1 two
out_has '^added engine 8\.0\.1: 3 entries, 4 bytes; base package [0-9]+ bytes$'
build_medium repo m1 --component patterns
# mkmedia list: "1 entry" in its column (it said "1 entries")
expect_ok mkmedia --repo repo list
out_has '^  2026\.11\.20-1 +1 entry +13 bytes  base +[0-9]+  added '
out_has '^  8\.0\.1 +3 entries +4 bytes  base +[0-9]+  added '
build_medium repo m2 --serial 2

make_client cl
expect_ok client cl apply m1
out_has '^1 component updated from medium example-av-stable-1; [0-9]+ bytes read from the medium$'
expect_ok client cl verify
out_has '^patterns 2026\.11\.20-1: 1 entry matches the listing$'
make_client cl2
expect_ok client cl2 apply m2
out_has '^2 components updated from medium example-av-stable-2; '
expect_ok client cl2 verify
out_has '^engine 8\.0\.1: 3 entries match the listing$'

# one problem, then two
V() { verifymedia --trust "$FPR_GOOD" --keyring "$KR" "$@"; }
expect_ok V m1
out_has '^ok: example-av-stable-1 \(serial 1\), signed by [0-9A-F]+; [0-9]+ files, [0-9]+ bytes verified$'
echo x >m1/ferry/stray.txt
expect_fail 6 '^verifymedia: 1 problem found$' V m1
echo y >m1/ferry/stray2.txt
expect_fail 6 '^verifymedia: 2 problems found$' V m1

# Japanese: one form, whatever the count
need_ja_locale
ja() { LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 LANGUAGE= "$@"; }
expect_fail 6 '^verifymedia: 問題が 2 件見つかりました$' ja verifymedia --trust "$FPR_GOOD" --keyring "$KR" m1
rm m1/ferry/stray2.txt
expect_fail 6 '^verifymedia: 問題が 1 件見つかりました$' ja verifymedia --trust "$FPR_GOOD" --keyring "$KR" m1
expect_ok ja client cl verify
out_has '^patterns 2026\.11\.20-1: 1 個のエントリがすべて一覧と一致しました$'
expect_ok ja client cl2 verify
out_has '^engine 8\.0\.1: 3 個のエントリがすべて一覧と一致しました$'
