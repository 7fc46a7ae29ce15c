# Issue 14 section 3: syslog and history.jsonl are in English whatever the
# operator's locale; the terminal stays localized.  Under ja_JP.UTF-8 a
# refusal prints Japanese on stderr and logs the English original (the
# message format's msgid, and strerror of the C locale) in history.jsonl,
# the same text that goes to syslog (state_log() writes one string to
# both; journalctl -t applymedia shows it).
. "$FERRY_TESTLIB/common.sh"
need_keys
MO=${FERRY_LOCALEDIR:?run through tests/run.sh}/ja/LC_MESSAGES/ferry.mo
[ -f "$MO" ] || die "$MO not built (the Makefile compiles po/ja.po)"
if ! locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$'; then
	command -v localedef >/dev/null ||
	    skip "no ja_JP.UTF-8 locale and no localedef (Debian: locales)"
	mkdir -p loc
	localedef -i ja_JP -f UTF-8 "$PWD/loc/ja_JP.UTF-8" >localedef.log 2>&1 ||
	    { cat localedef.log; skip "localedef cannot build ja_JP.UTF-8 (Debian: locales)"; }
	export LOCPATH=$PWD/loc
fi
ja() { LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 LANGUAGE= "$@"; }
[ "$(ja locale charmap 2>/dev/null)" = UTF-8 ] || die "ja_JP.UTF-8 locale unusable"

make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo med
make_client cl "publisher = other-vendor"
H=cl/var/lib/ferry/history.jsonl
before=$(client_digest cl)

# A refusal with arguments: Japanese on the terminal, English in the log.
expect_fail 19 '^applymedia: example-av-stable-1: 配布元 example-av のメディアですが、このクライアントの配布元は other-vendor です$' \
    ja client cl apply med
tail -n 1 "$H" | grep -q '"message":"refused medium example-av-stable-1: example-av-stable-1: medium is from publisher example-av; this client follows other-vendor"' ||
    { tail -n 1 "$H"; die "history.jsonl is not in English"; }

# A refusal with a system error: strerror in English in the log too.
expect_fail 18 '^applymedia: /nonexistent: メディアを開けません: ' ja client cl apply /nonexistent
tail -n 1 "$H" | grep -q '"message":"refused medium /nonexistent: /nonexistent: cannot open medium: No such file or directory"' ||
    { tail -n 1 "$H"; die "history.jsonl is not in English (system error)"; }
# Nothing in the log is Japanese.
LC_ALL=C grep -q -P '[\x80-\xff]' "$H" && { cat "$H"; die "non-ASCII text in history.jsonl"; }
[ "$(client_digest cl)" = "$before" ] || die "a refusal changed the client"

# A failing health check: the suffix ferry adds after switching back
# ("; rolled back to V", or on a first install "; nothing was installed
# before, so V stays installed") is Japanese on the terminal and English in
# the log (it was appended to the Japanese text only, and the log fell back
# to that: history.jsonl and syslog in Japanese).
make_client hc "on_failure = printf '%s\n' \"\$FERRY_MESSAGE\" >> $TEST_TMP/hc.fail"
sed -i '/^\[component patterns\]/a health_check = exit 3' hc/etc/ferry/client.conf
HC=hc/var/lib/ferry/history.jsonl
expect_fail 11 '^applymedia: patterns: health_check フックが終了ステータス 3 で終了しました: exit 3。以前はインストールされていなかったため、2026\.11\.20-1 はインストールされたままです$' \
    ja client hc apply med
tail -n 1 "$HC" | grep -q '"message":"refused medium example-av-stable-1: patterns: health_check hook exited with status 3: exit 3; nothing was installed before, so 2026.11.20-1 stays installed"' ||
    { tail -n 1 "$HC"; die "history.jsonl is not in English (first install, failing health check)"; }
sed -i '/^health_check = exit 3$/d' hc/etc/ferry/client.conf
add_versions repo patterns 2026.11.21-1
build_medium repo med2
expect_ok client hc apply med
sed -i '/^\[component patterns\]/a health_check = exit 3' hc/etc/ferry/client.conf
expect_fail 11 '^applymedia: patterns: health_check フックが終了ステータス 3 で終了しました: exit 3。2026\.11\.20-1 にロールバックしました$' \
    ja client hc apply med2
tail -n 1 "$HC" | grep -q '"message":"refused medium example-av-stable-2: patterns: health_check hook exited with status 3: exit 3; rolled back to 2026.11.20-1"' ||
    { tail -n 1 "$HC"; die "history.jsonl is not in English (rolled back)"; }
# on_failure's FERRY_MESSAGE stays localized (docs: ADMIN-GUIDE section 10).
tail -n 1 hc.fail | grep -q '2026.11.20-1 にロールバックしました$' || { cat hc.fail; die "on_failure message not localized"; }
LC_ALL=C grep -q -P '[\x80-\xff]' "$HC" && { cat "$HC"; die "non-ASCII text in history.jsonl"; }
true
