# Delta package format 4 on a medium (formats/SPEC.md §7.8, §12): an
# executable whose new release moves many addresses by a few bytes (a
# long, sparse difference stream) is coded as method 6, so mkmedia writes
# that delta as format 4 and the medium says format_version 4; the client
# applies it and gets exactly the release.  A text-only delta of the same
# repository stays format 3 (tests/cli/delta_format.sh).
. "$FERRY_TESTLIB/common.sh"
need_keys
python3 - <<'PY'
import random, os
r = random.Random(19)
n = 300000
a = bytearray()
ops = [b"\x48\x89\xe5", b"\xe8", b"\x55", b"\xc3", b"\x0f\x1f\x40\x00"]
while len(a) < n:
    a += r.choice(ops) + r.getrandbits(32).to_bytes(4, "little") + b"\x00" * r.randrange(4)
a = a[:n]
b = bytearray(a)
i = 64
while i + 4 < n:
    b[i] = (b[i] + 16 + r.randrange(2)) & 255
    i += 37 + r.randrange(8)
for v, d in (("8.1.0", a), ("8.1.1", b)):
    os.makedirs("rel/%s/bin" % v)
    with open("rel/%s/bin/scanengine" % v, "wb") as f:
        f.write(d)
    with open("rel/%s/version.txt" % v, "w") as f:
        f.write("engine %s\n" % v)
PY
make_repo repo --level 19
mkmedia --repo repo add engine 8.1.0 rel/8.1.0 >/dev/null
build_medium repo m1
mkmedia --repo repo add engine 8.1.1 rel/8.1.1 >/dev/null
f=$(find repo -name "*.fdelta" | head -n 1)
[ -n "$f" ] || die "no delta package in the repository"
[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 46594404 ] || die "delta package is not format 4"
build_medium repo m2
[ "$(jq .format_version m2/ferry/manifest.json)" = 4 ] || die "medium with a format-4 delta is not version 4"
make_client cl
expect_ok client cl apply m1
expect_ok client cl apply m2
out_has 'applied via delta chain 8.1.0 -> 8.1.1'
diff -r cl/opt/av/engine rel/8.1.1 || die "delta result differs from the release"
