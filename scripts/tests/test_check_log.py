"""The run verdict: kunit.py's result (its --json) plus the kernel log's splats."""
from scripts.tests.helpers import SCRIPTS, TempDirTest
import json
import os
import subprocess


def kunit_json(*statuses):
    """What kunit.py --json writes for one suite of tests a_test, b_test... with these statuses."""
    return {'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [{
        'name': 'mm_populate_mmap', 'sub_groups': [],
        'test_cases': [{'name': f'{chr(97 + i)}_test', 'status': st} for i, st in enumerate(statuses)]}]}


PASSING = kunit_json('PASS', 'PASS', 'PASS')
CLEAN_LOG = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: mm_populate_mmap
    1..3
    # a_test: faults injected: 2
    ok 1 a_test
    # b_test: faults injected: 3
    ok 2 b_test
    ok 3 c_test
ok 1 mm_populate_mmap
"""
LOCKDEP = """
======================================================
WARNING: possible circular locking dependency detected
6.12.117 #1 Not tainted
------------------------------------------------------
kunit_try_catch/42 is trying to acquire lock:
"""
# What kunit.py printed when a boot ran past --timeout=2.
HUNG = """[05:44:35] Starting KUnit Kernel (1/1)...
[05:44:35] ============================================================
Running tests with:
$ ../build/kunit/linux kunit.enable=1 mem=1G console=tty kunit_shutdown=halt
Command '['../build/kunit/linux', 'kunit.enable=1', 'mem=1G', 'console=tty', 'kunit_shutdown=halt']' timed out after 2 seconds
[05:44:37] [ERROR] Test: main: missing expected subtest!
[05:44:37] [CRASHED] 
[05:44:37] ============================================================
[05:44:37] Testing complete. Ran 1 tests: crashed: 1, errors: 1
The kernel seems to have crashed; you can decode the stack traces with:
$ scripts/decode_stacktrace.sh ../build/kunit/vmlinux ../build/kunit < ../build/kunit/test.log | tee ../build/kunit/decoded.log | tools/testing/kunit/kunit.py parse
[05:44:37] Elapsed time: 2.002s

"""


class CheckLog(TempDirTest):
    def check(self, kunit, log, status=0, kunit_out=''):
        """check-log.py on kunit.py's JSON (None: kunit.py wrote none) and a kernel log."""
        result = self.write('kunit.json', json.dumps(kunit)) if kunit else self.path('none.json')
        out = self.write('kunit.out', kunit_out)
        test_log = self.write('test.log', log)
        r = subprocess.run([os.path.join(SCRIPTS, 'check-log.py'), '--status', str(status),
                            '--repro', 'REPRO', '--json', self.path('result.json'), result, out,
                            test_log], capture_output=True, text=True)
        with open(self.path('result.json')) as f:
            r.result = json.load(f)
        return r

    def test_clean_run_passes_and_counts_injected_faults(self):
        r = self.check(PASSING, CLEAN_LOG)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn('tests:   3 passed, 0 failed, 0 skipped', r.stdout)
        self.assertIn('faults injected: 5', r.stdout)
        self.assertIn('suites:  1 (mm_populate_mmap)', r.stdout)
        self.assertIn('result:  PASS', r.stdout)

    def test_lockdep_splat_fails_a_run_whose_tests_all_passed(self):
        r = self.check(PASSING, CLEAN_LOG + LOCKDEP)
        self.assertEqual(r.returncode, 1)
        self.assertIn('WARNING: possible circular locking dependency detected', r.stdout)
        self.assertIn('result:  FAIL', r.stdout)
        self.assertIn('rerun:   REPRO', r.stdout)

    def test_each_kind_of_splat_is_named(self):
        for line in ['BUG: KASAN: slab-use-after-free in __mm_populate+0x1/0x2',
                     'BUG: sleeping function called from invalid context at mm/gup.c:1',
                     'WARNING: CPU: 0 PID: 1 at mm/gup.c:100 __get_user_pages+0x1/0x2',
                     'kernel BUG at mm/gup.c:12!', 'page dumped because: VM_BUG_ON_FOLIO(x)',
                     'INFO: task kunit_try_catch:5 blocked for more than 120 seconds.',
                     # lockdep turns itself off after this: nothing later would be checked.
                     'INFO: trying to register non-static key.']:
            with self.subTest(line=line):
                r = self.check(PASSING, CLEAN_LOG + line + '\n')
                self.assertEqual(r.returncode, 1)
                self.assertIn(line, r.stdout)

    def test_hung_kernel_fails_with_the_log_and_rerun_command(self):
        r = self.check(kunit_json('ERROR'), 'KTAP version 1\n1..1\n', status=1, kunit_out=HUNG)
        self.assertEqual(r.returncode, 1)
        self.assertIn('hang:    the kernel did not finish before the timeout', r.stdout)
        self.assertIn('log:     ' + self.path('test.log'), r.stdout)
        self.assertIn('rerun:   REPRO', r.stdout)
        # A hang without a failing test gives no verdict: broken, not failed.
        self.assertEqual(r.result['failed'], 0)
        self.assertIn(['mm_populate_mmap.a_test', 'broken', ''],
                      [[t['name'], t['status'], t['note']] for t in r.result['tests']])

    def test_failed_build_without_results_is_broken(self):
        r = self.check(None, '', status=1, kunit_out='ERROR:root:mm/gup.c:1: error: expected\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('no result from kunit.py', r.stdout)
        self.assertEqual([(t['name'], t['status']) for t in r.result['tests']],
                         [('kernel_log', 'ok'), ('kunit.py', 'broken')])

    def test_failing_test_fails(self):
        r = self.check(kunit_json('PASS', 'FAIL', 'PASS'), CLEAN_LOG, 1)
        self.assertEqual(r.returncode, 1)
        self.assertIn('tests:   2 passed, 1 failed, 0 skipped', r.stdout)
        self.assertEqual(r.result['failing'], ['mm_populate_mmap.b_test'])
        self.assertFalse(any(t['status'] == 'broken' for t in r.result['tests']))
