#!/usr/bin/env python3
"""`make test`: run every part of the project's tests and end with "N passed, N failed, N skipped".

Each part is a (name, function) pair returning (passed, failed, skipped); a part that cannot
produce counts (a build that broke, a kernel that hung, a splat) counts as one failure.
"""
import json
import os
import subprocess
import sys
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))


def kunit_suites():
    rc = subprocess.call([os.path.join(TOP, 'scripts', 'run-kunit.sh')])
    try:
        with open(os.path.join(BUILD, 'kunit', 'result.json')) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return 0, 1, 0
    # A run that failed without a failing test (splat, hang, crash) is one failure of its own.
    run_failed = 1 if (rc != 0 or not r['ok']) and r['failed'] == 0 else 0
    return r['passed'], r['failed'] + run_failed, r['skipped']


def script_tests():
    suite = unittest.defaultTestLoader.discover(os.path.join(TOP, 'scripts', 'tests'), top_level_dir=TOP)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    return result.testsRun - failed - skipped, failed, skipped


PARTS = [
    ('kunit suites', kunit_suites),
    ('scripts', script_tests),
]


def main():
    totals = [0, 0, 0]
    for name, part in PARTS:
        print(f'\n=== {name} ===', flush=True)
        counts = part()
        print(f'--- {name}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped', flush=True)
        totals = [t + c for t, c in zip(totals, counts)]
    print(f'\n{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped')
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main())
