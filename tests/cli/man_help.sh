# man_help: the man pages in docs/man stay in step with the code.
#  1. every long option in a tool's --help is in its man page (SYNOPSIS,
#     COMMANDS or OPTIONS) and every option documented there is in --help;
#  2. every command word of the help's "commands:" list is an item of the
#     man page's COMMANDS section, and vice versa;
#  3. every long option the tool's getopt table accepts (longopts[] in its
#     main.c) is in --help (an option nobody can learn about is a bug);
#  4. every key applymedia/config.c accepts is an item of
#     ferry-client.conf(5), and every item there is a key the parser knows;
#  5. every page renders with groff -man -ww without a warning;
#  6. `make install DESTDIR=...` puts the pages (and the catalogues) in place.
# When this fails after you added an option or command: document it in
# docs/man/<tool>.1 (and docs/ADMIN-GUIDE*.md if administrators use it).
. "$FERRY_TESTLIB/common.sh"
MAN=$FERRY_SRC/docs/man
# Options getopt accepts on purpose without --help mentioning them.  Each
# entry needs a reason; remove it when the option is documented or gone.
HIDDEN_OPTS=""	# e.g. "mkmedia:--foo applymedia:--bar"

# roff source -> plain text: \- -> -, font escapes and quotes dropped.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' -e 's/"//g' "$@"; }
# section PAGE NAME...: the lines of those .SH sections.
section() {
	local page=$1; shift
	awk -v want="$*" '
	/^\.SH/ { s = $0; sub(/^\.SH[ \t]*/, "", s); gsub(/"/, "", s);
		  on = 0; n = split(want, w, " ");
		  for (i = 1; i <= n; i++) if (s == w[i]) on = 1; next }
	on' "$page"
}
opts_of() { grep -o -- '--[a-z][a-z-]*' | sed 's/-*$//' | sort -u; }

fails=0
bad() { echo "MISMATCH: $*"; fails=$((fails + 1)); }

for t in mkmedia applymedia verifymedia; do
	page=$MAN/$t.1
	[ -f "$page" ] || die "docs/man/$t.1 missing"
	"$FERRY_BIN/$t" --help >"help.$t" || die "$t --help failed"
	opts_of <"help.$t" >"hopts.$t"
	section "$page" SYNOPSIS COMMANDS OPTIONS | plain | opts_of >"mopts.$t"
	for o in $(comm -23 "hopts.$t" "mopts.$t"); do
		bad "$t: $o is in --help but not in docs/man/$t.1 (SYNOPSIS/COMMANDS/OPTIONS)"
	done
	for o in $(comm -13 "hopts.$t" "mopts.$t"); do
		bad "$t: $o is documented in docs/man/$t.1 but not in --help"
	done

	# Command words: two-space-indented lines of the "commands:"
	# paragraph, first word and any "| word" alternative.
	sed -n '/^commands:/,/^$/p' "help.$t" | grep -E '^  [a-z]' |
	    sed -E 's/^  ([a-z]+).*/\1/' >"hcmds.$t" || true
	sed -n '/^commands:/,/^$/p' "help.$t" | grep -E '^  [a-z]' |
	    grep -oE '\| [a-z]+ ' | tr -d '| ' >>"hcmds.$t" || true
	sort -u -o "hcmds.$t" "hcmds.$t"
	# Man COMMANDS items: the line after each .TP.
	section "$page" COMMANDS | awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' |
	    plain | sed -E 's/^\.B[IR]* +([a-z]+).*/\1/' | grep -E '^[a-z]+$' |
	    sort -u >"mcmds.$t" || true
	for c in $(comm -23 "hcmds.$t" "mcmds.$t"); do
		bad "$t: command \"$c\" is in --help but has no item in the COMMANDS section of docs/man/$t.1"
	done
	for c in $(comm -13 "hcmds.$t" "mcmds.$t"); do
		bad "$t: docs/man/$t.1 documents command \"$c\", which --help does not list"
	done

	# getopt table -> help.
	case $t in verifymedia) src=$FERRY_SRC/verify/main.c ;;
	    *) src=$FERRY_SRC/$t/main.c ;; esac
	sed -n '/struct option longopts\[\]/,/^};/p' "$src" |
	    sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z][a-z-]*\)".*/--\1/p' |
	    sort -u >"gopts.$t"
	[ -s "gopts.$t" ] || die "cannot read longopts[] in $src"
	for o in $(comm -23 "gopts.$t" "hopts.$t"); do
		case " $HIDDEN_OPTS " in *" $t:$o "*) continue ;; esac
		bad "$t: getopt accepts $o but --help does not mention it"
	done
	note "$t: $(wc -l <"hopts.$t") options, $(wc -l <"hcmds.$t") commands in step"
done

# Config keys: strcmp(k, "key") in config.c vs the items of the two
# sections of ferry-client.conf(5).
conf=$MAN/ferry-client.conf.5
[ -f "$conf" ] || die "docs/man/ferry-client.conf.5 missing"
grep -o 'strcmp(k, "[a-z_]*")' "$FERRY_SRC/applymedia/config.c" |
    sed 's/.*"\(.*\)".*/\1/' | sort -u >keys.code
