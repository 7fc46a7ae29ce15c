# i18n_ja: under a Japanese locale the tools speak Japanese (po/ja.po via
# gettext, domain "ferry", FERRY_LOCALEDIR set by tests/run.sh) with the
# same exit codes; under C.UTF-8 the same commands print the English
# originals.  Also: the catalogue covers the current sources (no message
# asserted here has gone stale) and translates enough of them.
. "$FERRY_TESTLIB/common.sh"
need_keys
KR=$FERRY_TEST_KEYS/pinned.gpg
MO=${FERRY_LOCALEDIR:?run through tests/run.sh}/ja/LC_MESSAGES/ferry.mo
[ -f "$MO" ] || die "$MO not built (the Makefile compiles po/ja.po)"

need_ja_locale
ja() { LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 LANGUAGE= "$@"; }
en() { LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= "$@"; }
# The locale really works (else every assertion below would be English).
[ "$(ja locale charmap 2>/dev/null)" = UTF-8 ] || die "ja_JP.UTF-8 locale unusable"

# want_err FILE LINE: FILE holds exactly this line.
want_line() {
	grep -qxF -- "$2" "$1" || { echo "--- $1"; cat "$1"; die "missing line: $2"; }
}

# Fixture: a small medium with one component, and a client.
mkdir -p src/Bases
printf 'pattern data\n' >src/Bases/main.db
make_repo repo
mkmedia --repo repo add patterns 2026.11.20-1 src >/dev/null
expect_ok build_medium repo med
make_client cl
CL=$(cd cl && pwd)

# Control: the untouched medium and client work, in both languages.
expect_ok en verifymedia --trust "$FPR_GOOD" --keyring "$KR" med
out_has "^ok: example-av-stable-1 \(serial 1\), signed by $FPR_GOOD; [0-9]+ files, [0-9]+ bytes verified$"
expect_ok ja verifymedia --trust "$FPR_GOOD" --keyring "$KR" med
out_has "^正常: example-av-stable-1 \(シリアル番号 1\)、署名者 $FPR_GOOD。[0-9]+ 個のファイル、[0-9]+ バイトを検証しました$"
expect_ok ja client cl plan med
want_line last.out "メディア example-av-stable-1 (シリアル番号 1)、配布元 example-av、署名者 $FPR_GOOD"
want_line last.out "engine: このメディアにはありません"
grep -qE '^patterns: なし -> 2026\.11\.20-1 \(base 2026\.11\.20-1 経由\)。読み込み [0-9]+ バイト、ディスク使用 [0-9]+ バイト$' last.out ||
    { cat last.out; die "plan line not in Japanese"; }
expect_ok en client cl plan med
want_line last.out "engine: not on this medium"

# 1. Unknown configuration key: exit 17, Japanese text, client unchanged.
cp -a cl clbad
sed -i '4a trsut = x' clbad/etc/ferry/client.conf
before=$(client_digest clbad)
expect_fail 17 . ja client clbad plan med
want_line last.err "applymedia: $PWD/clbad/etc/ferry/client.conf: 5 行目: [client] セクションに不明なキー trsut があります"
[ "$(wc -l <last.err)" -eq 1 ] || { cat last.err; die "expected one error line"; }
expect_fail 17 . en client clbad plan med
want_line last.err "applymedia: $PWD/clbad/etc/ferry/client.conf: line 5: unknown key trsut in [client]"
[ "$(client_digest clbad)" = "$before" ] || die "a refused command changed the client"

