#!/usr/bin/env python3
"""delta_report.py TSV LEVEL WORKERS: the markdown summary of bench/delta.sh."""
import csv, datetime, os, statistics, subprocess, sys

tsv, level, workers = sys.argv[1], sys.argv[2], sys.argv[3]
rows = list(csv.DictReader(open(tsv), delimiter='\t'))
TOOLS = ['xdelta3-9-djw', 'bsdiff', 'zstd-19-long-patch']
ORDER = ['ferry'] + TOOLS + ['FULL-zstd-19-long']
MIB = 1024.0

def lscpu(key):
    for line in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines():
        if line.startswith(key + ':'):
            return line.split(':', 1)[1].strip()
    return '?'

def med(vals):
    vals = [float(v) for v in vals if v != '']
    return statistics.median(vals) if vals else None

def fmt(v, spec):
    return '—' if v is None else format(v, spec)

out = []
out.append('# Delta codec benchmark (bench/delta.sh)\n')
out.append('Machine: %s, %s CPUs; %s; zstd %s, xdelta3, bsdiff 4.3. Date: %s.\n' % (
    lscpu('Model name'), lscpu('CPU(s)'), os.uname().sysname + ' ' + os.uname().release,
    [w for w in subprocess.run(['zstd', '-V'], capture_output=True, text=True).stdout.split() if w.startswith('v')][0].strip(','),
    datetime.date.today().isoformat()))
out.append('Reproduce: `bench/delta.sh` (corpus from npm via bench/corpus.sh into '
           'bench/.corpus; raw rows in bench/out/delta.tsv). ferry = `delta_encode()` at '
           'level %s with %s threads; every output was compared with the real new file. '
           'One run per cell; sizes in bytes, times in seconds (wall, including reading '
           'the files), RSS = peak resident MiB. Adjacent = median over all adjacent pairs.\n'
           % (level, workers))
series = []
for r in rows:
    if r['series'] not in series:
        series.append(r['series'])
summary = []
for s in series:
    for kind in ('adjacent', 'jump'):
        rs = [r for r in rows if r['series'] == s and r['kind'] == kind]
        if not rs:
            continue
        npairs = len({(r['old'], r['new']) for r in rs})
        out.append('\n## %s, %s (%d pair%s)\n' % (s, kind, npairs, '' if npairs == 1 else 's'))
        out.append('| method | delta bytes | create s | apply s | create RSS MiB | apply RSS MiB | apply MB/s |')
        out.append('|---|---:|---:|---:|---:|---:|---:|')
        meds = {}
        for m in ORDER:
            mr = [r for r in rs if r['method'] == m]
            if not mr:
                continue
            b = med([r['bytes'] for r in mr]); cs = med([r['create_s'] for r in mr])
            a = med([r['apply_s'] for r in mr]); ck = med([r['create_kib'] for r in mr])
            ak = med([r['apply_kib'] for r in mr])
            nb = med([r['new_bytes'] for r in mr])
            rate = (nb / 1e6 / a) if a else None
            meds[m] = (b, cs, a, ck, ak)
            out.append('| %s | %s | %s | %s | %s | %s | %s |' % (
                m, fmt(b, '.0f'), fmt(cs, '.2f'), fmt(a, '.4f'),
                fmt(ck and ck / MIB, '.0f'), fmt(ak and ak / MIB, '.0f'),
                fmt(rate, '.0f') if m != 'FULL-zstd-19-long' else '—'))
        fr = [r for r in rs if r['method'] == 'ferry']
        methods = {}
        for r in fr:
            methods[r['note']] = methods.get(r['note'], 0) + 1
        lim = med([(2 * (int(r['old_bytes']) + int(r['new_bytes'])) + 64e6) / 1048576 for r in fr])
        out.append('\nferry methods chosen: %s (m1 whole zstd, m2 zstd patch-from, m3 suffix-array '
                   'streams). RSS target 2 x (old + new) + 64 MB = %.0f MiB.' % (
                       ', '.join('%s x%d' % kv for kv in sorted(methods.items())), lim))
        if any(m not in meds for m in TOOLS + ['ferry', 'FULL-zstd-19-long']):
            continue
        best = min(TOOLS, key=lambda m: meds[m][0])
        summary.append((s, kind, meds['ferry'], best, meds[best], meds['bsdiff'],
                        meds['zstd-19-long-patch'], meds['FULL-zstd-19-long'], lim))
out.append('\n## Against the targets\n')
out.append('| series | kind | ferry bytes | best tool | its bytes | ferry/best | ferry/FULL | '
           'create s ferry / zstd-19 / bsdiff | bsdiff÷ferry create | apply MB/s | RSS create/apply MiB (limit) |')
out.append('|---|---|---:|---|---:|---:|---:|---|---:|---:|---|')
for s, kind, f, best, bm, bs, zs, full, lim in summary:
    rs = [r for r in rows if r['series'] == s and r['kind'] == kind and r['method'] == 'ferry']
    nb = med([r['new_bytes'] for r in rs])
    out.append('| %s | %s | %.0f | %s | %.0f | %.2f | %.3f | %.2f / %.2f / %.2f | %.1fx | %.0f | %.0f / %.0f (%.0f) |' % (
        s, kind, f[0], best, bm[0], f[0] / bm[0], f[0] / full[0], f[1], zs[1], bs[1],
        bs[1] / f[1] if f[1] else 0, nb / 1e6 / f[2] if f[2] else 0,
        f[3] / MIB, f[4] / MIB, lim))
print('\n'.join(out))
