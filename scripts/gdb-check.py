#!/usr/bin/env python3
"""`make gdb-check`: gdb can still stop in the populate path and read it, so debugging cannot rot.

Two sessions. The walk-through of docs/gdb.md (its steps 3 and 4), read from that page itself: its
`make gdb SUITE= TEST=` line and every `(gdb)` line, run in batch mode, each checked against what
the walk-through says. Then the basics: scripts/gdb.sh in batch mode on one suite stops at
__mm_populate() during one test case, reads the backtrace, the vma being populated and its pte
before and after population, continues to the end and reads the suite's KTAP result. Each check is one test: prints "ok"/"FAIL" per check,
then "== gdb-check: N passed, N failed", and writes the checks to RESULT (results.py's
form). The gdb session's whole output is kept in LOG.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
LOG = os.path.join(BUILD, 'gdb', 'check.log')
WALK_LOG = os.path.join(BUILD, 'gdb', 'walkthrough.log')
RESULT = os.path.join(BUILD, 'gdb', 'result.json')
GUIDE = os.path.join(TOP, 'docs', 'gdb.md')
SUITE = 'mm_populate_mmap'
TEST = 'populate_of_anon_private_write_faults_real_anon_pages'
# gdb's own run takes ~3 s; waiting for another `make run` to release the build is not counted.
TIMEOUT = os.environ.get('GDB_TIMEOUT', '180')

COMMANDS = [
    f'pop-only {TEST}', 'pop-break populate', 'run',
    'echo @@ backtrace\\n', 'bt',
    # Without arguments both take the range of the __mm_populate() frame on the stack.
    'echo @@ vma\\n', 'pop-vmas',
    'set $start = start',
    'echo @@ pte before\\n', 'pop-pte',
    'pop-break -off populate', 'finish',
    'echo @@ pte after\\n', 'pop-pte $start',
    'echo @@ counters\\n', 'pop-counters',
    'echo @@ continue\\n', 'continue',
]


def section(out, name):
    m = re.search(rf'^@@ {name}\n(.*?)(?=^@@ |\Z)', out, re.M | re.S)
    return m.group(1) if m else ''


def checks(out):
    """(name, passed) for each check of the gdb session's output."""
    # "Breakpoint 1, __mm_populate (start=...", or "Thread 1 "vmlinux" hit Breakpoint 1, ..." when
    # the UML process has more than one host thread.
    stop = re.search(r'^(?:Thread \d+ "[^"]*" hit )?Breakpoint \d+, (?:0x\w+ in )?'
                     r'__mm_populate \(start=(?:start@entry=)?(\d+), len=(?:len@entry=)?(\d+)',
                     out, re.M)
    yield f'gdb stops at __mm_populate() during {TEST}', stop is not None
    bt = section(out, 'backtrace')
    yield (f'the backtrace has {TEST}() and vm_mmap_pgoff()',
           bool(re.search(rf'\b{TEST} \(', bt) and re.search(r'\bvm_mmap_pgoff \(', bt)))
    start, end = (int(stop.group(1)), int(stop.group(1)) + int(stop.group(2))) if stop else (-1, -1)
    vmas = [(int(a, 16), int(b, 16)) for a, b in
            re.findall(r'^vma 0x([0-9a-f]+)-0x([0-9a-f]+) ', section(out, 'vma'), re.M)]
    yield ('pop-vmas without arguments prints the vmas of the range being populated, only those',
           any(a <= start < b for a, b in vmas) and all(a < end and b > start for a, b in vmas))
    yield ('pop-pte: the first page has no pte before population, a present one after',
           'pte: none' in section(out, 'pte before') and 'present pfn' in section(out, 'pte after'))
    plan = re.search(r'^    1\.\.(\d+)$', out, re.M)
    yield (f'{SUITE} still passes under gdb (KTAP)',
           bool(plan and re.search(rf'^ok \d+ {SUITE}$', out, re.M)
                and not re.search(r'^\s*not ok ', out, re.M)
                and len(re.findall(r'^    ok \d+ ', out, re.M)) == int(plan.group(1))
                and re.search(r'^\[Inferior 1 \(process \d+\) exited normally\]', out, re.M)))


