"""The run verdict: kunit.py's result plus the kernel log's splats."""
from scripts.tests.helpers import SCRIPTS, TempDirTest
import os
import subprocess

PASSING = '[05:40:02] Testing complete. Ran 3 tests: passed: 3\n'
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
    def check(self, kunit_out, log, status=0):
        out = self.write('kunit.out', kunit_out)
        test_log = self.write('test.log', log)
        return subprocess.run([os.path.join(SCRIPTS, 'check-log.py'), '--status', str(status),
                               '--repro', 'REPRO', out, test_log],
                              capture_output=True, text=True)

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
        r = self.check(HUNG, 'KTAP version 1\n1..1\n', status=1)
        self.assertEqual(r.returncode, 1)
        self.assertIn('hang:    the kernel did not finish before the timeout', r.stdout)
        self.assertIn('log:     ' + self.path('test.log'), r.stdout)
        self.assertIn('rerun:   REPRO', r.stdout)

    def test_failed_build_without_results_fails(self):
        r = self.check('ERROR:root:mm/gup.c:1: error: expected\n', '', status=1)
        self.assertEqual(r.returncode, 1)
        self.assertIn('no result from kunit.py', r.stdout)

    def test_failing_test_fails(self):
        r = self.check('Testing complete. Ran 3 tests: passed: 2, failed: 1\n', CLEAN_LOG, 1)
        self.assertEqual(r.returncode, 1)
        self.assertIn('tests:   2 passed, 1 failed, 0 skipped', r.stdout)