[ "$(wc -l <keys.code)" -ge 10 ] || die "cannot read the keys of applymedia/config.c"
awk '/^\.SH/ { on = ($0 ~ /SECTION/) ; next } on && tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$conf" |
    plain | sed -nE 's/^\.B[IR]* +([a-z_]+).*/\1/p' | sort -u >keys.man
for k in $(comm -23 keys.code keys.man); do
	bad "ferry-client.conf.5: key \"$k\" (applymedia/config.c) is not documented"
done
for k in $(comm -13 keys.code keys.man); do
	bad "ferry-client.conf.5: documents key \"$k\", which applymedia/config.c does not accept"
done
note "client.conf: $(wc -l <keys.code) keys documented"

# The admin guides: every command of the tools is explained in both, and
# the Japanese edition keeps the English one's structure (same chapters,
# same exit-code sections of the troubleshooting table).
en=$FERRY_SRC/docs/ADMIN-GUIDE.md ja=$FERRY_SRC/docs/ADMIN-GUIDE.ja.md
[ -f "$en" ] && [ -f "$ja" ] || die "docs/ADMIN-GUIDE.md or .ja.md missing"
for t in mkmedia applymedia; do
	for c in $(cat "hcmds.$t"); do
		for g in "$en" "$ja"; do
			grep -qE "$t( [^\`]*)? $c( |\`|$)" "$g" ||
			    bad "${g##*/} never shows \"$t ... $c\""
		done
	done
done
[ "$(grep -c '^## ' "$en")" -eq "$(grep -c '^## ' "$ja")" ] ||
    bad "ADMIN-GUIDE.md and ADMIN-GUIDE.ja.md have different chapters"
grep -oE '^### Exit [0-9]+' "$en" | grep -oE '[0-9]+' >guide.en
grep -oE '^### 終了コード [0-9]+' "$ja" | grep -oE '[0-9]+' >guide.ja
cmp -s guide.en guide.ja || bad "the troubleshooting sections of the two guides differ"
sed -n 's/^|[[:space:]]*\([0-9][0-9]*\)[[:space:]]*|.*/\1/p' "$FERRY_SRC/docs/EXIT-CODES.md" |
    grep -vx 0 >codes.all
cmp -s codes.all guide.en || { diff codes.all guide.en;
    bad "ADMIN-GUIDE.md troubleshooting has no section for some exit code (< EXIT-CODES.md)"; }

# Every page in docs/man (and none missing) renders cleanly.
for p in mkmedia.1 applymedia.1 verifymedia.1 ferry-medium.5 ferry-client.conf.5; do
	[ -f "$MAN/$p" ] || bad "docs/man/$p missing"
done
command -v groff >/dev/null || skip "groff not installed (Debian: groff-base)"
for p in "$MAN"/*.[15]; do
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$p" 2>"groff.err" || bad "groff fails on $p"
	[ ! -s groff.err ] || { cat groff.err; bad "groff warns on ${p##*/}"; }
	# Section number of the file name and of .TH agree.
	sec=${p##*.}
	grep -qE "^\.TH [A-Z.\\\\-]+ $sec " "$p" || bad "${p##*/}: .TH does not say section $sec"
done
[ "$fails" -eq 0 ] || die "$fails mismatch(es) between the code and docs/man"

# make install puts the pages in place.  -o all: never rebuild here (the
# suite runs against an existing build; other tests use its binaries).
dest=$TEST_TMP/dest
make -s -C "$FERRY_SRC" -o all O="$FERRY_BIN" PREFIX=/usr DESTDIR="$dest" \
    install >install.log 2>&1 || { cat install.log; die "make install failed"; }
for p in "$MAN"/*.1; do
	cmp -s "$p" "$dest/usr/share/man/man1/${p##*/}" || die "make install did not install ${p##*/}"
done
for p in "$MAN"/*.5; do
	cmp -s "$p" "$dest/usr/share/man/man5/${p##*/}" || die "make install did not install ${p##*/}"
done
for t in mkmedia applymedia verifymedia; do
	[ -x "$dest/usr/bin/$t" ] || die "make install did not install $t"
done
for po in "$FERRY_SRC"/po/*.po; do
	[ -f "$po" ] || continue
	l=$(basename "$po" .po)
	[ -f "$dest/usr/share/locale/$l/LC_MESSAGES/ferry.mo" ] ||
	    die "make install did not install the $l catalogue"
done
# And man(1) finds and formats an installed page.
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$dest/usr/share/man/man5/ferry-client.conf.5" >man.out 2>man.err ||
	    { cat man.err; die "man -l fails on the installed page"; }
	grep -q 'trust' man.out || die "man -l output lacks the trust key"
else skip_part "man -l on an installed page: man (man-db) not installed"; fi
note "installed: $(cd "$dest" && find usr/share/man -type f | sort | tr '\n' ' ')"
