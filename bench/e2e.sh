#!/usr/bin/env bash
# bench/e2e.sh BUILD_DIR [--cold] [--sets "corpus s40 big"] [--items "1 2 3"]
# -- ferry end to
# end against the plain-tools baseline (bench/baseline.sh), on the same data
# in the same run, runs interleaved (ferry, baseline, ferry, ...) so that
# background load hits both alike.  Raw rows: bench/out/e2e.tsv and
# bench/out/e2e-facts.tsv; the report: bench/out/e2e.md (bench/e2e_report.py).
#
# Data sets (each: version 1, then the "weekly update" version 2):
#   corpus  npm corpus (bench/corpus.sh -> bench/.corpus): caniuse-lite
#           (841 files) and @mdn/browser-compat-data change weekly,
#           @esbuild/linux-x64 (the "engine") stays; three components,
#           zstd level FERRY_BENCH_LEVEL (19)
#   s40     synthetic 40 MiB component (bench/synth.c), for downtime
#   big     synthetic FERRY_BENCH_BIG_MIB (512) MiB component, zstd level
#           FERRY_BENCH_BIG_LEVEL (9: level 19 on 1 GiB takes ~5 min per
#           build on this machine; both sides always use the same level)
# Items: 1 verify, 2 fresh apply, 3 downtime, 4 build (folder and ISO),
# 5 incremental stick rewrite (ext4 loop image; needs root), 6 peak RSS
# (of whatever ran).  --items limits the run to some of 1-5 (default all).
# Every timed command runs under bench/reap.c, a child subreaper, so the
# CPU columns include the gpg processes GPGME double-forks.
# Runs: FERRY_BENCH_RUNS (5) for corpus/s40, FERRY_BENCH_RUNS_BIG (3).
# Cache: warm by default (inputs were just written or read once untimed);
# --cold drops the page cache (sync; echo 3 > drop_caches) before every
# timed run, both sides alike.
# FERRY_BENCH_BIG_ONE=1: the big set has one version (no version-2 delta
# to build, which takes long at 512 MiB; items 1 and 2 only).
# What a timed run wrote is moved aside and removed after the set, not
# right before the next timed run: on ext4 without a journal (this
# machine) inodes freed in the last seconds are skipped one by one by
# the allocator, so a mass deletion just before makes every file creation
# of the next run slower, ferry's and the baseline's alike but unevenly.
# The 1-minute load average at every timed command goes to the report.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$(cd "${1:?usage: e2e.sh BUILD_DIR [--cold] [--sets LIST]}" && pwd)
shift
CACHE=warm
SETS="corpus s40 big"
ITEMS="1 2 3 4 5"
while [ $# -gt 0 ]; do
	case $1 in
	--cold) CACHE=cold ;;
	--sets) SETS=$2; shift ;;
	--items) ITEMS=$2; shift ;;
	*) echo "e2e.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
RUNS=${FERRY_BENCH_RUNS:-5}
RUNS_BIG=${FERRY_BENCH_RUNS_BIG:-3}
LEVEL=${FERRY_BENCH_LEVEL:-19}
BIG_LEVEL=${FERRY_BENCH_BIG_LEVEL:-9}
BIG_MIB=${FERRY_BENCH_BIG_MIB:-512}
BIG_ONE=${FERRY_BENCH_BIG_ONE:-0}
W=$ROOT/bench/.work
OUT=$ROOT/bench/out
RAW=$OUT/e2e.tsv
FACTS=$OUT/e2e-facts.tsv
LOADS=$OUT/e2e-load.tsv
export LC_ALL=C TZ=UTC
# verifymedia keeps its GnuPG home per user (verify/gpg_cache.c): here.
export XDG_CACHE_HOME=$W/cache
mkdir -p "$W" "$OUT"
mkdir -p -m 0700 "$XDG_CACHE_HOME"

die() { echo "e2e.sh: $*" >&2; exit 1; }
log() { echo "# $(date +%H:%M:%S) $*" >&2; }
for t in zstd tar gpg gpgv sha256sum xorriso /usr/bin/time python3 cc \
    mkfs.ext4; do
	command -v "$t" >/dev/null || die "$t missing (./build.sh deps)"