def walkthrough():
    """(suite, test, commands) of docs/gdb.md's walk-through, steps 3 and 4."""
    with open(GUIDE) as f:
        text = f.read()
    first = text.index('\n## A walk-through')
    part = text[first:text.index('\n5. ', first)]
    m = re.search(r'make gdb SUITE=(\S+) TEST=(\S+)', part)
    cmds = [c.split('#')[0].strip() for c in re.findall(r'^\s*\(gdb\) (.*)$', part, re.M)]
    return m.group(1), m.group(2), cmds


def walkthrough_checks(out):
    """(name, passed) for what the walk-through says each command shows."""
    def after(cmd, nth=1):
        parts = re.split(r'^@@ (.*)$', out, flags=re.M)
        seen = [body for name, body in zip(parts[1::2], parts[2::2]) if name == cmd]
        return seen[nth - 1] if len(seen) >= nth else ''
    yield ('walk-through: `run` stops where fail_gup_retry is injected',
           bool(re.search(r'should_fail_ex \(attr=\S+ <fail_gup_retry>', after('run'))))
    bt = after('bt')
    yield ('walk-through: `bt` goes through __should_fail_gup_retry, __mm_populate and do_mlock',
           all(re.search(rf'\b{f} \(', bt) for f in ('__should_fail_gup_retry', '__mm_populate', 'do_mlock')))
    m = re.search(r'__mm_populate \(start=(?:start@entry=)?(\d+),', bt)
    start = int(m.group(1)) if m else -1
    vmas = [(int(a, 16), int(b, 16)) for a, b in
            re.findall(r'^vma 0x([0-9a-f]+)-0x([0-9a-f]+) ', after('pop-vmas'), re.M)]
    yield ('walk-through: `pop-vmas` prints the vma being populated',
           any(a <= start < b for a, b in vmas))
    yield ('walk-through: `pop-pte` shows no pte before the retry, a present one at the unlock',
           'pte: none' in after('pop-pte', 1) and 'present pfn' in after('pop-pte', 2))
    yield ('walk-through: `pop-counters` says fail_gup_retry used its one injection (times 0)',
           bool(re.search(r'^fail_gup_retry: probability 100 interval \d+ times 0 ',
                          after('pop-counters'), re.M)))


def session(suite, test, commands, log_path):
    """gdb.sh in batch mode, "@@ <command>" before each command's output; its output."""
    env = dict(os.environ, SUITE=suite, TEST=test, GDB_TIMEOUT=TIMEOUT)
    argv = [os.path.join(TOP, 'scripts', 'gdb.sh'), '--batch']
    for c in commands:
        argv += ['-ex', c]
    with open(log_path, 'w') as log:
        rc = subprocess.call(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT)
    if rc == 124:
        print(f'gdb timed out after {TIMEOUT} s (GDB_TIMEOUT=)')
    with open(log_path, errors='replace') as f:
        return f.read()


def main():
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    if os.path.exists(RESULT):
        os.remove(RESULT)
    start = time.time()
    suite, test, cmds = walkthrough()
    marked = [x for c in cmds for x in (f'echo @@ {c}\\n', c)]
    walk = session(suite, test, marked, WALK_LOG)
    out = session(SUITE, '', COMMANDS, LOG)
    wall = time.time() - start
    passed = failed = 0
    cases = []
    for name, ok in list(walkthrough_checks(walk)) + list(checks(out)):
        print(('ok   ' if ok else 'FAIL ') + name)
        passed += bool(ok)
        failed += not ok
        cases.append((name, 'ok' if ok else 'fail', ''))
    results.write_script_result(RESULT, cases, wall=round(wall))
    if failed:
        print(f'--- the end of {os.path.relpath(LOG)}:\n' + '\n'.join(out.splitlines()[-25:]))
    print(f'== gdb-check: {passed} passed, {failed} failed in {wall:.0f} s; logs: '
          f'{os.path.relpath(WALK_LOG)}, {os.path.relpath(LOG)}')
    return 1 if failed else 0


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    sys.exit(main())
