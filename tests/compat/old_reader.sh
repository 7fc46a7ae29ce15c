#!/usr/bin/env bash
# tests/compat/old_reader.sh [FORMAT [REV]]: what a ferry that predates
# delta package format FORMAT (3 or 4) does with a medium and a package
# this tree writes in that format.
#   FORMAT 3 (formats/SPEC.md §7.7), REV default db080c6 (main before
#   format 3, reads formats 1 and 2): expects the old applymedia to refuse
#   the medium as a whole with exit 4 ("format version 3 is not supported
#   (this ferry reads versions 1 to 2)") and the old library to refuse the
#   package itself as "not a tar".
#   FORMAT 4 (§7.8: an executable whose delta is method 6), REV default
#   ba4bde3 (main before format 4, reads formats 1 to 3): exit 4 ("format
#   version 4 is not supported (this ferry reads versions 1 to 3)") and
#   FY_E_FORMAT "delta package format 4 is not supported (this ferry reads
#   formats 1 to 3)".
# In both, this tree applies the medium and the package.  Not part of
# tests/run.sh (it builds a second ferry: minutes); run by hand, its
# results are in formats/SPEC.md §7.7 and §7.8.  Exit 0 when all of that
# holds.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FORMAT=${1:-3}
case $FORMAT in
3) REV=${2:-db080c6} OLDMAX=2 OLDPKG="3 not a tar" ;;
4) REV=${2:-ba4bde3} OLDMAX=3
   OLDPKG="3 delta package format 4 is not supported (this ferry reads formats 1 to 3)" ;;
*) echo "old_reader.sh: FORMAT must be 3 or 4" >&2; exit 2 ;;
esac
T=$(mktemp -d /tmp/ferry-compat.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$ROOT"
make -s -j2 O=build/test HOOKS=1 >/dev/null
git archive "$REV" | tar -x -C "$T" --one-top-level=old
make -s -C "$T/old" -j2 O=build HOOKS=1 >/dev/null
LIBS="$(pkg-config --libs libzstd jansson libgcrypt libdivsufsort liblzma) -lgcrypt -lunistring -lpthread"
cat >"$T/apply.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/digest.h"
#include "formats/deltapkg.h"
int
main(int argc, char **argv)
{
	struct fy_err e = { 0 };
	struct tree a, b;
	int fa, fb, p, d, rc;

	(void)argc;
	digest_init();
	tree_init(&a);
	tree_init(&b);
	fa = open(argv[1], O_RDONLY | O_DIRECTORY);
	fb = open(argv[2], O_RDONLY | O_DIRECTORY);
	p = open(argv[3], O_RDONLY);
	d = open(argv[4], O_RDONLY | O_DIRECTORY);
	if (tree_scan(fa, &a, &e) || tree_scan(fb, &b, &e))
		return 2;
	rc = deltapkg_apply(p, "pkg", fa, &a, &b, d, 0, &e);
	printf("%d %s\n", rc == 0 ? 0 : (int)e.code, e.msg);
	return 0;
}
C
for w in old new; do
	src=$T/old b=$T/old/build
	# the old tree links libarchive; this one loads it at run time
	# (formats/archive_dl.c) and must not link it as well
	arc=-larchive
	[ $w = new ] && src=$ROOT b=$ROOT/build/test arc=
	# shellcheck disable=SC2086
	cc -std=gnu11 -I"$src" -D_GNU_SOURCE -o "$T/apply_$w" "$T/apply.c" \
	    "$b/libformats.a" "$b/libcore.a" $LIBS $arc
done
# a medium with a delta of the format, made as this tree's tests do
# (format 3: tests/cli/roundtrip; format 4: tests/cli/delta_format4.sh)
if [ "$FORMAT" = 3 ]; then
cat >"$ROOT/tests/cli/zz_compat_medium.sh" <<'SH'
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.21-1
build_medium repo m1
add_versions repo patterns 2026.11.22-1
build_medium repo m2
make_client cl
expect_ok client cl apply m1
mkdir -p "$COMPAT_OUT/rel"
cp -a m2 cl "$COMPAT_OUT/"
cp -a "$SAMPLES/patterns/2026.11.21-1" "$COMPAT_OUT/rel/from"
cp -a "$SAMPLES/patterns/2026.11.22-1" "$COMPAT_OUT/rel/to"
cp "$(find repo -name '*.fdelta' | head -n 1)" "$COMPAT_OUT/pkg"
SH
else
cat >"$ROOT/tests/cli/zz_compat_medium.sh" <<'SH'
. "$FERRY_TESTLIB/common.sh"
need_keys
sparse_engine_media
make_client cl
expect_ok client cl apply m1
mkdir -p "$COMPAT_OUT/rel"
cp -a m2 cl "$COMPAT_OUT/"
cp -a rel/8.1.0 "$COMPAT_OUT/rel/from"
cp -a rel/8.1.1 "$COMPAT_OUT/rel/to"
cp "$(find repo -name '*.fdelta' | head -n 1)" "$COMPAT_OUT/pkg"
SH
fi
trap 'rm -rf "$T" "$ROOT/tests/cli/zz_compat_medium.sh"' EXIT
COMPAT_OUT=$T/out tests/run.sh build/test cli/zz_compat_medium >/dev/null
O=$T/out
fail=0
[ "$(jq .format_version "$O/m2/ferry/manifest.json")" = "$FORMAT" ] || { echo "medium is not version $FORMAT"; fail=1; }
set +e
"$T/old/build/applymedia" --root "$O/cl" apply "$O/m2" >"$T/o.out" 2>"$T/o.err"
rc=$?
set -e
echo "old applymedia: exit $rc: $(cat "$T/o.err")"
[ $rc = 4 ] && grep -qF "format version $FORMAT is not supported (this ferry reads versions 1 to $OLDMAX)" "$T/o.err" || fail=1
for w in old new; do
	mkdir "$T/dst_$w"
	r=$("$T/apply_$w" "$O/rel/from" "$O/rel/to" "$O/pkg" "$T/dst_$w")
	echo "$w library, the package itself: $r"
	case $w:$r in old:"$OLDPKG"*|new:"0 "*) ;; *) fail=1 ;; esac
done
[ $fail = 0 ] && echo "old_reader.sh $FORMAT: as expected" || echo "old_reader.sh $FORMAT: NOT as expected"
exit $fail
