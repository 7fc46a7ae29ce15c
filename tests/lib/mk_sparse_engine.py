#!/usr/bin/env python3
# mk_sparse_engine.py: two releases of a synthetic executable, rel/8.1.0
# and rel/8.1.1 under the current folder (bin/scanengine + version.txt),
# whose difference moves many addresses by a few bytes: a long, sparse
# difference stream that ferry codes as delta method 6 (delta package
# format 4).  Deterministic (seed 19).  Used by tests/cli/delta_format4.sh
# and tests/compat/old_reader.sh.
import os
import random

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
