"""make soak's report: failures per test over the boots, flaky or failing, and boots that failed
without a failing test."""
from scripts.tests.helpers import SCRIPTS, TempDirTest
import json
import os
import subprocess


def results(statuses):
    """kunit.py's --json for one boot: {suite: {test: status}}."""
    return {'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
        {'name': suite, 'sub_groups': [],
         'test_cases': [{'name': t, 'status': s} for t, s in tests.items()]}
        for suite, tests in statuses.items()]}


class SoakReportTest(TempDirTest):
    def boot(self, i, statuses, splats=(), timed_out=False):
        if statuses is not None:
            self.write(f'{i}.json', json.dumps(results(statuses)))
        self.write(f'{i}.verdict.json', json.dumps({'splats': list(splats),
                                                    'timed_out': timed_out}))

    def report(self, n):
        return subprocess.run([os.path.join(SCRIPTS, 'soak-report.py'), self.tmp, str(n)],
                              capture_output=True, text=True)

    def test_all_passing_boots_pass(self):
        for i in (1, 2, 3):
            self.boot(i, {'s': {'a': 'PASS', 'b': 'PASS', 'c': 'SKIP'}})
        r = self.report(3)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('no test failed in any boot', r.stdout)
        self.assertTrue(r.stdout.rstrip().endswith('== soak: 6 passed, 0 failed'), r.stdout)

    def test_a_test_failing_in_some_boots_is_flaky(self):
        self.boot(1, {'s': {'a': 'PASS', 'b': 'PASS'}})
        self.boot(2, {'s': {'a': 'FAIL', 'b': 'PASS'}})
        self.boot(3, {'s': {'a': 'PASS', 'b': 'ERROR'}})
        r = self.report(3)
        self.assertEqual(r.returncode, 1)
        self.assertIn('flaky: s.a failed 1 of 3 (boots 2;', r.stdout)
        self.assertIn('flaky: s.b failed 1 of 3 (boots 3;', r.stdout)
        self.assertIn('== soak: 4 passed, 2 failed', r.stdout)

    def test_a_test_failing_in_every_boot_is_failing(self):
        self.boot(1, {'s': {'a': 'FAIL'}})
        self.boot(2, {'s': {'a': 'FAIL'}})
        r = self.report(2)
        self.assertIn('failing: s.a failed 2 of 2', r.stdout)

    def test_a_splat_or_a_hang_without_a_failing_test_fails_the_boot(self):
        self.boot(1, {'s': {'a': 'PASS'}}, splats=['WARNING: at mm/gup.c:1'])
        self.boot(2, {'s': {'a': 'PASS'}}, timed_out=True)
        r = self.report(2)
        self.assertEqual(r.returncode, 1)
        self.assertIn('boot 1 failed: splat: WARNING: at mm/gup.c:1', r.stdout)
        self.assertIn('boot 2 failed: hang', r.stdout)
        self.assertIn('== soak: 2 passed, 2 failed', r.stdout)

    def test_a_boot_without_results_fails_and_its_tests_are_missing(self):
        self.boot(1, {'s': {'a': 'PASS'}})
        self.boot(2, None)
        r = self.report(2)
        self.assertEqual(r.returncode, 1)
        self.assertIn('boot 2 failed: no result from kunit.py', r.stdout)
        self.assertIn('missing: s.a ran in 1 of 2 boots', r.stdout)
