#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Line and branch coverage of xipmap.ko from one guest run.

    qemu/coverage.py --gcov TOOL --build DIR [--pinned FILE] [--pin]
                     [--missed FILE] CONSOLE_LOG

A kernel with GCOV_KERNEL runs xipmap.ko built with GCOV_PROFILE=y in DIR
(qemu/run.sh); at the end the guest's /init prints each .gcda file of
/sys/kernel/debug/gcov in hex between "xipmap-init: gcda PATH" and
"xipmap-init: gcda ends".  This writes those under DIR back where gcov
looks for them (next to the .gcno files of the build), runs TOOL (the
target compiler's gcov) over module/, and prints

    coverage: module/ lines 84.1% (812 of 965), branches 70.2% (...)

and one line per file.  --missed writes every line never run, as
"file:line: source", for docs/coverage.md.  --pinned FILE holds the
figures a run must reach ("lines 84.1" and "branches 70.2"): a fall of more than
SLACK (the run-to-run variation of stress's races) fails (exit 1), a rise
says to pin again; --pin prints that file for this run.
"""

import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

GCOV_FS = '/sys/kernel/debug/gcov'
# How far a run may fall below the pinned figures before it fails, in
# points: stress's six processes race in the driver, and whether a race
# lands on a path that only races reach (an ioctl changing the
# capabilities between mmap_capabilities() and mmap(), flash-nommu.c) is
# timing: three runs of the same tree gave 94.8/82.6, 94.8/82.6 and
# 94.6/81.9.  Half a point of lines is under 3 lines of 538.
SLACK = {'lines': 0.5, 'branches': 1.5}
BEGIN = 'xipmap-init: gcda '
END = 'xipmap-init: gcda ends'


def extract(log, build):
    """Write the run's .gcda files that belong under build; their count."""
    files, path, data = 0, None, None
    with open(log, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if line == END and path is not None:
                if path.startswith(build + '/'):
                    with open(path, 'wb') as out:
                        out.write(bytes(data))
                    files += 1
                path = None
            elif line.startswith(BEGIN):
                path, data = line[len(BEGIN):][len(GCOV_FS):], bytearray()
            elif path is not None and line.startswith(':'):
                data += bytes.fromhex(line[1:])
    return files


def gcov(tool, build):
    """{source path relative to build: gcov's JSON record of it}."""
    sources = {}
    gcdas = sorted(glob.glob(os.path.join(build, 'module', '*.gcda')))
    if not gcdas:
        return sources
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool, '--json-format', '--branch-probabilities',
                        '--object-directory', os.path.join(build, 'module')] + gcdas,
                       cwd=tmp, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for name in glob.glob(os.path.join(tmp, '*.gcov.json.gz')):
            with gzip.open(name, 'rt') as f:
                doc = json.load(f)
            for rec in doc['files']:
                path = os.path.relpath(os.path.join(build, rec['file']), build) \
                    if not os.path.isabs(rec['file']) else os.path.relpath(rec['file'], build)
                if not path.startswith('module/'):
                    continue
                # A header's lines appear in every object that includes it:
                # a line counts as run if any object ran it.
                have = sources.setdefault(path, {})
                for ln in rec['lines']:
                    n = ln['line_number']
                    old = have.get(n, (0, []))
                    branches = [b['count'] for b in ln.get('branches', [])]
                    if old[1] and len(old[1]) == len(branches):
                        branches = [a + b for a, b in zip(old[1], branches)]
                    elif old[1] and not branches:
                        branches = old[1]
                    have[n] = (old[0] + ln['count'], branches)
    return sources


def figures(sources):
    lines = run = branches = taken = 0
    per_file = {}
    for path, have in sorted(sources.items()):
        fl = sum(1 for _ in have)
        fr = sum(1 for c, _ in have.values() if c)
        fb = sum(len(b) for _, b in have.values())
        ft = sum(sum(1 for x in b if x) for _, b in have.values())
        per_file[path] = (fr, fl, ft, fb)
        lines, run, branches, taken = lines + fl, run + fr, branches + fb, taken + ft
    return (run, lines, taken, branches), per_file


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('log')
    ap.add_argument('--gcov', required=True)
    ap.add_argument('--build', required=True)
    ap.add_argument('--pinned')
    ap.add_argument('--pin', action='store_true')
    ap.add_argument('--missed')
    args = ap.parse_args(argv)
    build = os.path.abspath(args.build)

    for old in glob.glob(os.path.join(build, 'module', '*.gcda')):
        os.unlink(old)
    n = extract(args.log, build)
    if not n:
        print('coverage: FAIL: the run printed no gcov data of %s' % build)
        return 1
    sources = gcov(args.gcov, build)
    if not sources:
        print('coverage: FAIL: gcov found no line of module/ in %d .gcda files' % n)
        return 1
    (run, lines, taken, branches), per_file = figures(sources)
    lp, bp = pct(run, lines), pct(taken, branches)
    if args.pin:
        print('# Coverage of module/ that a run must reach (qemu/coverage.py); '
              'a fall fails the run.')
        print('lines %.1f' % (int(lp * 10) / 10.0))
        print('branches %.1f' % (int(bp * 10) / 10.0))
        return 0
    print('coverage: module/ lines %.1f%% (%d of %d), branches %.1f%% (%d of %d)' %
          (lp, run, lines, bp, taken, branches))
    for path, (fr, fl, ft, fb) in per_file.items():
        print('coverage:   %-22s lines %5.1f%% (%d of %d), branches %5.1f%% (%d of %d)' %
              (path, pct(fr, fl), fr, fl, pct(ft, fb), ft, fb))
    if args.missed:
        with open(args.missed, 'w') as out:
            for path, have in sorted(sources.items()):
                with open(os.path.join(build, path), errors='replace') as f:
                    text = f.read().split('\n')
                for ln in sorted(k for k, (c, _) in have.items() if not c):
                    out.write('%s:%d: %s\n' % (path, ln, text[ln - 1].strip()
                                               if ln <= len(text) else ''))
    rc = 0
    if args.pinned and not os.path.exists(args.pinned):
        print('coverage: FAIL: no pinned coverage in %s: read this run, then qemu/pin.sh it' %
              args.pinned)
        rc = 1
    elif args.pinned:
        want = {}
        with open(args.pinned) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and not line.startswith('#'):
                    want[parts[0]] = float(parts[1])
        for what, got in (('lines', lp), ('branches', bp)):
            if what not in want:
                print('coverage: FAIL: %s pins no %s figure' % (args.pinned, what))
                rc = 1
            elif got + 1e-9 < want[what] - SLACK[what]:
                print('coverage: FAIL: %s coverage fell to %.1f%% (pinned %.1f%% in %s, '
                      'less %.1f for the races of stress)' %
                      (what, got, want[what], args.pinned, SLACK[what]))
                rc = 1
            elif got >= want[what] + 0.1:
                print('coverage: %s rose to %.1f%% from %.1f%%: pin it (qemu/pin.sh)' %
                      (what, got, want[what]))
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
