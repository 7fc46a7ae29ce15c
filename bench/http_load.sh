#!/usr/bin/env bash
# bench/http_load.sh [BUILD_DIR] [CLIENTS] [BEFORE_BUILD [ROUNDS]] -- N
# concurrent applymedia clients (default 200) at mixed local versions
# against nginx on 127.0.0.1 (loopback only).  Every client must end at the
# newest versions.  Reports p50/p99/max wall time per client, the CPU time
# of all clients (with the gpg processes GPGME starts: bench/reap.c), the
# bytes nginx served (from its access log) and the bytes saved against
# every client downloading the bases.  With BEFORE_BUILD (another build,
# e.g. of an older revision) the same N clients run ROUNDS (3) times with
# each build, alternating, on the same medium and client templates, and a
# table compares the medians: on a shared machine only runs made side by
# side compare.  The report goes to stdout and bench/out/http_load.md
# (docs/BENCHMARKS-http.md quotes it).  Media and client templates:
#   default                  made by BUILD, served to every round;
#   FERRY_HTTP_MEDIA_BIN=DIR made by that build, served to every round (an
#                            older BEFORE_BUILD may not read today's
#                            format): the clients' fixed cost on one medium;
#   FERRY_HTTP_OWN_MEDIA=1   each build serves the medium its own mkmedia
#                            made to clients its own applymedia set up: the
#                            load test as each revision runs it end to end.
#
# Version mix, CLIENTS/5 each: fresh (nothing installed); patterns
# 2026.11.22-1 + engine 8.0.1 (one day behind); 2026.11.21-1 + 8.0.1;
# 2026.11.20-1 + 8.0.0; 2026.11.19-1 + 8.0.0.  The served medium has
# patterns 2026.11.23-1 and engine 8.0.1, built at the default level 19.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$(cd "${1:-build/rel}" && pwd)
N=${2:-200}
BEFORE=${3:+$(cd "$3" && pwd)}
ROUNDS=${4:-3}
OUT=$ROOT/bench/out
WORK=$(mktemp -d /tmp/ferry-http-bench.XXXXXX)
mkdir -p "$OUT"
# FERRY_HTTP_MEDIA_BIN: the build whose mkmedia makes the media and whose
# applymedia makes the client templates (default BUILD): an older
# BEFORE_BUILD may not read what today's mkmedia writes (delta format 2).
OWN=${FERRY_HTTP_OWN_MEDIA:-0}
if [ "$OWN" = 1 ] && [ -n "${FERRY_HTTP_MEDIA_BIN:-}" ]; then
	echo "http_load: FERRY_HTTP_OWN_MEDIA and FERRY_HTTP_MEDIA_BIN exclude each other" >&2
	exit 2
fi
MEDIA_BIN=${FERRY_HTTP_MEDIA_BIN:+$(cd "$FERRY_HTTP_MEDIA_BIN" && pwd)}
export FERRY_SRC=$ROOT FERRY_BIN=${MEDIA_BIN:-$BUILD}
export FERRY_TESTLIB=$ROOT/tests/lib
export TEST_TMP=$WORK
cd "$WORK"
cc -O2 -o "$WORK/reap" "$ROOT/bench/reap.c"
tests_keys=$WORK/keys
"$ROOT/tests/lib/mkkeys.sh" "$tests_keys" >/dev/null 2>&1
export FERRY_TEST_KEYS=$tests_keys
# shellcheck disable=SC1091
. "$FERRY_TESTLIB/common.sh"
set +e
# shellcheck disable=SC1091
. "$ROOT/tests/http/_nginx.sh"
set -e
trap '_http_cleanup; rm -rf "$WORK"' EXIT

