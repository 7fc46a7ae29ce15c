# Issue 17 sec. 4: the base package of a plan that installs it alone is
# spooled into memory (a memfd), hashed as it is copied (by a thread that
# reads the copy back behind the writer), and cut
# out behind the extraction (formats/package_extract.c
# package_extract_base_once), so that none of it is written to the state's
# file system.  Checked here: the package is in memory and not in spool/
# while the tree is built (the run stops itself at stage.mkdir); with too
# little memory (FERRY_TEST_MEM_AVAIL), or when no memfd can be made, it
# goes to spool/ as before; holes that cannot be punched only keep the
# pages; a read error of the medium or of the copy, a hash mismatch, and
# a write error after part of the copy was cut out, give their exit codes
# and leave the client unchanged; the next run reads the medium again.
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# FERRY_FAULT, FERRY_TEST_MEM_AVAIL
make_repo repo
mkdir -p rel/big/sub
head -c $((9 << 20)) /dev/urandom >rel/big/blob.bin	# incompressible
head -c 70000 /dev/urandom >rel/big/sub/small.bin
echo hello >rel/big/sub/a.txt
expect_ok mkmedia --repo repo add big 1.0 rel/big
build_medium repo med
pkg=$(cd med/ferry && ls pkg/big/*.tar.zst)
sha=$(sha256sum "med/ferry/$pkg" | cut -d' ' -f1)
make_client cl0 "[component big]" "path = /opt/big"

fresh() { rm -rf cl && cp -a cl0 cl; }
# stopped POINT CHECK [ENV...]: apply med on cl, the run stopping itself at
# the first POINT; CHECK PID runs while it is stopped; then it goes on.
stopped() {
	local point=$1 check=$2 pid seen=""
	shift 2
	env "$@" FERRY_FAULT="$point:1:stop" "$FERRY_BIN/applymedia" --root \
	    "$PWD/cl" apply med >run.out 2>run.err &
	pid=$!
	while [ -e "/proc/$pid" ]; do
		if grep -q '^State:.*T' "/proc/$pid/status" 2>/dev/null; then
			"$check" "$pid"
			seen=yes
			kill -CONT "$pid"
			break
		fi
		sleep 0.05
	done
	RC=0; wait "$pid" || RC=$?
	[ "$seen" = yes ] || { cat run.err; die "the run did not stop at $point"; }
}
in_memory() {
	ls -l "/proc/$1/fd" | grep -q 'memfd:ferry-spool' ||
	    die "no spool in memory while the tree is built"
	[ ! -e "cl/var/lib/ferry/spool/$sha" ] ||
	    die "the package was written to spool/ as well"
}
on_disk() {
	ls -l "/proc/$1/fd" | grep -q 'memfd:ferry-spool' &&
	    die "spooled in memory where it should be on disk"
	[ -f "cl/var/lib/ferry/spool/$sha" ] || die "the package is not in spool/"
}
installed() {
	[ "$RC" -eq 0 ] || { cat run.err; die "apply failed (exit $RC)"; }
	diff -r cl/opt/big rel/big >/dev/null || die "installed tree differs"
	[ ! -e cl/var/lib/ferry/spool ] || die "spool/ left behind"
}

# 1. in memory, not in spool/
fresh
stopped stage.mkdir in_memory
installed
# 2. too little memory for it: on disk, as before
fresh
stopped stage.mkdir on_disk FERRY_TEST_MEM_AVAIL=$((8 << 20))
installed
# 3. no memfd: on disk
fresh
expect_ok client cl apply med
fresh
FERRY_FAULT=spool.memfd:1:eio expect_ok client cl apply med
diff -r cl/opt/big rel/big >/dev/null || die "installed tree differs (no memfd)"
# 4. holes cannot be punched: the copy is read as it is
fresh
FERRY_FAULT_LOG=$PWD/points.log expect_ok client cl apply med
[ "$(grep -c '^package.free$' points.log)" -ge 2 ] ||
    die "the copy in memory was not cut out behind the reader"
fresh
FERRY_FAULT=package.free:1:eio FERRY_FAULT_LOG=$PWD/points2.log \
    expect_ok client cl apply med
diff -r cl/opt/big rel/big >/dev/null || die "installed tree differs (no holes)"
[ "$(grep -c '^package.free$' points2.log)" -eq 1 ] ||
    die "asked again to punch holes after the first refusal"

# 5. a read error of the medium while spooling into memory: exit 3, no change
fresh
before=$(client_digest cl)
reads=$(grep -c '^media.read$' points.log)	# the package: 72 of 128 KiB
[ "$reads" -gt 60 ] || die "only $reads media.read points"
FERRY_FAULT=media.read:$((reads - 20)):eio expect_fail 3 "^applymedia: $pkg: " \
    client cl apply med
err_has 'Input/output error'
[ "$(client_digest cl)" = "$before" ] || die "a read error changed the client"
# 5b. the copy in memory cannot be read back to be hashed (its own thread):
#     exit 3, no change
FERRY_FAULT=spool.reread:3:eio expect_fail 3 \
    "^applymedia: $sha: cannot read back the copy to hash it: Input/output error$" \
    client cl apply med
[ "$(client_digest cl)" = "$before" ] || die "a read-back error changed the client"
# 6. a hash mismatch (damaged medium): exit 6, no change
cp -a med med.ok
flip_byte "med/ferry/$pkg" 5000000
expect_fail 6 "^applymedia: $pkg: sha256 differs from manifest$" client cl apply med
[ "$(client_digest cl)" = "$before" ] || die "a damaged package changed the client"
rm -rf med && mv med.ok med

# 7. an update whose plan is a base (version 2 shares nothing with 1.0, so
#    no delta is kept): a write error of the new tree once part of the
#    copy was cut out is exit 3 and changes nothing; the next run reads
#    the medium again and succeeds
command -v cc >/dev/null || skip "no C compiler for the LD_PRELOAD shim"
cc -O2 -Wall -Wextra -Werror -shared -fPIC -o shim.so \
    "$FERRY_SRC/tests/crash/fiu_shim.c" -ldl || die "cannot build the shim"
mkdir -p rel2/big
head -c $((9 << 20)) /dev/urandom >rel2/big/blob.bin
echo two >rel2/big/b.txt
expect_ok mkmedia --repo repo add big 2.0 rel2/big
build_medium repo med2
fresh
expect_ok client cl apply med
expect_ok client cl plan med2
out_has '^big: 1.0 -> 2.0 via base 2.0'
rm -rf cl1 && cp -a cl cl1
# (the shim is preloaded into applymedia itself, also under FERRY_VALGRIND)
LD_PRELOAD=$PWD/shim.so FERRY_SHIM=count FERRY_SHIM_DIR=$PWD/cl \
    FERRY_SHIM_LOG=$PWD/count.log expect_ok "$FERRY_BIN/applymedia" \
    --root "$PWD/cl" apply med2
writes=$(awk '$1 == "write" { print $2 }' count.log)
[ "${writes:-0}" -gt 30 ] || die "only ${writes:-0} writes counted"
rm -rf cl && cp -a cl1 cl
before=$(client_digest cl)
LD_PRELOAD=$PWD/shim.so FERRY_SHIM=write:$((writes - 8)):EIO \
    FERRY_SHIM_DIR=$PWD/cl FERRY_FAULT_LOG=$PWD/points3.log \
    expect_fail 3 '^applymedia: .*: write failed: Input/output error$' \
    "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med2
[ "$(grep -c '^package.free$' points3.log)" -ge 1 ] ||
    die "the write error came before any of the copy was cut out"
[ "$(client_digest cl)" = "$before" ] || die "a write error changed the client"
expect_ok client cl apply med2
diff -r cl/opt/big rel2/big >/dev/null || die "installed tree differs after the retry"
