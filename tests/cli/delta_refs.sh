# Delta package format 4 on a medium (formats/SPEC.md §7.8, §12): two
# files of a release gain the same new text (as the variants of one API
# description do); mkmedia codes the second against its old version and
# the first new file (index kind 6), writes format 4, and the medium
# declares format_version 4; the client applies the delta and gets exactly
# the release.  The same package with its reference turned to the file
# itself (signed again: the publisher's own bytes) is refused by the
# delta reader, and the client falls back to the base and says why.
. "$FERRY_TESTLIB/common.sh"
need_keys
V1=2026.11.21-1
V2=2026.11.22-1
# a.json and b.json: 4.3 MB of words each (above the solid section's 4 MiB)
python3 - "$TEST_TMP/t" "$V1" "$V2" <<'PY'
import os, random, sys
root, v1, v2 = sys.argv[1:4]
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
         "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi"]
def text(seed, n):
    r = random.Random(seed)
    out = []
    size = 0
    while size < n:
        w = r.choice(words) + str(r.randrange(100000)) + " "
        out.append(w)
        size += len(w)
    return "".join(out).encode()
a, b, x = text(1, 4500000), text(2, 4500000), text(3, 60000)
for v, extra in ((v1, b""), (v2, x)):
    d = os.path.join(root, v)
    os.makedirs(d)
    open(os.path.join(d, "a.json"), "wb").write(a + extra)
    open(os.path.join(d, "b.json"), "wb").write(b + extra)
    open(os.path.join(d, "version.txt"), "w").write(v + "\n")
PY
make_repo repo
mkmedia --repo repo add patterns "$V1" "$TEST_TMP/t/$V1" >/dev/null
build_medium repo m1
mkmedia --repo repo add patterns "$V2" "$TEST_TMP/t/$V2" >/dev/null
f=$(find repo -name "*.fdelta" | head -n 1)
[ -n "$f" ] || die "no delta package in the repository"
[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 46594404 ] || die "delta package is not format 4"
# the new text once: less than its 60,000 bytes of words coded twice
[ "$(stat -c %s "$f")" -lt 60000 ] || die "delta package of $(stat -c %s "$f") bytes: the new text is coded twice"
build_medium repo m2
[ "$(jq .format_version m2/ferry/manifest.json)" = 4 ] || die "medium with a format-4 delta is not version 4"
make_client cl
expect_ok client cl apply m1
make_client cl2
expect_ok client cl2 apply m1
expect_ok client cl apply m2
out_has "applied via delta chain $V1 -> $V2"
diff -r cl/opt/av/Bases "$TEST_TMP/t/$V2" || die "delta result differs from the release"

# The stored index (formats/SPEC.md §7.7): a.json (kind 3, the same
# path), b.json (kind 6: 2 references, old b.json and new a.json), then
# version.txt.  The new reference, 2i + 1 with i = 0 (a.json), becomes
# 2 * 1 + 1: b.json itself.
cp -a m2 h
p=$(find h/ferry/pkg -name '*.fdelta' | head -n 1)
python3 - "$p" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
assert b[:4] == b"FYD\x04", b[:4]
def leb(at):
    v = s = 0
    while True:
        v |= (b[at] & 0x7f) << s
        s += 7
        at += 1
        if not b[at - 1] & 0x80:
            return v, at
h, at = leb(4)
assert h & 1 == 0, "index not stored"
assert b[at] == 3, b[at]
_, at = leb(at + 1)
assert b[at] == 6 and b[at + 1] == 2, (b[at], b[at + 1])
_, at = leb(at + 2)
assert b[at] == 1, b[at]        # new entry 0: a.json
b[at] = 3                        # new entry 1: b.json itself
open(p, "wb").write(bytes(b))
PY
python3 "$FERRY_SRC/tests/attack/_forge.py" edit h 'pass' >/dev/null
expect_ok client cl2 apply h
err_has "patterns: delta failed \(b\.json: delta index: the reference names the file itself\); falling back to the base of $V2"
out_has "applied via base $V2"
diff -r cl2/opt/av/Bases "$TEST_TMP/t/$V2" || die "fallback result wrong"