# 2. Unsigned medium: exit 5 in both languages.
cp -a med unsigned
rm unsigned/ferry/manifest.json.sig
expect_fail 5 . ja verifymedia --trust "$FPR_GOOD" --keyring "$KR" unsigned
want_line last.err "verifymedia: manifest.json: 署名されていません: manifest.json.sig がありません"
want_line last.err "verifymedia: 問題が 1 件見つかりました"
expect_fail 5 . en verifymedia --trust "$FPR_GOOD" --keyring "$KR" unsigned
want_line last.err "verifymedia: manifest.json: not signed: manifest.json.sig is missing"
want_line last.err "verifymedia: 1 problem found"
# --json: the document's messages are English in every locale (stderr
# keeps the user's language)
rc=0; ja verifymedia --json --trust "$FPR_GOOD" --keyring "$KR" unsigned >last.out 2>last.err || rc=$?
[ "$rc" -eq 5 ] || die "verifymedia --json: exit $rc, not 5"
jq -e '.problems[0].message == "not signed: manifest.json.sig is missing"' last.out >/dev/null ||
    { cat last.out; die "verifymedia --json: a problem's message is not in English"; }
expect_fail 18 . ja mkmedia --repo norepo --json list
jq -e '.message == "not a ferry repository (run mkmedia init)"' last.out >/dev/null ||
    { cat last.out; die "mkmedia --json: the failure's message is not in English"; }
want_line last.err "mkmedia: norepo: ferry のリポジトリではありません (mkmedia init を実行してください)"
expect_fail 18 . ja client cl plan --json /nonexistent
jq -e '.message == "cannot open medium: No such file or directory"' last.out >/dev/null ||
    { cat last.out; die "applymedia --json: the failure's message is not in English"; }
before=$(client_digest cl)
expect_fail 5 . ja client cl apply unsigned
want_line last.err "applymedia: manifest.json: 署名されていません: manifest.json.sig がありません"

# 3. Signed by a key the client does not pin (gpg_verify's reasons).
expect_fail 5 . ja verifymedia --trust "$FPR_K2" --keyring "$KR" med
want_line last.err "verifymedia: manifest.json: ピン留めしていない鍵 $FPR_GOOD による署名です"
expect_fail 5 . en verifymedia --trust "$FPR_K2" --keyring "$KR" med
want_line last.err "verifymedia: manifest.json: signed by key $FPR_GOOD, which is not pinned"

# 4. No medium there (formats/source.c; strerror comes from the C library,
#    in Japanese only when its own translations are installed).
expect_fail 18 '^verifymedia: /nonexistent: メディアを開けません: ' ja verifymedia --trust "$FPR_GOOD" --keyring "$KR" /nonexistent
expect_fail 18 '^applymedia: /nonexistent: メディアを開けません: ' ja client cl plan /nonexistent
expect_fail 18 '^applymedia: /nonexistent: cannot open medium: No such file or directory$' en client cl plan /nonexistent
[ "$(client_digest cl)" = "$before" ] || die "a refused command changed the client"

# 5. Success in Japanese, then a replay of an older serial is refused.
expect_ok ja client cl apply med
want_line last.out "patterns: なし -> 2026.11.20-1 を適用しました (base 2026.11.20-1 経由)"
grep -qE '^1 個のコンポーネントをメディア example-av-stable-1 から更新しました。メディアから [0-9]+ バイト読み込みました$' last.out ||
    { cat last.out; die "apply summary not in Japanese"; }
expect_ok ja client cl apply med
want_line last.out "何もすることはありません: すべてのコンポーネントが最新です"

# 6. mkmedia too.
expect_fail 2 . ja mkmedia --repo repo build --out med2
want_line last.err "mkmedia: build: --sign-key FINGERPRINT が必要です: メディアには必ず署名します"
# mkmedia list: the repository table (a variant and a delta included).
mkmedia --repo repo add patterns 2026.11.21-1 src >/dev/null
mkmedia --repo repo add patterns 2026.11.21-1 src --variant jp >/dev/null
expect_ok ja mkmedia --repo repo list
want_line last.out "配布元 example-av、チャネル stable、最後のシリアル番号 1"
want_line last.out "patterns バリアント jp"
grep -qE '^  2026\.11\.20-1 +エントリ +[0-9]+ 個 +13 バイト  ベース +[0-9]+  追加 [0-9TZ:-]+$' last.out ||
    { cat last.out; die "mkmedia list row not in Japanese"; }
