#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of qemu/judge on stored console logs, as kunit_tool_test.py tests
kunit's parser.

    python3 qemu/judge_test.py

qemu/judge-fixtures/live/ holds whole console logs captured from real
guests (qemu/run.sh --inject KIND --tests reloc_test on nommu-riscv64;
clean.log is a passing run of reloc_test and flash_module; checkers-*.log
are the debug targets with every checker provoked, --inject checkers).
qemu/judge-fixtures/excerpt/ holds kernel reports in the kernel's own
formats, trimmed by hand, for what no run provokes on purpose (a hung
task, a lockup, an RCU stall, the OOM killer, lockdep out of room ...):
each is spliced into clean.log's kernel-log copy (or, for kmemleak's
report, where init prints it) and must fail the judge with its class and
its own task.  Every fixture must be used by a case, and every case but
the clean ones must fail the judge.  Prints "ok N - ..." per case and
"N passed, N failed"; exits 1 if any case failed.
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'judge-fixtures')

loader = importlib.machinery.SourceFileLoader('judge', os.path.join(HERE, 'judge'))
spec = importlib.util.spec_from_loader('judge', loader)
judge = importlib.util.module_from_spec(spec)
loader.exec_module(judge)

used = set()


def fixture(path):
    used.add(path)
    with open(os.path.join(FIXTURES, path)) as f:
        return f.read()


def clean():
    return fixture('live/clean.log')


def splice(excerpt):
    """clean.log with the excerpt where the kernel (or init) would print it."""
    text = fixture('excerpt/' + excerpt)
    lines = clean().split('\n')
    marker = ('xipmap-init: kernel log follows' if text.startswith('xipmap-init:')
              else 'xipmap-init: kernel log ends')
    at = lines.index(marker)
    return '\n'.join(lines[:at] + text.rstrip('\n').split('\n') + lines[at:])


def run_judge(log, args=()):
    """(exit status, output) of the judge on the log text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'console.log')
        with open(path, 'w') as f:
            f.write(log)
        extra = []
        for a in args:
            if isinstance(a, tuple):        # ('--expected', text): a file
                name = os.path.join(tmp, a[0].strip('-'))
                with open(name, 'w') as f:
                    f.write(a[1])
                extra += [a[0], name]
            else:
                extra.append(a)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = judge.main(extra + ['--name', 'fixture', path])
    return rc, out.getvalue()


def drop(log, pattern):
    return '\n'.join(line for line in log.split('\n') if not re.search(pattern, line))


def cut_between(log, first, last):
    """The log without the lines from the one matching first to the one matching last."""
    lines, out, skipping = log.split('\n'), [], False
    for line in lines:
        if not skipping and re.search(first, line):
            skipping = True
        if not skipping:
            out.append(line)
        elif re.search(last, line):
            skipping = False
    return '\n'.join(out)


def wrapped(log):
    """The kernel-log copy as it is when the kernel's buffer wrapped: the
    oldest records, the banner among them, are gone."""
    lines = log.split('\n')
    begin = lines.index('xipmap-init: kernel log follows')
    banner = next(i for i in range(begin, len(lines)) if 'Linux version' in lines[i])
    return '\n'.join(lines[:begin + 1] + lines[banner + 40:])


def skip_one(log):
    """flash_module's third case skipped instead of passed."""
    return log.replace('# ok 3 bad_flash_size_is_refused_with_message',
                       '# ok 3 bad_flash_size_is_refused_with_message # SKIP no reason')


def announced_once():
    """Two identical refusals after one announcement: the second is not announced."""
    lines = clean().split('\n')
    at = next(i for i, x in enumerate(lines) if 'xipmap: nr_flash=0: must be' in x
              and x.startswith('<3>'))
    return '\n'.join(lines[:at + 1] + [lines[at]] + lines[at + 1:])


PIN = judge.pin(judge.parse_results([judge.parse_line(x)[1]
                                     for x in clean().split('\n')])[1])
PINNED = '\n'.join(PIN) + '\n'

