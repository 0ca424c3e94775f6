#!/usr/bin/env python3
"""`make repro`: the retry-forever bug on kernels without the test bed's mm patches.

Boots each kernel with the guest of `make selftests` and runs the mm selftest populate_io_error
(patches/: tools/testing/selftests/mm/populate_io_error.c) alone: a loop device whose reads fail
in the block layer (fail_make_request), populated through each entry point, one test each. Prints
one table, test x kernel: what the call returned, or that it was still retrying when it was
killed, and how many reads had failed by then. Fails when a kernel does not behave as KERNELS says
it should.

KERNEL= names the series (default "6.12 6.1"; make test runs 6.12 only). 6.12's kernels are the
first two prefixes of the series that `make bisect-check` builds and keeps: stock (Debian's 6.12 and
patch 0001, which UML needs to start a user process on hosts with AMX) and fixed (the same and
patch 0002, the fix). Another series' are built by build-stock.sh: Debian's tarball, and the same
with patches/<series>/ (the fix backported, and for 6.1 631426ba1d45 before it).
"""
import importlib.util
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
PROGRAM = 'populate_io_error'
# MADV_POPULATE_READ has a loop of its own, fixed in 6.9 by 631426ba1d45 (patches/6.1/ backports
# it); the other entry points all go through __mm_populate().
MADVISE = 'madv_populate_read'
STOCK = os.path.join(BUILD, 'stock-{}', '{}', 'linux.bin')
# name: (series, kernel binary, which calls retry without end: "populate", "madvise")
KERNELS = {
    '6.12 stock': ('6.12', os.path.join(BUILD, 'bisect', 'prefix-1', 'linux'), {'populate'}),
    '6.12 fixed': ('6.12', os.path.join(BUILD, 'bisect', 'prefix-2', 'linux'), set()),
    '6.1 stock': ('6.1', STOCK.format('6.1', 'stock'), {'populate', 'madvise'}),
    '6.1 fixed': ('6.1', STOCK.format('6.1', 'fixed'), set()),
}
RESULT = os.path.join(BUILD, 'repro', 'result.json')
# The program's own KTAP is indented below /init's "# Subtest:" header (selftests/init.sh): the
# harness's result line of each test, the line the test prints about its call, and a skip of the
# whole program (its plan "1..0 # SKIP", or /init's result line for it).
LINE = re.compile(rf'^\s+(ok|not ok) \d+ {PROGRAM}\.(\w+)')
SAID = re.compile(r'^\s+# (\w+): (.*)$')
SKIP = re.compile(rf'^\s*(1\.\.0|ok \d+ {PROGRAM}) # SKIP')


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOP, 'scripts', file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    selftests = load('run_selftests', 'run-selftests.py')
    check_log = load('check_log', 'check-log.py')
    series = (os.environ.get('KERNEL') or '6.12 6.1').split()
    known = sorted({s for s, _, _ in KERNELS.values()})
    if not series or set(series) - set(known):
        sys.exit(f"error: KERNEL={' '.join(series)}: the series are {' '.join(known)}")
    kernels = {n: k for n, k in KERNELS.items() if k[0] in series}
    if subprocess.call([os.path.join(TOP, 'scripts', 'build-selftests.sh')]):
        sys.exit('error: the guest (build-selftests.sh) did not build')
    for s in series:
        if not all(os.access(k, os.X_OK) for ks, k, _ in kernels.values() if ks == s):
            builder = ['bisect-check.sh'] if s == '6.12' else ['build-stock.sh', s]
            subprocess.call([os.path.join(TOP, 'scripts', builder[0])] + builder[1:])
    if os.path.exists(RESULT):
        os.remove(RESULT)
    rows, cols, failures, broken = {}, [], [], set()
    for name, (_, kernel, loops) in kernels.items():
        if not os.access(kernel, os.X_OK):
            sys.exit(f'error: no kernel {kernel}: its build failed (see above)')
        cols.append(name)
        log = os.path.join(selftests.ST, f'repro-{name.replace(" ", "-")}.log')
        rc, secs = selftests.boot(kernel, 'repro', [f'st_only={PROGRAM}'], log)
        with open(log, errors='replace') as f:
            lines = f.read().splitlines()
        why = selftests.no_user_process(lines, rc)
        if why:
            failures.append((name, f'the guest could not run a user process: {why}'))
            broken.add(name)
            continue
        for first, _ in check_log.splats(lines)[:3]:
            failures.append((name, f'splat: {first}'))
        skip = next((ln for ln in lines if SKIP.match(ln)), None)
        if skip:
            failures.append((name, skip))
        said = {}
        for m in filter(None, map(SAID.match, lines)):
            said.setdefault(m.group(1), m.group(2))   # the test's own line comes first
        seen = 0
        for line in lines:
            m = LINE.match(line)
            if not m:
                continue
            seen += 1
            entry = m.group(2)
            what = said.get(entry, 'no result from the call (see the log)')
            rows.setdefault(entry, {})[name] = f'{what} ({m.group(1)})'
            stuck = what.startswith('still retrying')
            want_stuck = ('madvise' if entry == MADVISE else 'populate') in loops
            if stuck != want_stuck:
                failures.append((name, f'{entry}: {what}; expected it to '
                                + ('retry without end' if want_stuck else 'return')))
            elif not stuck and m.group(1) != 'ok':
                failures.append((name, f'{entry}: {what}: the test failed (see the log)'))
        if not seen:
            failures.append((name, f'no result from {PROGRAM} (log {os.path.relpath(log)})'))
        print(f'  boot {name}: {secs:.0f} s, log {os.path.relpath(log)}')
    print('\n| entry point | ' + ' | '.join(cols) + ' |')
    print('|---|' + '---|' * len(cols))
    for entry, cells in rows.items():
        print(f'| {entry} | ' + ' | '.join(cells.get(c, '-') for c in cols) + ' |')
    for kernel, what in failures:
        print(f'  {kernel}: {what}')
    failed = len({kernel for kernel, _ in failures})
    results.write_script_result(RESULT, [
        (k, 'broken' if k in broken else 'fail' if any(f == k for f, _ in failures) else 'ok',
         '; '.join(w for f, w in failures if f == k)) for k in cols])
    print(f'\n== repro: {len(cols) - failed} passed, {failed} failed ==')
    return 1 if failures else 0


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    sys.exit(main())