grep -qE '^  差分 2026\.11\.20-1 -> 2026\.11\.21-1  [0-9]+ バイト$' last.out ||
    { cat last.out; die "mkmedia list delta row not in Japanese"; }
expect_ok en mkmedia --repo repo list
want_line last.out "publisher example-av, channel stable, last serial 1"
want_line last.out "patterns variant jp"
grep -qE '^  2026\.11\.20-1 +[0-9]+ entries +13 bytes  base +[0-9]+  added ' last.out ||
    { cat last.out; die "mkmedia list row changed in English"; }

# 7. Notices (mkmedia build --notice [COMP:]TEXT): the whole line is
#    translated, "for" included, by plan, apply and status.
expect_ok build_medium repo medn --notice "patterns:END OF LIFE 2010-12-31" \
    --notice "update the engine first"
for cmd in plan apply status; do
	expect_ok ja client cl $cmd medn
	want_line last.out "patterns のお知らせ: END OF LIFE 2010-12-31"
	want_line last.out "お知らせ: update the engine first"
	! grep -q ' for ' last.out || { cat last.out; die "$cmd: untranslated \"for\" in a notice"; }
	expect_ok en client cl $cmd medn
	want_line last.out "notice for patterns: END OF LIFE 2010-12-31"
	want_line last.out "notice: update the engine first"
done

# 8. Usage errors and --help (the usage text is translated; option and
#    command names stay as they are).
expect_fail 2 . ja applymedia
want_line last.err "applymedia: コマンドが指定されていません"
want_line last.err "使い方: applymedia [オプション] COMMAND [ARGS]"
expect_fail 2 . ja mkmedia --frob
want_line last.err "mkmedia: 不明なオプションか、引数がありません: --frob"
want_line last.err "使い方: mkmedia [--repo DIR] COMMAND [オプション]"
expect_fail 2 . ja verifymedia med
want_line last.err "verifymedia: --trust と --keyring が必要です: メディアの信頼性はピン留めした鍵で決まります"
for t in applymedia mkmedia verifymedia; do
	expect_ok ja "$t" --help
	grep -q "^使い方: $t " last.out || { cat last.out; die "$t --help not in Japanese"; }
	grep -q '^終了コード: 0 正常, 2 使い方' last.out || die "$t --help: exit codes not in Japanese"
	expect_ok en "$t" --help
	grep -q "^usage: $t " last.out || die "$t --help not in English under C.UTF-8"
done

# The catalogue against the current sources: every message asserted above
# must still exist (else the translation is silently dropped), and enough
# of the template must be translated.
if command -v xgettext >/dev/null && command -v msgmerge >/dev/null; then
	(cd "$FERRY_SRC" && find core formats verify mkmedia applymedia -name '*.c' |
	    LC_ALL=C sort | xargs xgettext --keyword=_ --keyword=N_ \
	    --from-code=UTF-8 --language=C -o "$TEST_TMP/fresh.pot")
	msgmerge --quiet --no-fuzzy-matching -o merged.po "$FERRY_SRC/po/ja.po" fresh.pot
	msgfmt --check --statistics -o /dev/null merged.po 2>stats.txt
	translated=$(grep -oE '^[0-9]+ translated' stats.txt | cut -d' ' -f1)
	total=$(grep -c '^msgid ' fresh.pot)
	note "po/ja.po translates $translated of $((total - 1)) messages in the sources"
	[ "${translated:-0}" -ge 60 ] || die "po/ja.po translates only ${translated:-0} messages"
	grep -q '^#~ msgid' merged.po &&
	    note "po/ja.po has translations of messages no longer in the sources: run po/update.sh"
else
	skip_part "catalogue against the sources: xgettext/msgmerge (gettext) not installed"
fi
true