# (name, log, judge arguments, exit status, patterns every one of which the
# output must match)
CASES = [
    ('clean run passes', clean(), [], 0, [r'fixture: PASS', r'^11 passed, 0 failed, 0 skipped$']),
    ('clean run matches its pinned results', clean(), [('--expected', PINNED)], 0,
     [r'fixture: PASS']),
    # Live captures (qemu/run.sh --inject ...).
    ('live: a failing test program', fixture('live/fail.log'), [], 1,
     [r'FAIL: test failed: inject_fail']),
    ('a stock kernel other than the checked one: its package before each reason',
     fixture('live/fail.log'), ['--fail-prefix', 'linux-image-6.12.120+deb12-amd64: '], 1,
     [r'^xipmap: fixture: FAIL: linux-image-6\.12\.120\+deb12-amd64: test failed: inject_fail']),
    ('live: a guest that hangs', fixture('live/hang.log'), ['--qemu-status', '124'], 1,
     [r'FAIL: guest hung: no power-off within .*hanging on purpose']),
    ('live: a WARNING', fixture('live/warn.log'), [], 1,
     [r'\(warning\): WARNING: .*xipmap_inject.* \(task init\)',
      r'kernel tainted: 4608 \(flags W']),
    ('live: kernel BUG at, then a panic', fixture('live/bug.log'), [], 1,
     [r'\(bug\): kernel BUG at .*xipmap_inject\.c:\d+! \(task init\)',
      r'\(panic\): Kernel panic - not syncing',
      r'incomplete log: init never copied the kernel log']),
    ('live: an Oops, then a panic', fixture('live/oops.log'), [], 1,
     [r'\(oops\): Oops - store .* \(task init\)', r'\(panic\): Kernel panic']),
    ('live: a module that does not load, and its message', fixture('live/loadfail.log'), [], 1,
     [r'module failed to load', r'xipmap complained \(level 3\).*flash_size=3000']),
    ('live: a module that does not unload', fixture('live/unloadfail.log'), [], 1,
     [r'module failed to unload: .*errno 11']),
    ('live: a foreign taint flag', fixture('live/taint.log'), [], 1,
     [r'kernel tainted: 4160 \(flags U besides O and E\)']),
    ('live: a test program that crashes the kernel', fixture('live/noreloc.log'), [], 1,
     [r'\(oops\): Oops - load access fault .* \(task reloc_test\)',
      r'test program reloc_test never finished', r'only 0 of 1 test programs reported']),
    # The checkers of a debug kernel, each provoked once (qemu/run.sh
    # --inject checkers on nommu-riscv64-debug): the judge names each.
    ('live: every checker of the no-MMU debug kernel, provoked, fails a run',
     fixture('live/checkers-nommu-riscv64-debug.log'), [], 1,
     [r'\(lockdep\): WARNING: possible circular locking dependency detected \(task init\)',
      r'\(ubsan\): UBSAN: shift-out-of-bounds in .*xipmap_inject\.c:\d+:\d+ \(task init\)',
      r'\(atomic-sleep\): BUG: sleeping function called from invalid context .* \(task init\)',
      r'\(slub\): BUG kmalloc-32 .*: Object already free \(task init\)',
      r'\(slub\): BUG kmalloc-32 .*: Object corrupt \(task init\)',
      r'\(kmemleak\): unreferenced object 0x[0-9a-f]+ \(size 64\): \(task init\)',
      r'checker lockdep turned itself off during the run',
      r'kernel tainted: 4640 \(flags BW besides O and E\)']),
    ('live: the same with --checkers: each checker reported',
     fixture('live/checkers-nommu-riscv64-debug.log'),
     ['--checkers', 'ubsan,atomic-sleep,slub,kmemleak,lockdep'], 0,
     [r'every checker reported: atomic-sleep 1, checker-off 1, kmemleak 1, lockdep 1, '
      r'slub 2, ubsan 1$', r'fixture: PASS']),
    ('live: every checker of the MMU debug kernel, with KASAN and KFENCE, fails a run',
     fixture('live/checkers-mmu-riscv64-debug.log'), [], 1,
     [r'\(kasan\): BUG: KASAN: double-free in slab_double_free\+.* \(task init\)',
      r'\(kasan\): BUG: KASAN: slab-out-of-bounds in slab_redzone_overwrite\+.* \(task init\)',
      r'\(kasan\): BUG: KASAN: slab-out-of-bounds in kasan_out_of_bounds\+.* \(task init\)',
      r'\(kfence\): BUG: KFENCE: use-after-free read in kfence_use_after_free\+',
      r'\(lockdep\): WARNING: possible circular locking dependency detected',
      r'\(ubsan\): UBSAN: shift-out-of-bounds', r'\(atomic-sleep\): BUG: sleeping function',
      r'\(kmemleak\): unreferenced object 0x[0-9a-f]+ \(size 64\): \(task init\)']),
    ('live: the same with --checkers: each checker reported',
     fixture('live/checkers-mmu-riscv64-debug.log'),
     ['--checkers', 'ubsan,atomic-sleep,kasan,kfence,kmemleak,lockdep'], 0,
     [r'every checker reported: atomic-sleep 1, checker-off 1, kasan 3, kfence 1, '
      r'kmemleak 2, lockdep 1, ubsan 1$', r'fixture: PASS']),
    ('live: a checker the kernel does not have is silent',
     fixture('live/checkers-nommu-riscv64-debug.log'),
     ['--checkers', 'ubsan,atomic-sleep,slub,kmemleak,lockdep,kasan'], 1,
     [r'checker kasan provoked and silent: it is not on']),
    ('live: a checker allowed but not required (CLASS?) may stay silent',
     fixture('live/checkers-nommu-riscv64-debug.log'),
     ['--checkers', 'ubsan,atomic-sleep,slub,kmemleak,lockdep,kasan?'], 0,
     [r'every checker reported: atomic-sleep 1, .*ubsan 1$', r'fixture: PASS']),
    ('live: --checkers without lockdep: lockdep going off fails the run',
     fixture('live/checkers-nommu-riscv64-debug.log'),
     ['--checkers', 'ubsan,atomic-sleep,slub,kmemleak'], 1,
     [r'\(lockdep\): WARNING: possible circular', r'checker lockdep turned itself off']),
    # Reports in the kernel's own formats (trimmed by hand).
    ('SLUB: poison overwritten', splice('slub-poison.txt'), [], 1,
     [r'\(slub\): BUG kmalloc-64 .*: Poison overwritten \(task ramfs_map\)']),
    ('SLUB: redzone overwritten', splice('slub-redzone.txt'), [], 1,
     [r'\(slub\): BUG kmalloc-32 .*: Right Redzone overwritten \(task flash_devices\)']),
    ('KASAN', splice('kasan.txt'), [], 1,
     [r'\(kasan\): BUG: KASAN: slab-out-of-bounds in xipflash_read_iter.* \(task flash_map\)']),
    ('KFENCE', splice('kfence.txt'), [], 1,
     [r'\(kfence\): BUG: KFENCE: out-of-bounds read .* \(task flash_devices\)']),
    ('lockdep: recursive locking', splice('lockdep-recursive.txt'), [], 1,
     [r'\(lockdep\): WARNING: possible recursive locking detected \(task ramfs_map\)']),
    ('lockdep: non-static key, and lockdep off', splice('lockdep-non-static-key.txt'), [], 1,
     [r'\(lockdep\): INFO: trying to register non-static key\. \(task init\)',
      r'\(checker-off\): turning off the locking correctness validator']),
    ('lockdep: inconsistent lock state', splice('lockdep-inconsistent.txt'), [], 1,
     [r'\(lockdep\): WARNING: inconsistent lock state \(task flash_states\)']),
    ('scheduling while atomic', splice('scheduling-while-atomic.txt'), [], 1,
     [r'\(atomic-sleep\): BUG: scheduling while atomic: ramfs_map/77/0x00000002 '
      r'\(task ramfs_map\)']),
    ('init says KFENCE went off during the run',
     clean().replace('xipmap-init: kernel log follows\n',
                     'xipmap-init: checker kfence off\nxipmap-init: kernel log follows\n'), [], 1,
     [r'checker kfence turned itself off during the run']),
    ('init says a kmemleak scan failed',
     clean().replace('xipmap-init: kernel log follows\n',
                     'xipmap-init: checker kmemleak off: scan failed: errno 1\n'
                     'xipmap-init: kernel log follows\n'), [], 1,
     [r'checker kmemleak turned itself off during the run']),
    ('kmemleak switched itself off', splice('kmemleak-disabled.txt'), [], 1,
     [r'\(checker-off\): kmemleak: Kernel memory leak detector disabled']),
    ('lockdep switched itself off', splice('lockdep-off.txt'), [], 1,
     [r'\(bug\): BUG: MAX_LOCKDEP_CHAIN_HLOCKS too low! \(task xipmap-conform\)',
      r'\(checker-off\): turning off the locking correctness validator']),
    ('hung task', splice('hung-task.txt'), [], 1,
     [r'\(hang\): INFO: task flash_map:71 blocked for more than 122 seconds\. '
      r'\(task flash_map\)']),
    ('RCU stall', splice('rcu-stall.txt'), [], 1,
     [r'\(hang\): rcu: INFO: rcu_preempt self-detected stall on CPU \(task xipmap-conform\)']),
    ('soft lockup', splice('soft-lockup.txt'), [], 1,
     [r'\(hang\): watchdog: BUG: soft lockup - CPU#0 stuck for 26s! \[ramfs_map:79\] '
      r'\(task ramfs_map\)']),
    ('hard lockup', splice('hard-lockup.txt'), [], 1,
     [r'\(hang\): watchdog: CPU1: Watchdog detected hard LOCKUP on cpu 1 \(task flash_states\)']),
    ('the OOM killer', splice('oom.txt'), [], 1,
     [r'\(oom\): demand_paging invoked oom-killer: .* \(task demand_paging\)',
      r'\(oom\): Out of memory: Killed process 88']),
    ('a page allocation failure', splice('page-allocation-failure.txt'), [], 1,
     [r'\(alloc-failure\): flash_devices: page allocation failure: order:11.* '
      r'\(task flash_devices\)']),
    ("xipmap's own warning, unannounced", splice('xipmap-never-closed.txt'), [], 1,
     [r'xipmap complained \(level 4\).*xipflash0: 1 mappings never closed']),
    ("xipramfs's own warning, unannounced", splice('xipramfs-warning.txt'), [], 1,
     [r'xipmap complained \(level 4\).*xipramfs: records of 2 VMAs freed unclosed']),
    ('each report names its own task', splice('two-reports.txt'), [], 1,
     [r'\(atomic-sleep\): BUG: sleeping function .* \(task flash_states\)$',
      r'\(warning\): WARNING: CPU: 0 PID: 78 at mm/nommu\.c:1234 .* \(task ramfs_map\)$']),
    # Announcements: flash_module announces its 13 refusals (clean passes).
    ('a provoked message whose announcement is missing',
     drop(clean(), r'xipmap-test: expect: personality: 2 given'), [], 1,
     [r'xipmap complained \(level 3\).*personality: 2 given for 1 devices']),
    ('an announcement is good for one message only', announced_once(), [], 1,
     [r'xipmap complained \(level 3\).*nr_flash=0: must be from 1 to 8']),
    # Reports a run expects (--allow).
    ('an allowed report and its W taint', fixture('live/warn.log'),
     ['--allow', r'WARNING: .* xipmap_inject_init'], 0, [r'fixture: PASS']),
    ('an allowed report that does not appear', clean(),
     ['--allow', r'WARNING: .* at mm/page_alloc\.c'], 1,
     [r'the expected kernel report /.*/ did not appear']),
    # Incomplete logs.
    ('no boot banner', drop(clean(), r'Linux version'), [], 1,
     [r'incomplete log: no "Linux version" line']),
    ('the kernel-log copy has no end', clean().split('xipmap-init: kernel log ends')[0], [], 1,
     [r'incomplete log: the kernel-log copy has no end marker']),
    ('the kernel log wrapped', wrapped(clean()), [], 1,
     [r'incomplete log: the kernel log wrapped']),
    ('init says the copy was truncated',
     clean().replace('xipmap-init: kernel log ends\n',
                     'xipmap-init: kernel log ends\nxipmap-init: kernel log truncated: '
                     'its copy filled the buffer\n'), [], 1,
     [r'incomplete log: kernel log truncated']),
    ('the guest stopped before its last program',
     cut_between(clean(), r'^# selftests: xipmap: flash_module',
                 r'^xipmap-init: kernel log ends'), [], 1,
     [r'only 1 of 2 test programs reported']),
    ('no taint report', drop(clean(), r'^xipmap-init: tainted'), [], 1,
     [r'init never reported /proc/sys/kernel/tainted']),
    # Pinned results.
    ('a skip the pinned results do not have', skip_one(clean()), [('--expected', PINNED)], 1,
     [r'flash_module: 1 skipped, expected 0',
      r'flash_module: new skip: bad_flash_size_is_refused_with_message']),
    ('a pass count that moved', clean(),
     [('--expected', PINNED.replace('flash_module passed=6', 'flash_module passed=7'))], 1,
     [r'flash_module: 6 passed, expected 7']),
    ('a pinned program that did not run', clean(),
     [('--expected', PINNED + 'ramfs_map passed=40 skipped=0 xfail=0\n')], 1,
     [r'ramfs_map did not run']),
]


def main():
    passed = failed = 0
    for n, (name, log, args, want_rc, patterns) in enumerate(CASES, 1):
        rc, out = run_judge(log, args)
        missing = [p for p in patterns if not re.search(p, out, re.M)]
        if rc == want_rc and not missing:
            print('ok %d - %s' % (n, name))
            passed += 1
        else:
            print('not ok %d - %s: exit %d (expected %d), missing %s' %
                  (n, name, rc, want_rc, missing))
            print('#   ' + out.rstrip('\n').replace('\n', '\n#   '))
            failed += 1
    n = len(CASES)
    for kind in ('live', 'excerpt'):
        for f in sorted(os.listdir(os.path.join(FIXTURES, kind))):
            n += 1
            if kind + '/' + f in used:
                print('ok %d - fixture %s/%s is used' % (n, kind, f))
                passed += 1
            else:
                print('not ok %d - fixture %s/%s is used by no case' % (n, kind, f))
                failed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
