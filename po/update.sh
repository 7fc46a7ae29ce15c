#!/bin/sh
# po/update.sh: regenerate the message template po/ferry.pot from every
# library and tool source, then merge it into each translation (po/*.po)
# with msgmerge.  Run it after adding or changing a _("...") message; then
# translate the new and "fuzzy" entries (e.g. in po/ja.po) and build:
# the Makefile compiles po/*.po into $(O)/locale/<lang>/LC_MESSAGES/ferry.mo
# with msgfmt --check, which refuses a translation whose printf directives
# differ from the original's.
#
# Messages: wrap the format string in _() where fy_fail() or say_*() is
# called, N_() where a string is only marked, P_(singular, plural, n) for a
# message with a count (core/i18n.h, domain "ferry").
set -eu
cd "$(dirname "$0")/.."
VERSION=$(cat VERSION 2>/dev/null || echo 0.0.0)
files=$(find core formats verify mkmedia applymedia -name '*.c' | LC_ALL=C sort)
# shellcheck disable=SC2086
xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 --language=C \
    --add-comments=TRANSLATORS: --add-location=file --sort-by-file \
    --package-name=ferry --package-version="$VERSION" \
    --msgid-bugs-address='ferry maintainers' \
    -o po/ferry.pot $files
for po in po/*.po; do
	[ -f "$po" ] || continue
	msgmerge --quiet --update --backup=none --no-fuzzy-matching \
	    --add-location=file \
	    --sort-by-file "$po" po/ferry.pot
	msgfmt --check --statistics -o /dev/null "$po"
done
