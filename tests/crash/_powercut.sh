# tests/crash/_powercut.sh: helpers of the power-loss simulator (L4,
# issue 16).  Source after tests/lib/common.sh and tests/crash/_lib.sh.
# Not a test (run.sh skips _*.sh).
#
#   pc_setup             build powercut_fs (FUSE recorder) and the syncfs
#                        shim into $PWD/pc/, or skip with the reason
#   pc_record NAME CL CMD...
#                        move the client CL aside as the backing tree,
#                        snapshot it, serve it at CL through powercut_fs,
#                        run CMD, unmount; leaves pc/NAME.{snap,log,blob}
#                        and the final backing tree pc/NAME.back
#   pc_explore NAME CL [powercut.py explore options] -- CHECK...
#                        every crash state of the run, materialised at CL
#                        and checked with CHECK; the summary line is in
#                        $PWD/pc/NAME.summary
# Model and bounds: tests/crash/powercut.py and docs/BENCHMARKS-crash.md.

PC_PY=$FERRY_SRC/tests/crash/powercut.py

pc_setup() {
	[ -c /dev/fuse ] || skip "no /dev/fuse (the power-loss simulator is a FUSE file system)"
	command -v python3 >/dev/null || skip "python3 not installed"
	command -v cc >/dev/null || skip "no C compiler for the recorder"
	pkg-config --exists fuse3 2>/dev/null ||
	    skip "libfuse3-dev not installed (build.sh deps installs it)"
	command -v fusermount3 >/dev/null || skip "fusermount3 not installed (fuse3)"
	mkdir -p pc
	PC_DIR=$(cd pc && pwd)
	if [ ! -x "$PC_DIR/powercut_fs" ]; then
		# shellcheck disable=SC2046
		cc -O2 -Wall -Wextra -Werror $(pkg-config --cflags fuse3) \
		    -o "$PC_DIR/powercut_fs" "$FERRY_SRC/tests/crash/powercut_fs.c" \
		    $(pkg-config --libs fuse3) || die "cannot build powercut_fs"
		cc -O2 -Wall -Wextra -Werror -shared -fPIC \
		    -o "$PC_DIR/powercut_shim.so" \
		    "$FERRY_SRC/tests/crash/powercut_shim.c" -ldl ||
		    die "cannot build powercut_shim"
	fi
	# Can we mount at all (a container may refuse)?
	mkdir -p "$PC_DIR/probe.b" "$PC_DIR/probe.m"
	pc_mount "$PC_DIR/probe.b" "$PC_DIR/probe.log" "$PC_DIR/probe.blob" \
	    "$PC_DIR/probe.m" || skip "cannot mount a FUSE file system here"
	pc_umount "$PC_DIR/probe.m"
}

# pc_mount BACKING LOG BLOB MNT: start the recorder, wait for the mount.
pc_mount() {
	local i
	"$PC_DIR/powercut_fs" "$1" "$2" "$3" "$4" 2>"$PC_DIR/fs.err" &
	PC_PID=$!
	for i in $(seq 1 100); do
		mountpoint -q "$4" && return 0
		kill -0 "$PC_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$PC_DIR/fs.err" >&2
	return 1
}

pc_umount() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		fusermount3 -u "$1" 2>/dev/null && break
		sleep 0.2
	done
	mountpoint -q "$1" && { fusermount3 -uz "$1" 2>/dev/null || true; }
	wait "$PC_PID" 2>/dev/null || true
	PC_PID=
}

pc_cleanup() {
	[ -z "${PC_PID:-}" ] || kill "$PC_PID" 2>/dev/null || true
	[ -z "${PC_MNT:-}" ] || fusermount3 -uz "$PC_MNT" 2>/dev/null || true
}

pc_record() {
	local name=$1 cl=$2 rc=0; shift 2
	rm -rf "$PC_DIR/$name.back"
	mv "$cl" "$PC_DIR/$name.back"
	mkdir "$cl"
	python3 "$PC_PY" snap "$PC_DIR/$name.back" "$PC_DIR/$name.snap" ||
	    die "snapshot failed"
	PC_MNT=$cl
	trap 'pc_cleanup; crash_unmount' EXIT
	pc_mount "$PC_DIR/$name.back" "$PC_DIR/$name.log" \
	    "$PC_DIR/$name.blob" "$cl" || die "cannot mount powercut_fs at $cl"
	LD_PRELOAD=$PC_DIR/powercut_shim.so POWERCUT_MNT=$cl "$@" \
	    >"$PC_DIR/$name.out" 2>"$PC_DIR/$name.err" || rc=$?
	pc_umount "$cl"
	PC_MNT=
	rmdir "$cl"
	[ "$rc" -eq 0 ] || { cat "$PC_DIR/$name.err"; die "recorded run exit $rc"; }
	grep -q '^fsync' "$PC_DIR/$name.log" || die "no fsync recorded"
}

pc_explore() {
	local name=$1 cl=$2 rc=0; shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	python3 "$PC_PY" explore "$PC_DIR/$name.snap" "$PC_DIR/$name.log" \
	    "$PC_DIR/$name.blob" "$PC_DIR/$name.back" "$cl" "$@" "${opts[@]}" \
	    --keep-failures "$PC_DIR/$name.fail" >"$PC_DIR/$name.states" || rc=$?
	tail -n 1 "$PC_DIR/$name.states" >"$PC_DIR/$name.summary"
	return $rc
}
