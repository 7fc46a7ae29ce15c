#!/usr/bin/env python3
"""big_report.py FERRY_TSV PLAIN_TSV MANIFEST_TSV: the issue-19 table of
docs/BENCHMARKS.md from bench/big.sh's results.

Per client starting version (every release but the newest): the bytes its
plan reads on a medium of the newest release (the base package of the
newest, or the delta package from its release when mkmedia kept one), and
each plain tool's direct delta of the executable to the newest; then each
add's CPU time and peak RSS, and the plain tools' CPU time and peak RSS."""
import sys

ferry, plain, manifest = sys.argv[1:4]
vers, size = [], {}
for line in open(manifest):
    f = line.rstrip('\n').split('\t')
    vers.append(f[2])
    size[f[2]] = int(f[4])
new = vers[-1]
adds, base, delta = {}, {}, {}
for line in open(ferry):
    f = line.rstrip('\n').split('\t')
    if f[0] == 'add':
        adds[f[1]] = (float(f[2]), float(f[3]) + float(f[4]), int(f[5]))
    elif f[0] == 'base':
        base[f[1]] = int(f[2])
    elif f[0] == 'delta':
        delta[(f[1], f[2])] = int(f[3])
tools = {}
for line in open(plain):
    f = line.rstrip('\n').split('\t')
    tools.setdefault(f[1], {})[f[0]] = (int(f[2]), float(f[4]) + float(f[5]),
                                        int(f[6]))
names = ['zstd', 'xdelta3', 'bsdiff']
label = {'zstd': 'zstd -19 --long --patch-from', 'xdelta3': 'xdelta3 -9 -S djw',
         'bsdiff': 'bsdiff'}


def n(x):
    return f'{x:,}'


print(f'| client at | ferry plan reads | plan | '
      + ' | '.join(label[t] for t in names) + ' | best plain | ferry / best |')
print('|---|---:|---|' + '---:|' * len(names) + '---|---:|')
for v in vers[:-1]:
    d = delta.get((v, new))
    b = base[new]
    plan, how = (d, f'delta {v} -> {new}') if d is not None and d < b \
        else (b, f'base {new}')
    t = tools.get(v, {})
    best = min((t[x][0], x) for x in names if x in t) if t else None
    cells = [n(t[x][0]) if x in t else '—' for x in names]
    ratio = f'{plan / best[0]:.2f}x' if best else '—'
    print(f'| {v} | {n(plan)} | {how} | ' + ' | '.join(cells)
          + f' | {best[1] if best else "—"} | {ratio} |')
print()
print('| mkmedia add | CPU s (user+sys) | wall s | max RSS MiB | RSS target '
      '2 x (old + new) + 64 MiB |')
print('|---|---:|---:|---:|---:|')
for v in vers:
    if v not in adds:
        continue
    wall, cpu, rss = adds[v]
    tgt = '—'
    if v == new:
        old = max(size[x] for x in vers[:-1])
        tgt = f'{(2 * (old + size[new]) + (64 << 20)) / 1048576:.0f}'
    print(f'| {v}{" (4 deltas tried)" if v == new else " (base only)"} | '
          f'{cpu:.1f} | {wall:.0f} | {rss / 1024:.0f} | {tgt} |')
print()
print('| plain tool, from -> ' + new + ' | ' + ' | '.join(vers[:-1]) + ' |')
print('|---|' + '---:|' * (len(vers) - 1))
for x in names:
    print(f'| {label[x]}: CPU s / max RSS MiB | ' + ' | '.join(
        f'{tools[v][x][1]:.0f} / {tools[v][x][2] / 1024:.0f}'
        if v in tools and x in tools[v] else '—' for v in vers[:-1]) + ' |')