done

MOUNTS=()
cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	gpgconf --homedir "$W/gnupg" --kill all >/dev/null 2>&1 || true
}
trap cleanup EXIT

fact() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$FACTS"; }

# tm SET KEY RUN CMD...: run CMD (output discarded), append wall, user, sys
# (seconds) and peak RSS (KiB) to $RAW.  Wall from date(1), ns resolution.
tm() {
	local set=$1 key=$2 run=$3 t0 t1; shift 3
	if [ "$CACHE" = cold ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches
	fi
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$W/tm.out" "$W/reap" "$@" \
	    >"$W/tm.stdout" \
	    2>"$W/tm.stderr" || {
		cat "$W/tm.stdout" "$W/tm.stderr" >&2
		die "$set $key failed: $*"
	}
	t1=$(date +%s%N)
	printf '%s\t%s\n' "$set" "$(cut -d' ' -f1 /proc/loadavg)" >>"$LOADS"
	read -r u s m < <(tail -n 1 "$W/tm.out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$key" "$run" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" \
	    "$u" "$s" "$m" >>"$RAW"
}

# ---- keys: one ed25519 signing key, made once ----------------------------
KEYHOME=$W/gnupg
if [ ! -s "$W/pinned.gpg" ]; then
	rm -rf "$KEYHOME"
	mkdir -m 0700 "$KEYHOME"
	gpg --homedir "$KEYHOME" --batch --quiet --passphrase '' \
	    --quick-gen-key 'ferry bench <bench@ferry.test>' ed25519 sign 5y \
	    2>/dev/null
	gpg --homedir "$KEYHOME" --batch --export >"$W/pinned.gpg.tmp"
	mv "$W/pinned.gpg.tmp" "$W/pinned.gpg"
fi
FPR=$(gpg --homedir "$KEYHOME" --batch --with-colons --list-keys 2>/dev/null |
    awk -F: '/^fpr/ { print $10; exit }')
KEYRING=$W/pinned.gpg

# ---- data ----------------------------------------------------------------
CORPUS=$ROOT/bench/.corpus
CORPUS_COMPS="caniuse:1.0.30001823:1.0.30001826 bcd:8.1.7:8.1.9
    esbuild:0.28.1:0.28.1"
cc -O2 -Wall -Wextra -o "$W/synth" bench/synth.c
cc -O2 -Wall -Wextra -o "$W/reap" bench/reap.c
synth() {	# synth MIB VERSION -> directory
	local d=$W/data/synth-$1-v$2 stamp
	stamp="$(sha256sum <"$ROOT/bench/synth.c" | cut -c1-16)"
	if [ "$(cat "$d.stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$d" "$d.stamp"
		mkdir -p "$W/data"
		"$W/synth" "$d" "$1" "$2"
		echo "$stamp" >"$d.stamp"
	fi
	echo "$d"
}
# comps SET VERSION: lines "component directory"
comps() {
	local c v v1 v2 spec
	case $1 in
	corpus)
		for spec in $CORPUS_COMPS; do
			IFS=: read -r c v1 v2 <<<"$spec"
			[ "$2" = 1 ] && v=$v1 || v=$v2
			echo "$c $v $CORPUS/tree/$c/$v/package"
		done ;;
	s40)	echo "patterns 2026.11.$((20 + $2))-1 $(synth 40 "$2")" ;;
	big)	v=$2
		[ "$BIG_ONE" = 1 ] && v=1
		echo "patterns 2026.11.$((20 + v))-1 $(synth "$BIG_MIB" "$v")" ;;
	esac
}
level_of() { [ "$1" = corpus ] && echo "$LEVEL" || echo "$BIG_LEVEL"; }
runs_of() { [ "$1" = big ] && echo "$RUNS_BIG" || echo "$RUNS"; }
items_of() {	# the items of a set that --items asked for
	local i all
	[ "$1" = s40 ] && all="3" || all="1 2 3 4 5"
	for i in $all; do
		if [[ " $ITEMS " == *" $i "* ]]; then printf '%s ' "$i"; fi
	done
}

