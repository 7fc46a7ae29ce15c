# make install / make uninstall: the exact file list under a DESTDIR; the
# systemd units name the installed binary and pass systemd-analyze verify;
# an installed tree reads its own Japanese catalogue whatever PREFIX the
# build was made with (and after it is moved), never another install's;
# uninstall removes every file it installed and nothing else.
# Installs the existing build (-o all: the suite's binaries are never
# rebuilt here; other tests run them at the same time).
. "$FERRY_TESTLIB/common.sh"
unset FERRY_LOCALEDIR
inst() {	# inst TARGET PREFIX [DESTDIR]
	make -s -C "$FERRY_SRC" -o all O="$FERRY_BIN" PREFIX="$2" \
	    DESTDIR="${3:-}" "$1" >"$1.log" 2>&1 || { cat "$1.log"; die "make $1 PREFIX=$2 failed"; }
}

# --- the file list under DESTDIR, for PREFIX=/usr
inst install /usr "$TEST_TMP/d"
(cd d && find . -mindepth 1 | LC_ALL=C sort) >got.list
{
	for t in applymedia mkmedia verifymedia; do echo "./usr/bin/$t"; done
	for p in "$FERRY_SRC"/docs/man/*.1; do echo "./usr/share/man/man1/${p##*/}"; done
	for p in "$FERRY_SRC"/docs/man/*.5; do echo "./usr/share/man/man5/${p##*/}"; done
	for po in "$FERRY_SRC"/po/*.po; do
		l=$(basename "$po" .po)
		echo "./usr/share/locale/$l"
		echo "./usr/share/locale/$l/LC_MESSAGES"
		echo "./usr/share/locale/$l/LC_MESSAGES/ferry.mo"
	done
	echo ./usr/lib/systemd/system/ferry-apply.service
	echo ./usr/lib/systemd/system/ferry-apply.timer
	echo ./usr/lib/systemd/system/ferry-auto@.service
	echo ./usr/lib/udev/rules.d/69-ferry-auto.rules
	echo ./usr/share/doc/ferry/examples/client.conf.example
	# ferry's private libcurl, when the build has one (build.sh builds
	# it into build/curl; the Makefile copies it beside the tools)
	if [ -f "$FERRY_BIN/libcurl.so.4" ]; then
		echo ./usr/lib/ferry
		echo ./usr/lib/ferry/libcurl.so.4
	fi
	# folders
	printf '%s\n' ./usr ./usr/bin ./usr/lib ./usr/lib/systemd \
	    ./usr/lib/systemd/system ./usr/lib/udev ./usr/lib/udev/rules.d \
	    ./usr/share ./usr/share/doc \
	    ./usr/share/doc/ferry ./usr/share/doc/ferry/examples \
	    ./usr/share/locale ./usr/share/man ./usr/share/man/man1 \
	    ./usr/share/man/man5
} | LC_ALL=C sort >want.list
diff -u want.list got.list || die "make install put other files in DESTDIR"
cmp -s "$FERRY_SRC/dist/client.conf.example" d/usr/share/doc/ferry/examples/client.conf.example ||
    die "example config differs from dist/client.conf.example"
[ "$(stat -c %a d/usr/bin/applymedia)" = 755 ] || die "applymedia is not mode 0755"
if [ -f "$FERRY_BIN/libcurl.so.4" ]; then
	cmp -s "$FERRY_BIN/libcurl.so.4" d/usr/lib/ferry/libcurl.so.4 ||
	    die "usr/lib/ferry/libcurl.so.4 is not the build's private libcurl"
	[ "$(stat -c %a d/usr/lib/ferry/libcurl.so.4)" = 644 ] || die "libcurl.so.4 is not mode 0644"
else
	skip_part "no private libcurl in $FERRY_BIN (build/curl not built): its install not checked"
fi
[ "$(stat -c %a d/usr/lib/systemd/system/ferry-apply.service)" = 644 ] || die "unit is not mode 0644"
grep -qx 'ExecStart=/usr/bin/applymedia --quiet --jitter ${FERRY_JITTER} apply ${FERRY_SOURCE}' \
    d/usr/lib/systemd/system/ferry-apply.service || die "the service does not run /usr/bin/applymedia with --jitter"
grep -q '@' d/usr/lib/systemd/system/ferry-apply.* && die "a @VARIABLE@ was left in an installed unit"

# The example config is one applymedia accepts (once a key is pinned).
mkdir -p ex/etc/ferry
sed "s/^# trust    = /trust = /" "$FERRY_SRC/dist/client.conf.example" >ex/etc/ferry/client.conf
grep -q '^trust = ' ex/etc/ferry/client.conf || die "test bug: no trust line to enable"
expect_ok applymedia --root "$PWD/ex" status
# As shipped (no key pinned yet): status works, and a medium is refused
# with the next step to take (a trust = line is no longer required, the
# key may be pinned with applymedia trust add: issue 14 sec. 3).
expect_ok applymedia --root "$PWD/ex" --config "$PWD/d/usr/share/doc/ferry/examples/client.conf.example" status
expect_fail 17 'no key is pinned: add a trust = FINGERPRINT line, or run applymedia trust add FPR --key FILE' \
    applymedia --root "$PWD/ex" --config "$PWD/d/usr/share/doc/ferry/examples/client.conf.example" plan "$PWD/nomedium"

# uninstall removes every file and the folders only ferry uses; the
# shared folders (usr/bin, man1, ...) stay, empty.
inst uninstall /usr "$TEST_TMP/d"
left=$(cd d && find . -type f -o -type l)
[ -z "$left" ] || die "make uninstall left: $left"
[ ! -e d/usr/share/doc/ferry ] || die "make uninstall left usr/share/doc/ferry"
[ ! -e d/usr/lib/ferry ] || die "make uninstall left usr/lib/ferry"
[ -d d/usr/bin ] || die "make uninstall removed the shared usr/bin"

# --- units: systemd-analyze verify on the installed units (a real PREFIX,
# no DESTDIR, so ExecStart names a binary that exists).
P=$TEST_TMP/pfx
inst install "$P"
grep -qx "ExecStart=$P/bin/applymedia --quiet --jitter \${FERRY_JITTER} apply \${FERRY_SOURCE}" \
    "$P/lib/systemd/system/ferry-apply.service" || die "the unit does not name $P/bin/applymedia"
if command -v systemd-analyze >/dev/null; then
	# --man=no: the pages are installed under $P, where man does not look
	systemd-analyze verify --man=no "$P/lib/systemd/system/ferry-apply.service" \
	    "$P/lib/systemd/system/ferry-apply.timer" >verify.out 2>&1 ||
	    { cat verify.out; die "systemd-analyze verify fails on the units"; }
	[ ! -s verify.out ] || { cat verify.out; die "systemd-analyze verify warns on the units"; }
else
	skip_part "systemd-analyze verify of the units: systemd not installed"
fi

# --- the catalogue follows the installed tree.  A ja_JP.UTF-8 locale: the
# system's, or one compiled here (as in cli/i18n_ja.sh).
if ! locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$'; then
	command -v localedef >/dev/null ||
	    skip "no ja_JP.UTF-8 locale and no localedef (Debian: locales)"
	mkdir -p loc
	localedef -i ja_JP -f UTF-8 "$PWD/loc/ja_JP.UTF-8" >localedef.log 2>&1 ||
	    { cat localedef.log; skip "localedef cannot build ja_JP.UTF-8"; }
	export LOCPATH=$PWD/loc
fi
ja_err() {	# ja_err BINARY: its error for a client without a config
	LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 LANGUAGE= "$1" --root "$PWD/none" status 2>&1 || true
}
# The build was made for /usr/local (its compiled-in fallback); installed
# under $P it reads $P/share/locale.
ja_err "$P/bin/applymedia" >ja.out
grep -q '開けません' ja.out || { cat ja.out; die "installed under $P: not Japanese"; }
# Moved elsewhere, it reads the catalogue beside it ...
mv "$P" "$TEST_TMP/moved"
ja_err "$TEST_TMP/moved/bin/applymedia" >ja2.out
grep -q '開けません' ja2.out || { cat ja2.out; die "moved tree: not Japanese"; }
# ... and a tree whose catalogue is gone says it in English: it does not
# borrow another install's catalogue (the build's own is not beside it).
rm -r "$TEST_TMP/moved/share/locale"
mkdir -p "$TEST_TMP/moved/share/locale"
ja_err "$TEST_TMP/moved/bin/applymedia" >en.out
grep -q 'cannot open' en.out || { cat en.out; die "no catalogue: not English"; }
mv "$TEST_TMP/moved" "$P"
inst uninstall "$P"
left=$(cd "$P" && find . -type f -o -type l)
[ -z "$left" ] || die "make uninstall left: $left"