# media_set DIR BIN: in DIR, the repository, the media mA..mD and the
# served medium (final/), all made by the build BIN, then templates DIR BIN.
media_set() {
	FERRY_BIN=$2
	mkdir -p "$1"
	cd "$1"
	echo "# building media (level 19) and the five template clients ($2)" >&2
	mkmedia --repo repo init --publisher example-av >/dev/null
	add_versions repo patterns 2026.11.19-1
	add_versions repo engine 8.0.0
	build_medium repo mA
	add_versions repo patterns 2026.11.20-1
	build_medium repo mB
	add_versions repo patterns 2026.11.21-1
	add_versions repo engine 8.0.1
	build_medium repo mC
	add_versions repo patterns 2026.11.22-1
	build_medium repo mD
	add_versions repo patterns 2026.11.23-1
	build_medium repo final
	cd "$WORK"
	templates "$1" "$2"
}
# templates DIR BIN: the five client templates in DIR, set up by the build
# BIN: t4..t1 have applied mA..mD, t0 is fresh.
templates() {
	FERRY_BIN=$2
	cd "$1"
	rm -rf t0 t1 t2 t3 t4
	make_client t4; client t4 apply mA >/dev/null
	make_client t3; client t3 apply mB >/dev/null
	make_client t2; client t2 apply mC >/dev/null
	make_client t1; client t1 apply mD >/dev/null
	make_client t0
	cd "$WORK"
}
# set_of BUILD: the folder of the media set that BUILD's rounds use
set_of() {
	if [ -n "$BEFORE" ] && [ "$1" = "$BEFORE" ]; then
		echo "$WORK/set-before"
	else
		echo "$WORK/set"
	fi
}
if [ "$OWN" = 1 ] && [ -n "$BEFORE" ]; then
	media_set "$WORK/set-before" "$BEFORE"
	media_set "$WORK/set" "$BUILD"
else
	media_set "$WORK/set" "$FERRY_BIN"
	[ -z "$BEFORE" ] || cp -a "$WORK/set" "$WORK/set-before"
fi
# Each build's clients are set up by that build (its applymedia applied
# the media that brought them to their versions), as on a client that build
# updated before: what a build keeps between runs (its verification home,
# verify/gpg_cache.c) is then in place, and the rounds measure the daily
# update, not the once-only first run after an upgrade.  With
# FERRY_HTTP_MEDIA_BIN the same media are re-applied to new templates by
# BUILD; t0 stays fresh.
if [ -n "$MEDIA_BIN" ] && [ "$MEDIA_BIN" != "$BUILD" ]; then
	echo "# the five template clients again, set up by $BUILD" >&2
	templates "$WORK/set" "$BUILD"
fi

mkdir www
NGINX_WORKERS=2 NGINX_CONNECTIONS=1024 nginx_start www
URL=$NGINX_URL/ferry/