case " $SETS " in
*" corpus "*)
	[ -d "$CORPUS/tree/esbuild/0.28.2/package" ] ||
	    bash bench/corpus.sh "$CORPUS" >/dev/null ;;
esac

# ---- facts about the machine and the run ---------------------------------
: >"$RAW"
: >"$FACTS"
: >"$LOADS"
fact run date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact run rev "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
fact run cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
fact run cores "$(nproc)"
fact run sha_ni "$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
fact run ram "$(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
fact run kernel "$(uname -r)"
fact run disk "$(df -T "$W" | awk 'NR == 2 { print $1 ", " $2 }')$(
    d=$(lsblk -no PKNAME "$(df "$W" | awk 'NR == 2 { print $1 }')" 2>/dev/null | head -1)
    [ -n "$d" ] || d=$(basename "$(df "$W" | awk 'NR == 2 { print $1 }')")
    r=$(cat "/sys/block/$d/queue/rotational" 2>/dev/null) &&
    { [ "$r" = 0 ] && echo ", non-rotational" || echo ", rotational"; })"
fact run tools "zstd $(zstd -V | grep -o 'v[0-9.]*' | head -1), $(gpg --version | head -1), $(xorriso -version 2>/dev/null | head -1 | cut -d' ' -f1-2), $(sha256sum --version | head -1)"
fact run cache "$CACHE"
fact run load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
fact run runs "$RUNS"
fact run runs_big "$RUNS_BIG"
fact run level "$LEVEL"
fact run big_level "$BIG_LEVEL"
fact run big_mib "$BIG_MIB"
fact run big_one "$BIG_ONE"
fact run sets "$SETS"
fact run items "$ITEMS"

# ---- one set ---------------------------------------------------------------
mkclient() {	# mkclient DIR SET [nohooks]: fresh client; hooks stamp into
	# DIR/../stamps (item 3's downtime); "nohooks": none (item 2: the
	# baseline it is compared with stops and starts no service)
	local c=$1 set=$2 hooks=${3:-hooks} comp v dir st
	st=$(dirname "$c")/stamps
	mkdir -p "$c/etc/ferry" "$c/var/lib/ferry" "$st"
	cp "$KEYRING" "$c/etc/ferry/trusted.gpg"
	{
		echo "[client]"
		echo "state_dir = /var/lib/ferry"
		echo "keyring = /etc/ferry/trusted.gpg"
		echo "trust = $FPR"
		comps "$set" 1 | while read -r comp v dir; do
			echo "[component $comp]"
			echo "path = /opt/bench/$comp"
			[ "$hooks" = nohooks ] && continue
			echo "pre_switch = date +%s%N >>$st/pre.$comp"
			echo "post_switch = date +%s%N >>$st/post.$comp"
		done
	} >"$c/etc/ferry/client.conf"
}

# stick_sectors MNT: 512-byte sectors written to the loop device so far
stick_sectors() {
	local dev
	dev=$(findmnt -n -o SOURCE "$1")
	awk '{ print $7 }' "/sys/block/$(basename "$dev")/stat"
}
# stick IMG MNT SIZE_MIB: fresh ext4 image mounted on MNT
stick() {
	rm -f "$1"
	truncate -s "${3}M" "$1"
	mkfs.ext4 -q -F -L FERRYBENCH "$1"
	mkdir -p "$2"
	mount -o loop "$1" "$2" 2>/dev/null || return 1
	MOUNTS+=("$2")
}

# aside DIR...: move out of the way (removed by bench_set at its end)
aside() {
	local d
	mkdir -p "$S/trash"
	for d in "$@"; do
		[ -e "$d" ] || continue
		mv "$d" "$S/trash/$(basename "$d").$RANDOM$RANDOM"
	done
}

