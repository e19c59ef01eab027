#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs/performance.md's figures and tables, from xipmap-bench's CSVs.

    qemu/bench-report.py --docs DOCS TARGET...

Reads DOCS/performance/TARGET.csv (qemu/bench.sh writes them) and, when
there, DOCS/performance/spread-{icount,plain}-{1,2}.csv; draws
DOCS/performance/TARGET-{time,ram}.{png,svg} with gnuplot; and rewrites,
in DOCS/performance.md, every block between "<!-- bench: NAME -->" and
"<!-- /bench -->" with what NAME stands for.  No figure in those blocks is
typed by hand.  The prose outside them must hold none either.
"""

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys

KINDS = ['direct', 'direct-shared', 'xip-exec', 'copy-nand', 'copy-exec',
         'copy-private', 'xipramfs', 'ramfs', 'anon']
PHASES = ['mmap', 'read', 'write', 'exec', 'munmap']


def num(v):
    return None if v in ('', 'NA', None) else int(v)


def load(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            rows[(r['kind'], int(r['bytes']))] = r
    return rows


def size(b):
    if b >= 1 << 20:
        return '%d MiB' % (b >> 20)
    return '%d KiB' % (b >> 10)


def us(ns):
    """A time for a table: µs with three significant figures."""
    if ns is None:
        return '–'
    v = ns / 1000.0
    if v >= 100:
        return '%.0f µs' % v
    if v >= 10:
        return '%.1f µs' % v
    return '%.2f µs' % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def x(r):
    if r is None:
        return '–'
    if r >= 100:
        return '%.0f×' % r
    if r >= 10:
        return '%.1f×' % r
    return '%.2f×' % r


def touch_ns(r):
    """The time of touching every page once: reading, writing, running code."""
    t = [num(r[p + '_ns']) for p in ('read', 'write', 'exec')]
    t = [v for v in t if v is not None]
    return sum(t) if t else None


def total_ns(r):
    return num(r['mmap_ns']) + (touch_ns(r) or 0) + num(r['munmap_ns'])


class Target:
    def __init__(self, name, path):
        self.name = name
        self.rows = load(path)
        any_row = next(iter(self.rows.values()))
        self.kernel = any_row['kernel']
        self.mmu = any_row['mmu'] == '1'
        self.reps = any_row['reps']
        self.sizes = sorted({b for _, b in self.rows})
        self.kinds = [k for k in KINDS if any(k == kk for kk, _ in self.rows)]
        self.small, self.large = self.sizes[0], self.sizes[-1]

    def get(self, kind, b):
        return self.rows.get((kind, b))


def plot(t, outdir):
    """TARGET-time and TARGET-ram, PNG and SVG, with gnuplot."""
    data = os.path.join(outdir, t.name + '.dat')
    with open(data, 'w') as f:
        for k in t.kinds:
            f.write('# %s\n' % k)
            for b in t.sizes:
                r = t.get(k, b)
                if not r:
                    continue
                f.write('%d %s %s %s %s\n' % (
                    b, r['mmap_ns'], touch_ns(r) if touch_ns(r) is not None else 'NA',
                    r['munmap_ns'], r['rss_pages'] if t.mmu else r['memfree_pages']))
            f.write('\n\n')
    title = '%s (Linux %s, %s), QEMU -icount shift=0' % (
        t.name, t.kernel, 'MMU' if t.mmu else 'no MMU')
    for ext, term in (('png', 'pngcairo size 1500,520 font "sans,10"'),
                      ('svg', 'svg size 1500,520 dynamic font "sans,10"')):
        lines = ['set terminal %s' % term,
                 'set datafile missing "NA"',
                 'set logscale x 2', 'set format x "%.0b %BB"',
                 'set key top left font "sans,8"', 'set grid',
                 'set xlabel "mapping size"']
        series = lambda col: ', '.join(
            '"%s" index %d using 1:%d with linespoints title "%s"' % (data, i, col, k)
            for i, k in enumerate(t.kinds))
        g = lines + [
            'set output "%s"' % os.path.join(outdir, '%s-time.%s' % (t.name, ext)),
            'set multiplot layout 1,3 title "%s: median times (guest ns)"' % title,
            'set logscale y 10', 'set ylabel "ns"',
            'set title "mmap()"', 'plot ' + series(2),
            'set title "touching every page once"', 'plot ' + series(3),
            'set title "munmap()"', 'plot ' + series(4),
            'unset multiplot',
            'set output "%s"' % os.path.join(outdir, '%s-ram.%s' % (t.name, ext)),
            'set terminal %s' % term.replace('1500,520', '800,520'),
            'unset logscale y', 'set ylabel "pages"',
            'set title "%s: RAM a live mapping costs (%s, pages)"' % (
                title, 'Rss: MemFree moves by the per-CPU lists' if t.mmu else 'MemFree fall'),
            'plot ' + series(5),
        ]
        subprocess.run(['gnuplot'], input='\n'.join(g) + '\n', text=True, check=True)
    os.unlink(data)


def table_at(t, b):
    out = ['| kind | mmap | touch | munmap | RAM (MemFree) | %s | faults per page |' % (
        'Rss' if t.mmu else 'MmapCopy'),
        '|---|---:|---:|---:|---:|---:|---:|']
    for k in t.kinds:
        r = t.get(k, b)
        if not r:
            continue
        pages = int(r['pages'])
        faults = [num(r[f]) for f in ('faults_read', 'faults_write', 'faults_exec')]
        faults = sum(f for f in faults if f is not None)
        counted = r['rss_pages'] if t.mmu else r['mmapcopy_pages']
        out.append('| %s | %s | %s | %s | %s | %s | %s |' % (
            k, us(num(r['mmap_ns'])), us(touch_ns(r)), us(num(r['munmap_ns'])),
            r['memfree_pages'], counted, '%.2f' % (faults / pages)))
    return '\n'.join(out)


def tables(t):
    return '\n'.join([
        '%s: Linux %s, %s, %s runs per point; times are medians of guest time under '
        '`-icount shift=0`, RAM in pages of %s while the mapping lives, every page '
        'touched.' % (t.name, t.kernel, 'MMU' if t.mmu else 'no MMU', t.reps,
                      size(int(t.get(t.kinds[0], t.small)['bytes']) //
                           int(t.get(t.kinds[0], t.small)['pages']))),
        '', '**%s**' % size(t.large), '', table_at(t, t.large),
        '', '**%s**' % size(t.small), '', table_at(t, t.small),
        '', '![%s times](performance/%s-time.svg)' % (t.name, t.name),
        '', '![%s RAM](performance/%s-ram.svg)' % (t.name, t.name), ''])


def field(t, kind, b, f):
    r = t.get(kind, b)
    return num(r[f]) if r else None


def ratios(ts):
    """The ratios the document discusses, one row each, per target."""
    names = [t.name for t in ts]
    out = ['| ratio | ' + ' | '.join(names) + ' |',
           '|---|' + '---:|' * len(ts)]

    def row(label, fn):
        out.append('| %s | %s |' % (label, ' | '.join(fn(t) for t in ts)))

    def tot(t, k, b):
        r = t.get(k, b)
        return total_ns(r) if r else None

    row('copy (NAND) ÷ direct, mmap() at the largest size',
        lambda t: x(ratio(field(t, 'copy-nand', t.large, 'mmap_ns'),
                          field(t, 'direct', t.large, 'mmap_ns'))))
    row('copy (NAND) ÷ direct, mmap + read + munmap at the largest size',
        lambda t: x(ratio(tot(t, 'copy-nand', t.large), tot(t, 'direct', t.large))))
    row('RAM pages: copy (NAND) vs direct, at the largest size',
        lambda t: '%s vs %s' % (field(t, 'copy-nand', t.large, 'memfree_pages'),
                                field(t, 'direct', t.large, 'memfree_pages'))
        if t.get('copy-nand', t.large) else '– vs %s' % field(
            t, 'direct', t.large, 'memfree_pages'))
    row('RAM pages execute-in-place saves: copy-exec − xip-exec, largest size',
        lambda t: str(field(t, 'copy-exec', t.large, 'memfree_pages') -
                      field(t, 'xip-exec', t.large, 'memfree_pages'))
        if t.get('copy-exec', t.large) else '– (no copy)')
    row('direct, mmap(): largest ÷ one page',
        lambda t: x(ratio(field(t, 'direct', t.large, 'mmap_ns'),
                          field(t, 'direct', t.small, 'mmap_ns'))))
    row('direct, munmap(): largest ÷ one page',
        lambda t: x(ratio(field(t, 'direct', t.large, 'munmap_ns'),
                          field(t, 'direct', t.small, 'munmap_ns'))))
    row('copy (NAND), mmap(): largest ÷ one page',
        lambda t: x(ratio(field(t, 'copy-nand', t.large, 'mmap_ns'),
                          field(t, 'copy-nand', t.small, 'mmap_ns'))))

    def fs(t):
        rs = [ratio(tot(t, 'xipramfs', b), tot(t, 'ramfs', b)) for b in t.sizes]
        rs = [r for r in rs if r is not None]
        return '%s (%s to %s)' % (x(rs[-1]), x(min(rs)), x(max(rs))) if rs else '–'
    row('xipramfs ÷ ramfs, mmap + read + write + munmap: largest (all sizes)', fs)
    row('copy (private writable of NOR) ÷ anonymous, mmap() at the largest size',
        lambda t: x(ratio(field(t, 'copy-private', t.large, 'mmap_ns'),
                          field(t, 'anon', t.large, 'mmap_ns'))))
    row('copy ÷ anonymous, mmap + read + write + munmap at the largest size',
        lambda t: x(ratio(tot(t, 'copy-private', t.large), tot(t, 'anon', t.large))))
    for k in ('direct', 'copy-nand', 'copy-private', 'xipramfs', 'ramfs', 'anon'):
        row('%s: munmap ÷ mmap, one page / largest' % k,
            lambda t, k=k: '%s / %s' % (
                x(ratio(field(t, k, t.small, 'munmap_ns'), field(t, k, t.small, 'mmap_ns'))),
                x(ratio(field(t, k, t.large, 'munmap_ns'), field(t, k, t.large, 'mmap_ns'))))
            if t.get(k, t.large) else '–')
    return '\n'.join(out)


def paging(ts):
    """MMU demand paging against no-MMU's up-front allocation, same sizes."""
    mmu = [t for t in ts if t.mmu]
    nommu = [t for t in ts if not t.mmu and t.large == (mmu[0].large if mmu else 0)]
    if not mmu or not nommu:
        return '(needs an MMU and a no-MMU target with the same largest size)'
    m, n = mmu[0], nommu[0]
    out = ['%s against %s, anonymous memory and the NOR device (direct):' % (m.name, n.name),
           '', '| size | kind | mmap MMU ÷ no-MMU | touch MMU ÷ no-MMU | '
           'whole MMU ÷ no-MMU | faults per page (MMU) |', '|---|---|---:|---:|---:|---:|']
    for b in (m.small, m.large):
        for k in ('anon', 'direct', 'copy-private'):
            a, c = m.get(k, b), n.get(k, b)
            if not a or not c:
                continue
            faults = sum(num(a[f]) for f in ('faults_read', 'faults_write', 'faults_exec')
                         if num(a[f]) is not None)
            out.append('| %s | %s | %s | %s | %s | %.2f |' % (
                size(b), k, x(ratio(num(a['mmap_ns']), num(c['mmap_ns']))),
                x(ratio(touch_ns(a), touch_ns(c))), x(ratio(total_ns(a), total_ns(c))),
                faults / int(a['pages'])))
    return '\n'.join(out)


