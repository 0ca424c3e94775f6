"""Real logs, captured on purpose (scripts/tests/data/<case>/README says how), fed to the parsers
that read them in a run: each must be classified as what it is."""
import importlib.util
import json
import os
import unittest

from .helpers import SCRIPTS

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(SCRIPTS, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_log = load('check_log', 'check-log.py')
run_selftests = load('run_selftests', 'run-selftests.py')


def lines(case, name):
    try:
        with open(os.path.join(DATA, case, name), errors='replace') as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def judge(case, status=1):
    """check-log.py's verdict on a captured kunit.py run (kunit.json, kunit.out, test.log)."""
    path = os.path.join(DATA, case, 'kunit.json')
    kunit = json.load(open(path)) if os.path.exists(path) else None
    return check_log.summarize(kunit, lines(case, 'kunit.out'), lines(case, 'test.log'), status)


def statuses(r):
    return {name: status for name, status, _ in r['tests']}


class CapturedLogs(unittest.TestCase):
    def test_every_case_has_its_readme(self):
        for case in os.listdir(DATA):
            with self.subTest(case=case):
                self.assertTrue(os.path.exists(os.path.join(DATA, case, 'README')))

    def test_a_kunit_py_crash_is_broken_not_failed(self):
        # kunit.py's own traceback (exec without a kernel): no JSON, no kernel log.
        self.assertIn('Traceback (most recent call last):', lines('kunit-crash', 'kunit.out'))
        r = judge('kunit-crash')
        self.assertFalse(r['ok'])
        self.assertEqual(statuses(r).get('kunit.py'), 'broken')
        self.assertEqual(r['failed'], 0)
        self.assertEqual(check_log.mutant_verdict(None), 'broken')

    def test_a_hang_is_broken_and_names_no_failing_test(self):
        # The suites' kernel, booted with kunit.py --timeout=5: killed mid-run.
        r = judge('hang')
        self.assertTrue(r['timed_out'])
        self.assertFalse(r['ok'])
        self.assertEqual(r['failed'], 0)
        self.assertIn('broken', statuses(r).values())
        self.assertEqual(check_log.mutant_verdict(r).split()[0], 'hang')

    def test_a_splat_fails_the_run_and_kills_its_mutant(self):
        r = judge('splat')
        self.assertTrue(r['splats'], 'no splat found in the captured log')
        self.assertEqual(statuses(r)['kernel_log'], 'fail')
        self.assertFalse(r['ok'])
        self.assertIn('splat', check_log.mutant_verdict(r).split())

    def test_a_killed_mutant_names_the_test_that_killed_it(self):
        with open(os.path.join(DATA, 'killed', 'README')) as f:
            killed_by = next(line.split(':', 1)[1].split() for line in f if line.startswith('Killed-by:'))
        r = judge('killed')
        self.assertFalse(r['ok'])
        self.assertGreater(r['passed'], 0)
        by = check_log.mutant_verdict(r).split()
        self.assertTrue(set(killed_by) & set(by), (killed_by, by))
        self.assertNotIn('broken', statuses(r).values())

    def test_a_clean_run_passes(self):
        r = judge('clean', status=0)
        self.assertTrue(r['ok'], r)
        self.assertGreater(r['passed'], 100)
        self.assertEqual(set(statuses(r).values()) - {'ok', 'skip'}, set())

    def test_a_boot_that_cannot_start_init_is_named(self):
        log = lines('no-init', 'console.log')
        why = run_selftests.no_user_process(log, 1)
        self.assertIsNotNone(why)
        self.assertIn('init', why)
        self.assertIsNone(run_selftests.no_user_process(['KTAP version 1'] + log, 0))
