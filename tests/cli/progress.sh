# Issue 14 sec. 4: `mkmedia add` and `build` show progress on a terminal
# (bytes, rate, ETA, and which delta pair is being encoded) and stay
# silent through a pipe.  The terminal is a pseudo-terminal from script(1).
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v script >/dev/null || skip "script(1) (util-linux) not installed"
make_samples
make_repo repo
# through a pipe: not one progress byte
mkmedia --repo repo add patterns 2026.11.19-1 "$SAMPLES/patterns/2026.11.19-1" >pipe.out 2>pipe.err ||
    { cat pipe.err; die "add failed"; }
if grep -q $'\r' pipe.out pipe.err || grep -Eq 'MiB/s|ETA' pipe.out pipe.err; then
	cat -A pipe.err | head; die "progress through a pipe"
fi
# on a terminal
tty_run() {	# LOG CMD...: CMD on a pseudo-terminal, everything it printed in LOG
	local log=$1 q; shift
	q=$(printf '%q ' "$@")
	script -qec "$q" /dev/null >"$log" 2>&1 </dev/null ||
	    { cat "$log"; die "failed on a terminal: $*"; }
}
tty_run add.log "$FERRY_BIN/mkmedia" --repo repo add patterns 2026.11.20-1 \
    "$SAMPLES/patterns/2026.11.20-1"
# a folder is copied, packed and hashed in one read (mkmedia/ingest.c)
for want in 'packing: [0-9]+/[0-9]+ MiB' \
    'delta patterns 2026.11.19-1 -> 2026.11.20-1: [0-9]+/[0-9]+ MiB +[0-9.]+ MiB/s +ETA [0-9]+s'; do
	grep -Eq -- "$want" add.log || { cat -A add.log | head -20; die "add on a terminal lacks /$want/"; }
done
grep -q 'added patterns 2026.11.20-1' add.log || die "add lost its summary line"
tty_run build.log "$FERRY_BIN/mkmedia" --repo repo build --out med \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
for want in 'writing: [0-9]+/[0-9]+ MiB +[0-9.]+ MiB/s +ETA' 'self-check: [0-9]+/[0-9]+ MiB'; do
	grep -Eq -- "$want" build.log || { cat -A build.log | head -20; die "build on a terminal lacks /$want/"; }
done
grep -q 'safe to remove' build.log || die "build lost its summary"
# and the build through a pipe is silent again
mkmedia --repo repo build --out med2 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" >pipe.out 2>pipe.err
if grep -q $'\r' pipe.out pipe.err || grep -Eq 'MiB/s|ETA' pipe.out pipe.err; then
	cat -A pipe.err | head; die "build progress through a pipe"
fi