def spread(perf):
    """Run-to-run differences of every median, with and without -icount."""
    out = ['| QEMU | figures compared | identical | median difference | '
           'largest difference |', '|---|---:|---:|---:|---:|']
    for mode in ('icount', 'plain'):
        paths = [os.path.join(perf, 'spread-%s-%d.csv' % (mode, i)) for i in (1, 2)]
        if not all(os.path.exists(p) for p in paths):
            return '(no spread runs: qemu/bench.sh without --no-spread makes them)'
        a, b = load(paths[0]), load(paths[1])
        diffs = []
        for key in a:
            if key not in b:
                continue
            for p in PHASES:
                u, v = num(a[key][p + '_ns']), num(b[key][p + '_ns'])
                if u is None or v is None or min(u, v) == 0:
                    continue
                diffs.append(abs(u - v) / min(u, v))
        same = sum(1 for d in diffs if d == 0)
        out.append('| %s | %d | %d | %.2f%% | %.1f%% |' % (
            '`-icount shift=0`' if mode == 'icount' else 'plain TCG', len(diffs), same,
            100 * statistics.median(diffs), 100 * max(diffs)))
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--docs', required=True)
    ap.add_argument('targets', nargs='+')
    args = ap.parse_args()
    perf = os.path.join(args.docs, 'performance')
    ts = [Target(n, os.path.join(perf, n + '.csv')) for n in args.targets]
    for t in ts:
        plot(t, perf)
    blocks = {'ratios': ratios(ts), 'paging': paging(ts), 'spread': spread(perf),
              'targets': ', '.join('%s (Linux %s, %s)' % (
                  t.name, t.kernel, 'MMU' if t.mmu else 'no MMU') for t in ts)}
    for t in ts:
        blocks['tables-' + t.name] = tables(t)
    md = os.path.join(args.docs, 'performance.md')
    text = open(md).read()
    missing = []

    def fill(m):
        name = m.group(1)
        if name not in blocks:
            missing.append(name)
            return m.group(0)
        return '<!-- bench: %s -->\n%s\n<!-- /bench -->' % (name, blocks[name])
    text = re.sub(r'<!-- bench: (\S+) -->\n.*?<!-- /bench -->', fill, text, flags=re.S)
    if missing:
        sys.exit('bench-report: %s: no data for block(s) %s' % (md, ', '.join(missing)))
    open(md, 'w').write(text)
    print('bench-report: %s rewritten; plots in %s' % (md, perf))


if __name__ == '__main__':
    main()
