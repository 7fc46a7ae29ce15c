#!/usr/bin/env bash
# bench/sparse.sh [BUILD_DIR] -- issue 19's difference stream on a sparse
# binary database (bench/synth.c `sparse`: 4.5 MiB of 64-byte records, the
# second version changes about 7,400 bytes in place).  The suffix-array
# method's difference stream is then 4.5 MB of mostly zero bytes.  Prints
# a markdown table: that stream under zstd -19 (method 3, format 1), under
# bzip2 -9 (what bsdiff does), and method 4's zero runs, literal runs and literal bytes
# (format 2), method 6's gaps, literal runs and literal bytes (format 4),
# then the whole blobs next to bsdiff, xdelta3 and zstd
# --patch-from.  Byte counts only: deterministic, no timing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
TMP=$(mktemp -d /tmp/ferry-sparse.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for t in bsdiff xdelta3 zstd bzip2 python3; do
	command -v "$t" >/dev/null || { echo "sparse.sh: $t missing" >&2; exit 1; }
done
make -s O="$BUILD" "$BUILD/libformats.a" "$BUILD/libcore.a"
cc -O2 -std=gnu11 -I. -D_GNU_SOURCE -o "$BUILD/delta_bench" \
    bench/delta_bench.c "$BUILD/libformats.a" "$BUILD/libcore.a" \
    $(pkg-config --libs libzstd jansson libgcrypt libdivsufsort liblzma) \
    -lgcrypt -lunistring -lpthread
cc -O2 -o "$BUILD/synth" bench/synth.c
"$BUILD/synth" sparse "$TMP/old.db" 1
"$BUILD/synth" sparse "$TMP/new.db" 2
"$BUILD/delta_bench" bsd "$TMP/old.db" "$TMP/new.db" "$TMP/m3" 3 >/dev/null
"$BUILD/delta_bench" bsd "$TMP/old.db" "$TMP/new.db" "$TMP/m4" 4 >/dev/null
read -r m6used _ < <("$BUILD/delta_bench" bsd "$TMP/old.db" "$TMP/new.db" "$TMP/m6" 6)
bsdiff "$TMP/old.db" "$TMP/new.db" "$TMP/bsdiff"
xdelta3 -9 -S djw -e -f -s "$TMP/old.db" "$TMP/new.db" "$TMP/xd3"
zstd -q -f -19 --long=31 --patch-from="$TMP/old.db" "$TMP/new.db" -o "$TMP/zpf" 2>/dev/null
python3 - "$TMP" "$m6used" <<'PY'
import struct, subprocess, sys, os
t = sys.argv[1]
m6used = int(sys.argv[2])
m3 = open(f"{t}/m3", "rb").read()
lc, ld, lx = struct.unpack_from("<QQQ", m3, 0)
open(f"{t}/diff.zst", "wb").write(m3[24 + lc:24 + lc + ld])
subprocess.run(["zstd", "-q", "-d", "-f", f"{t}/diff.zst", "-o", f"{t}/diff"], check=True)
diff = open(f"{t}/diff", "rb").read()
bz = len(subprocess.run(["bzip2", "-9", "-c", f"{t}/diff"], stdout=subprocess.PIPE, check=True).stdout)
m4 = open(f"{t}/m4", "rb").read()
v, at = [], 0
for _ in range(6):
    x = s = 0
    while True:
        b = m4[at]; at += 1; x |= (b & 0x7f) << s; s += 7
        if b < 0x80: break
    v.append(x)
def m6_streams(p):
    # method 6 (formats/SPEC.md §7.3): dlen, then per stream n (not for
    # the extra), codec, [LZMA properties], m (not when stored), bytes
    at = 0
    def var():
        nonlocal at
        x = s = 0
        while True:
            b = p[at]; at += 1; x |= (b & 0x7f) << s; s += 7
            if b < 0x80: return x
    var()
    out = []
    for i in range(5):
        start = at
        n = var() if i < 4 else None
        c = p[at]; at += 1
        if c == 2: at += 1
        m = (n if i < 4 else len(p) - at) if c == 0 else var()
        at += m
        out.append((("stored", "zstd", "LZMA2")[c], at - start))
    return out
m6 = open(f"{t}/m6", "rb").read()
nz = sum(1 for b in diff if b)
size = lambda n: os.path.getsize(f"{t}/{n}")
print(f"Difference stream: {len(diff):,} bytes, {nz:,} of them non-zero.\n")
print("| difference stream coded as | bytes |")
print("|---|---:|")
print(f"| zstd -19 (method 3, format 1) | {ld:,} |")
print(f"| bzip2 -9 (bsdiff's coding) | {bz:,} |")
print(f"| zero runs, literal runs, literal bytes, each zstd -19 (method 4, format 2) | {v[2] + v[3] + v[4]:,} ({v[2]:,} + {v[3]:,} + {v[4]:,}) |")
if m6used == 6:
    st = m6_streams(m6)
    print(f"| gaps, literal runs, literal bytes, each stored, zstd -19 or LZMA2, the smallest (method 6, format 4; with their headers) | {st[1][1] + st[2][1] + st[3][1]:,} ({st[1][1]:,} {st[1][0]} + {st[2][1]:,} {st[2][0]} + {st[3][1]:,} {st[3][0]}) |")
print()
print("| whole delta | bytes |")
print("|---|---:|")
print(f"| ferry method 3 (payload + method byte) | {len(m3) + 1:,} |")
print(f"| ferry method 4 (payload + method byte) | {len(m4) + 1:,} |")
print(f"| ferry format 4's choice: method {m6used} (payload + method byte) | {len(m6) + 1:,} |")
print(f"| bsdiff 4.3 | {size('bsdiff'):,} |")
print(f"| xdelta3 -9 -S djw | {size('xd3'):,} |")
print(f"| zstd -19 --long --patch-from | {size('zpf'):,} |")
PY
