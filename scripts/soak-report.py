#!/usr/bin/env python3
"""make soak's report: from the boots run-soak.sh kept in OUT (<i>.json, kunit.py's results;
<i>.verdict.json, check-log.py's verdict), how often each test failed, and the boots that failed
without a failing test (a splat, a hang, a crash). Ends with "== soak: N passed, N failed" (test
runs). --json writes the part's result as results.py reads it: one case a test (fail when it
failed or was missing in any boot), and one a boot that failed without a failing test (broken when
it gave no verdict: no result, a hang; fail on a splat)."""
import argparse
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402


def cases(group):
    """(suite.test, status) for every test case in kunit.py's JSON group, nested or not."""
    name = group.get('name', '')
    for case in group.get('test_cases', []):
        yield f"{name}.{case['name']}", case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def soak(out, n):
    """Per test, the boots it failed in and how often it ran; and the boots' own failures."""
    runs = collections.Counter()
    skips = collections.Counter()
    failed_in = collections.defaultdict(list)
    boot_failures = []
    for i in range(1, n + 1):
        boot = load(os.path.join(out, f'{i}.json'))
        verdict = load(os.path.join(out, f'{i}.verdict.json')) or {}
        failing = False
        for test, status in cases(boot or {}):
            runs[test] += 1
            if status == 'SKIP':
                skips[test] += 1
            elif status != 'PASS':
                failed_in[test].append(i)
                failing = True
        reasons = []
        if boot is None:
            reasons.append('no result from kunit.py')
        reasons += [f'splat: {s}' for s in verdict.get('splats', [])[:3]]
        if verdict.get('timed_out'):
            reasons.append('hang: the kernel did not finish before the timeout')
        if reasons and not failing:
            boot_failures.append((i, reasons))
    return runs, skips, failed_in, boot_failures


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('out', help="run-soak.sh's output directory")
    p.add_argument('n', type=int, help='how many boots it ran')
    p.add_argument('--load', default='0', help='1 if every host core was kept busy')
    p.add_argument('--wall', type=int, help='seconds the boots took')
    p.add_argument('--json', help="also write the part's result here")
    a = p.parse_args(argv)
    runs, skips, failed_in, boot_failures = soak(a.out, a.n)
    load = 'every host core busy' if a.load == '1' else 'no load'
    wall = f', {a.wall} s' if a.wall is not None else ''
    print(f'\n== soak: {a.n} boots, {len(runs)} tests, {load}{wall}')
    for test in sorted(failed_in):
        boots = failed_in[test]
        kind = 'failing' if len(boots) == runs[test] else 'flaky'
        print(f'{kind}: {test} failed {len(boots)} of {runs[test]}'
              f" (boots {', '.join(map(str, boots))}; logs {a.out}/<boot>.log)")
    for i, reasons in boot_failures:
        print(f"boot {i} failed: {'; '.join(reasons)} (log {a.out}/{i}.log)")
    missing = sorted(t for t in runs if runs[t] < a.n)
    for test in missing:
        print(f'missing: {test} ran in {runs[test]} of {a.n} boots')
    if not failed_in and not boot_failures and not missing:
        print('no test failed in any boot')
    if skips:
        print(f'skipped: {sum(skips.values())} test runs ({len(skips)} tests)')
    failed = sum(len(b) for b in failed_in.values()) + len(boot_failures) + len(missing)
    passed = sum(runs.values()) - sum(skips.values()) - sum(len(b) for b in failed_in.values())
    print(f'== soak: {passed} passed, {failed} failed')
    if a.json:
        tests = []
        for test in sorted(runs):
            if test in failed_in or runs[test] < a.n:
                tests.append((test, 'fail', f'failed in boots {failed_in.get(test, [])}, '
                              f'ran in {runs[test]} of {a.n}'))
            else:
                tests.append((test, 'skip' if skips[test] == runs[test] else 'ok', ''))
        for i, reasons in boot_failures:
            # No verdict (no result, a hang) is broken; a splat is a failure the kernel found.
            broken = not any(r.startswith('splat: ') for r in reasons)
            tests.append((f'boot {i}', 'broken' if broken else 'fail', '; '.join(reasons)))
        if not runs and not boot_failures:
            tests.append(('soak', 'broken', 'no test ran in any boot'))
        results.write_script_result(a.json, tests, boots=a.n, load=a.load, wall=a.wall)
    return 1 if failed or not runs else 0


if __name__ == '__main__':
    sys.exit(main())