bench_set() {
	local set=$1 L R i comp v dir items m n pkgs bytes
	S=$W/$set
	L=$(level_of "$set")
	R=$(runs_of "$set")
	items=$(items_of "$set")
	log "$set: data, repository (level $L), media"
	comps "$set" 1 >/dev/null
	comps "$set" 2 >/dev/null
	umount "$S/mnt" 2>/dev/null || true
	umount "$S/mnt-base" 2>/dev/null || true
	rm -rf "$S"
	mkdir -p "$S"
	cd "$S"
	fact "$set" level "$L"
	fact "$set" runs "$R"
	fact "$set" v1_bytes "$(comps "$set" 1 | while read -r comp v dir; do
	    du -sb "$dir" | cut -f1; done | awk '{ s += $1 } END { print s }')"
	fact "$set" v1_files "$(comps "$set" 1 | while read -r comp v dir; do
	    find "$dir" -type f; done | wc -l)"
	"$BUILD/mkmedia" --repo repo init --publisher bench --level "$L" \
	    >/dev/null
	while read -r comp v dir; do
		tm "$set" setup.add1 0 "$BUILD/mkmedia" --repo repo add \
		    "$comp" "$v" "$dir"
	done < <(comps "$set" 1)
	"$BUILD/mkmedia" --repo repo build --out med1 --sign-key "$FPR" \
	    --gnupghome "$KEYHOME" >/dev/null
	# item 5, first write of the stick (v1)
	m=$(du -sm med1 | cut -f1)
	have_stick=0
	if [[ " $items " == *" 5 "* ]] &&
	    stick "$S/stick.img" "$S/mnt" $((m * 3 + 64)) &&
	    stick "$S/stick-base.img" "$S/mnt-base" $((m * 3 + 64)); then
		have_stick=1
		"$BUILD/mkmedia" --repo repo build --out mnt --sign-key "$FPR" \
		    --gnupghome "$KEYHOME" >/dev/null
		cp -r med1/. mnt-base/
		sync -f mnt-base
	fi
	# (a component whose version 2 is its version 1 does not change)
	while read -r comp v dir; do
		comps "$set" 1 | grep -qx "$comp $v $dir" ||
		    tm "$set" setup.add2 0 "$BUILD/mkmedia" --repo repo add \
		    "$comp" "$v" "$dir"
	done < <(comps "$set" 2)
	tm "$set" setup.build2 0 "$BUILD/mkmedia" --repo repo build --out med2 \
	    --sign-key "$FPR" --gnupghome "$KEYHOME"
	fact "$set" medium2_bytes "$(du -sb med2/ferry | cut -f1)"
	fact "$set" medium2_files "$(find med2/ferry -type f | wc -l)"
	if [ "$have_stick" = 1 ]; then
		log "$set: item 5, incremental stick rewrite"
		n=$(stick_sectors mnt)
		"$BUILD/mkmedia" --repo repo build --out mnt --sign-key "$FPR" \
		    --gnupghome "$KEYHOME" >"$S/stick.out"
		sync -f mnt
		fact "$set" stick_ferry_dev_bytes $((($(stick_sectors mnt) - n) * 512))
		fact "$set" stick_ferry_reported "$(sed -n 's/.*: \([0-9]*\) bytes written, \([0-9]*\) bytes kept.*/\1 \2/p' "$S/stick.out")"
		n=$(stick_sectors mnt-base)
		rm -rf mnt-base/ferry mnt-base/README.txt
		cp -r med2/. mnt-base/
		sync -f mnt-base
		fact "$set" stick_base_dev_bytes $((($(stick_sectors mnt-base) - n) * 512))
		fact "$set" stick_base_files_bytes "$(du -sb --apparent-size med2 | cut -f1)"
		"$BUILD/verifymedia" --trust "$FPR" --keyring "$KEYRING" mnt \
		    >/dev/null || die "stick does not verify"
		umount mnt mnt-base
		MOUNTS=()
		rm -f stick.img stick-base.img
	fi
	# the newest base package of every component (what a fresh client
	# installs), for the apply baseline
	pkgs=$(comps "$set" 2 | while read -r comp v dir; do
	    (cd med2/ferry && ls pkg/"$comp"/"$comp-$v"-base-*.tar.zst); done)
	fact "$set" apply_pkgs "$(echo $pkgs)"
	# warm: read both media once
	cat med1/ferry/pkg/*/* med2/ferry/pkg/*/* >/dev/null

	for i in $(seq 1 "$R"); do
		log "$set: run $i/$R"
		if [[ " $items " == *" 1 "* ]]; then
			# the first run on a machine builds the GnuPG home
			# (an import); every later run finds it
			rm -rf "$XDG_CACHE_HOME/ferry"
			tm "$set" verify.ferry1st "$i" "$BUILD/verifymedia" \
			    --trust "$FPR" --keyring "$KEYRING" med2
			tm "$set" verify.ferry "$i" "$BUILD/verifymedia" \
			    --trust "$FPR" --keyring "$KEYRING" med2
			tm "$set" verify.base "$i" "${BASE[@]}" verify med2/ferry \
			    "$KEYRING"
		fi
		if [[ " $items " == *" 2 "* ]]; then
			aside cl dest stamps
			mkclient "$S/cl" "$set" nohooks
			tm "$set" apply.ferry "$i" "$BUILD/applymedia" --root \
			    "$S/cl" apply med2
			# shellcheck disable=SC2086
			tm "$set" apply.base "$i" "${BASE[@]}" apply med2/ferry dest \
			    $pkgs
			if [ "$i" = 1 ]; then
				# same bytes out: the first component's tree
				comp=$(comps "$set" 2 | head -1 | cut -d' ' -f1)
				diff -r "cl/opt/bench/$comp/" dest/1/ >/dev/null ||
				    die "$set: ferry and baseline trees differ"
			fi
			aside cl dest
		fi
		if [[ " $items " == *" 3 "* ]]; then
			# a client at version 1 (a copy would not do: the
			# application paths are absolute links)
			aside cl stamps
			mkclient "$S/cl" "$set"
			"$BUILD/applymedia" --root "$S/cl" apply med1 >/dev/null
			rm -rf stamps
			mkdir stamps
			cat med2/ferry/pkg/*/* >/dev/null
			tm "$set" update.ferry "$i" "$BUILD/applymedia" --root \
			    "$S/cl" apply med2
			while read -r comp v dir; do
				comps "$set" 1 | grep -qx "$comp $v $dir" &&
				    continue	# unchanged: no switch
				[ -s "stamps/pre.$comp" ] ||
				    die "$set: no pre_switch stamp for $comp"
				printf '%s\tdowntime.%s\t%s\t%s\t0\t0\t0\n' "$set" \
				    "$comp" "$i" "$(paste "stamps/pre.$comp" \
				    "stamps/post.$comp" | awk '{ printf "%.4f", ($2 - $1) / 1e9 }')" \
				    >>"$RAW"
			done < <(comps "$set" 2)
			aside cl stamps
		fi
		if [[ " $items " == *" 4 "* ]]; then
			rm -rf b bb bb.iso
			"$BUILD/mkmedia" --repo b/repo init --publisher bench \
			    --level "$L" >/dev/null
			while read -r comp v dir; do
				tm "$set" build.ferry.add "$i" "$BUILD/mkmedia" \
				    --repo b/repo add "$comp" "$v" "$dir"
			done < <(comps "$set" 1)
			tm "$set" build.ferry.out "$i" "$BUILD/mkmedia" --repo \
			    b/repo build --out b/med --sign-key "$FPR" \
			    --gnupghome "$KEYHOME"
			tm "$set" build.ferry.iso "$i" "$BUILD/mkmedia" --repo \
			    b/repo build --iso b/med.iso --sign-key "$FPR" \
			    --gnupghome "$KEYHOME"
			# shellcheck disable=SC2046
			tm "$set" build.base.out "$i" "${BASE[@]}" build bb "$L" \
			    "$KEYHOME" "$FPR" $(comps "$set" 1 |
			    awk '{ print $1 "=" $3 }')
			tm "$set" build.base.iso "$i" "${BASE[@]}" iso bb.iso bb \
			    FERRY
			[ "$i" = 1 ] && fact "$set" build_sizes "$(du -sb b/med/ferry | cut -f1) $(du -sb bb/ferry | cut -f1)"
			rm -rf b bb bb.iso
		fi
	done
	cd "$ROOT"
	rm -rf "$S"
}
BASE=(bash "$ROOT/bench/baseline.sh")

for set in $SETS; do
	bench_set "$set"
done
fact run load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/e2e_report.py "$RAW" "$FACTS" >"$OUT/e2e.md"
log "report: bench/out/e2e.md"