# round BUILD: N fresh clients (copies of the templates, application links
# re-pointed) start at once; appends "wall cpu p50 p99 max" to rounds.txt
# for that build; leaves times.txt and the access log of the round.
round() {
	local b=$1 i t c l rc=0 set
	set=$(set_of "$b")
	rm -rf clients www/ferry
	cp -a "$set/final/ferry" www/ferry
	mkdir clients
	for i in $(seq 1 "$N"); do
		t=t$(( i % 5 ))
		c=clients/c$i
		cp -a "$set/$t" "$c"
		for l in "$c"/opt/av/*; do
			[ -L "$l" ] || continue
			ln -sfn "$(readlink "$l" | sed -E "s#^$WORK/set(-before)?/$t/#$WORK/$c/#")" "$l"
		done
	done
	: >"$NGINX_LOG"
	echo "# $N clients ($b) start at once against $URL" >&2
	export b N WORK URL
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o cpu.txt "$WORK/reap" bash -c '
	pids=()
	for i in $(seq 1 "$N"); do
		(
			s=$EPOCHREALTIME
			rc=0
			"$b/applymedia" --root "$WORK/clients/c$i" apply "$URL" \
			    >"clients/c$i.log" 2>&1 || rc=$?
			echo "$i $(( i % 5 )) $rc $s $EPOCHREALTIME" >"clients/c$i.time"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"' || rc=$?
	t1=$EPOCHREALTIME
	cat clients/*.time >times.txt
	fails=$(awk '$3 != 0' times.txt | wc -l)
	if [ "$rc" -ne 0 ] || [ "$fails" -ne 0 ]; then
		awk '$3 != 0 { print $1 }' times.txt | head -3 | while read -r i; do
			cat "clients/c$i.log" >&2; done
		echo "http_load: $fails of $N clients failed ($b)" >&2
		exit 1
	fi
	for i in $(seq 1 "$N"); do
		v=$(find "clients/c$i/opt/av/Bases/" -name version.txt -exec cat {} +)
		case $v in *2026.11.23-1*) ;; *)
			echo "http_load: client $i ends at '$v' ($b)" >&2; exit 1 ;; esac
	done
	awk '{ printf "%.3f\n", $5 - $4 }' times.txt | sort -n >d.txt
	printf '%s %s %s\n' "$b" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
	    "$(awk '{ printf "%.2f", $1 + $2 }' cpu.txt)" >>rounds.txt
}

: >rounds.txt
if [ -n "$BEFORE" ]; then
	for r in $(seq 1 "$ROUNDS"); do
		round "$BEFORE"
		round "$BUILD"
	done
else
	round "$BUILD"
fi
nginx_stop
cp "$NGINX_LOG" "$OUT/http_load_access.log"

base_p=$(stat -c %s set/final/ferry/pkg/patterns/patterns-2026.11.23-1-base-*.tar.zst)
base_e=$(stat -c %s set/final/ferry/pkg/engine/engine-8.0.1-base-*.tar.zst)
read -r wall cpu < <(awk -v b="$BUILD" '$1 == b { w = $2; c = $3 } END { print w, c }' rounds.txt)
# durations sorted, one per line: "seconds class"
awk '{ printf "%.3f %d\n", $5 - $4, $2 }' times.txt | sort -n >durs.txt
{
	if [ -n "$BEFORE" ]; then
		echo "| build | rounds | wall, all clients: median (each) | CPU of all clients: median (each) |"
		echo "|---|---:|---|---|"
		for b in "$BEFORE" "$BUILD"; do
			awk -v b="$b" '$1 == b { n++; w[n] = $2; c[n] = $3 }
			function med(a, n,   i, j, t) {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			END {
				ws = ""; cs = ""
				for (i = 1; i <= n; i++) { ws = ws (i > 1 ? ", " : "") w[i]; cs = cs (i > 1 ? ", " : "") c[i] }
				printf "| %s | %d | %.1f s (%s) | %.1f s (%s) |\n", b, n, med(w, n), ws, med(c, n), cs
			}' rounds.txt
		done
		echo
		echo "Rounds alternate, before first. The details below are from the last round of $BUILD."
		echo
	fi
	echo "| measure | value |"
	echo "|---|---|"
	echo "| clients | $N at once (all succeeded) |"
	echo "| wall time, all clients | $wall s |"
	echo "| CPU time, all clients (user + system, gpg included) | $cpu s |"
	awk '{ t[NR] = $1; s[$2] += $1; n[$2]++ }
	function pct(p,   k) { k = int(p * NR + 0.999999); if (k < 1) k = 1; return t[k] }
	END {
		printf "| per client p50 / p99 / max | %.2f s / %.2f s / %.2f s |\n", pct(0.5), pct(0.99), t[NR]
		split("fresh (bases),1 day behind,2 days behind,3 days + engine,4 days + engine", name, ",")
		for (c = 0; c < 5; c++) if (n[c]) printf "| mean, %s | %.2f s |\n", name[c + 1], s[c] / n[c]
	}' durs.txt
	awk -v n="$N" -v bp="$base_p" -v be="$base_e" '
	{ req++; bytes += $4; if ($2 ~ /\/pkg\//) pkg += $4; else meta += $4 }
	END {
		allbase = meta + n * (bp + be)
		printf "| requests served | %d |\n", req
		printf "| bytes served (nginx body_bytes_sent) | %d (%.2f MB): packages %d, manifest + signatures %d |\n", bytes, bytes / 1e6, pkg, meta
		printf "| if every client downloaded both bases | %d (%.2f MB) |\n", allbase, allbase / 1e6
		printf "| saved | %d bytes (%.1f %%) |\n", allbase - bytes, 100 * (allbase - bytes) / allbase
	}' "$NGINX_LOG"
	echo
	echo "| package downloaded | bytes | times |"
	echo "|---|---:|---:|"
	awk '$1 == "GET" && $2 ~ /\/pkg\// { c[$2]++ } END { for (g in c) print g, c[g] }' "$NGINX_LOG" |
	    sort | while read -r g cnt; do
		echo "| ${g##*/} | $(stat -c %s "www$g") | $cnt |"
	done
} | tee "$OUT/http_load.md"
