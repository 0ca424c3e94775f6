#!/usr/bin/env python3
"""`make gdb-check`: gdb can still stop in the populate path and read it, so debugging cannot rot.

Runs scripts/gdb.sh in batch mode on one suite: stops at __mm_populate() during one test case,
reads the backtrace, the vma being populated and its pte before and after population, continues
to the end and reads the suite's KTAP result. Each check is one test: prints "ok"/"FAIL" per check,
then "== gdb-check: N passed, N failed". The gdb session's whole output is kept in LOG.
"""
import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
LOG = os.path.join(BUILD, 'gdb', 'check.log')
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


def main():
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    env = dict(os.environ, SUITE=SUITE, TEST='', GDB_TIMEOUT=TIMEOUT)
    argv = [os.path.join(TOP, 'scripts', 'gdb.sh'), '--batch']
    for c in COMMANDS:
        argv += ['-ex', c]
    start = time.time()
    with open(LOG, 'w') as log:
        rc = subprocess.call(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT)
    wall = time.time() - start
    with open(LOG, errors='replace') as f:
        out = f.read()
    passed = failed = 0
    for name, ok in checks(out):
        print(('ok   ' if ok else 'FAIL ') + name)
        passed += bool(ok)
        failed += not ok
    if rc == 124:
        print(f'gdb timed out after {TIMEOUT} s (GDB_TIMEOUT=)')
    if failed:
        print(f'--- the end of {os.path.relpath(LOG)}:\n' + '\n'.join(out.splitlines()[-25:]))
    print(f'== gdb-check: {passed} passed, {failed} failed in {wall:.0f} s; log: {os.path.relpath(LOG)}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
