"""make run against the real kernel tree: a dropped config option and a hung kernel fail the run."""
import os
import subprocess
import unittest

from scripts.tests.helpers import SCRIPTS, TOP, TempDirTest

LINUX = os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux'))
KUNIT_PY = os.path.join(LINUX, 'tools', 'testing', 'kunit', 'kunit.py')


@unittest.skipUnless(os.path.exists(KUNIT_PY), 'needs linux/ (make linux)')
class KunitRun(TempDirTest):
    def test_option_a_fragment_asks_for_but_kconfig_drops_is_an_error(self):
        # KASAN_HW_TAGS needs arm64 MTE: olddefconfig drops it on UML.
        fragment = self.write('dropped.config', 'CONFIG_KASAN_HW_TAGS=y\n')
        r = self.run_script('run-kunit.sh', {'KUNIT_BUILD': self.path('build'),
                                             'FRAGMENTS': 'uml ' + fragment},
                            timeout=300)
        self.assertEqual(r.returncode, 1, r.stdout)
        # kunit.py names every option it cannot find (also "is not set" ones that may be absent).
        self.assertRegex(r.stdout, r'Missing: .*CONFIG_KASAN_HW_TAGS=y')
        self.assertIn('result:  FAIL', r.stdout)

    def test_kernel_that_hangs_is_stopped_by_the_timeout_with_its_log_kept(self):
        # kunit.py's own timeout, on a "kernel" that starts its KTAP output and never ends.
        build = self.path('build')
        self.write('build/linux', '#!/bin/sh\necho "KTAP version 1"\necho "1..1"\nexec sleep 600\n')
        os.chmod(os.path.join(build, 'linux'), 0o755)
        out = self.path('kunit.out')
        with open(out, 'w') as f:
            subprocess.run(['python3', KUNIT_PY, 'exec', '--arch=um', '--build_dir=' + build,
                            '--timeout=2', '--json=' + self.path('kunit.json')], cwd=LINUX,
                           stdout=f, stderr=subprocess.STDOUT, timeout=60)
        r = subprocess.run([os.path.join(SCRIPTS, 'check-log.py'), '--status', '1',
                            '--repro', 'REPRO', self.path('kunit.json'), out,
                            os.path.join(build, 'test.log')],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn('hang:    the kernel did not finish before the timeout', r.stdout)
        self.assertIn('rerun:   REPRO', r.stdout)
        with open(os.path.join(build, 'test.log')) as f:
            self.assertIn('KTAP version 1', f.read())
