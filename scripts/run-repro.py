#!/usr/bin/env python3
"""`make repro`: the retry-forever bug on kernels without the test bed's mm patches.

Boots each kernel with the guest of `make selftests` and runs selftests/populate_disk_read_error
alone: a file on the guest's ext2 disk whose data reads fail in the block layer
(fail_make_request), populated through each entry point of the series. Prints one table, entry
point x kernel: what the call returned, or that it was still retrying when it was killed, and how
many reads had failed by then. Fails when a kernel does not behave as KERNELS says it should.

The kernels are the first two prefixes of the series that `make bisect-check` builds and keeps:
stock (Debian's 6.12 and patch 0001, which UML needs to start a user process on every host) and
fixed (the same and patch 0002, the fix).
"""
import importlib.util
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
PROGRAM = 'populate_disk_read_error'
# name: (kernel binary, does __mm_populate() loop on a failing read)
KERNELS = {
    '6.12 stock': (os.path.join(BUILD, 'bisect', 'prefix-1', 'linux'), True),
    '6.12 fixed': (os.path.join(BUILD, 'bisect', 'prefix-2', 'linux'), False),
}
# The entry points that go through __mm_populate(); MADV_POPULATE_READ has its own loop, fixed in
# 6.9 (631426ba1d45).
MADVISE = 'madvise(MADV_POPULATE_READ)'
TAP = re.compile(r'^(?:populate_disk_read_error: )?(ok|not ok) \d+ (.*?): (.*)$')


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOP, 'scripts', file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    selftests = load('run_selftests', 'run-selftests.py')
    check_log = load('check_log', 'check-log.py')
    if subprocess.call([os.path.join(TOP, 'scripts', 'build-selftests.sh')]):
        sys.exit('error: the guest (build-selftests.sh) did not build')
    if not all(os.access(k, os.X_OK) for k, _ in KERNELS.values()):
        subprocess.call([os.path.join(TOP, 'scripts', 'bisect-check.sh')])
    rows, cols, failures = {}, [], []
    for name, (kernel, loops) in KERNELS.items():
        if not os.access(kernel, os.X_OK):
            sys.exit(f'error: no kernel {kernel}: make bisect-check did not build it')
        cols.append(name)
        log = os.path.join(selftests.ST, f'repro-{name.replace(" ", "-")}.log')
        rc, secs = selftests.boot(kernel, 'repro', [f'st_only={PROGRAM}'], log)
        with open(log, errors='replace') as f:
            lines = f.read().splitlines()
        why = selftests.no_user_process(lines, rc)
        if why:
            failures.append(f'{name}: the guest could not run a user process: {why}')
            continue
        for first, _ in check_log.splats(lines)[:3]:
            failures.append(f'{name}: splat: {first}')
        skip = next((ln for ln in lines if ln.startswith(PROGRAM) and 'SKIP' in ln), None)
        if skip:
            failures.append(f'{name}: {skip}')
        seen = 0
        for line in lines:
            m = TAP.match(line)
            if not m:
                continue
            seen += 1
            entry, what = m.group(2), m.group(3)
            rows.setdefault(entry, {})[name] = what
            stuck = what.startswith('still retrying')
            want_stuck = loops and entry != MADVISE
            if stuck != want_stuck:
                failures.append(f'{name}: {entry}: {what}; expected it to '
                                + ('retry without end' if want_stuck else 'return'))
            elif not stuck and m.group(1) != 'ok':
                failures.append(f'{name}: {entry}: {what}')
        if not seen:
            failures.append(f'{name}: no result from {PROGRAM} (log {os.path.relpath(log)})')
        print(f'  boot {name}: {secs:.0f} s, log {os.path.relpath(log)}')
    print('\n| entry point | ' + ' | '.join(cols) + ' |')
    print('|---|' + '---|' * len(cols))
    for entry, cells in rows.items():
        print(f'| {entry} | ' + ' | '.join(cells.get(c, '-') for c in cols) + ' |')
    for f in failures:
        print('  ' + f)
    print(f'\n== repro: {len(cols) - len({f.split(":")[0] for f in failures})} passed, '
          f'{len({f.split(":")[0] for f in failures})} failed ==')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
