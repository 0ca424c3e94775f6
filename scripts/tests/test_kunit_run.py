"""make run against the real kernel tree: a dropped config option and a hung kernel fail the run."""
import os
import shutil
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


@unittest.skipUnless(os.path.exists(KUNIT_PY), 'needs linux/ (make linux)')
class KeepConfig(TempDirTest):
    """KEEP_CONFIG=1 (the mutants): make alone, then kunit.py exec, on a tree whose Makefile logs."""

    PASSING_KERNEL = ('#!/bin/sh\necho "KTAP version 1"\necho "1..1"\necho "    KTAP version 1"\n'
                      'echo "    # Subtest: s"\necho "    1..1"\necho "    ok 1 t"\necho "ok 1 s"\n')

    def fake_tree(self, all_rule):
        # A copy: kunit.py works in the tree it finds itself in.
        shutil.copytree(os.path.dirname(KUNIT_PY), self.path('linux', 'tools', 'testing', 'kunit'),
                        ignore=shutil.ignore_patterns('__pycache__', '.kunit'))
        self.write('linux/Makefile', 'all:\n\t@echo "$@ ARCH=$(ARCH) O=$(O)" >>make.log\n' + all_rule +
                   'olddefconfig:\n\t@echo $@ >>make.log\n')
        self.write('build/.config', 'CONFIG_KUNIT=y\n')
        self.write('build/linux', self.PASSING_KERNEL)
        os.chmod(self.path('build', 'linux'), 0o755)

    def run_kunit(self, keep):
        return self.run_script('run-kunit.sh', {'LINUX_DIR': self.path('linux'), 'FRAGMENTS': '',
                                                'KUNIT_BUILD': self.path('build'),
                                                'KEEP_CONFIG': keep}, timeout=120)

    def make_log(self):
        with open(self.path('linux', 'make.log')) as f:
            return f.read().split('\n')

    def test_the_kernel_is_built_with_make_alone_then_booted(self):
        self.fake_tree('')
        r = self.run_kunit('1')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.make_log(), ['all ARCH=um O=../build', ''])
        self.assertIn('kunit.py', r.stdout)
        self.assertIn("'exec'", r.stdout)

    def test_a_build_that_fails_is_no_result_with_makes_error_shown(self):
        self.fake_tree('\t@echo "gup.c:1: error: broken"; exit 2\n')
        r = self.run_kunit('1')
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn('gup.c:1: error: broken', r.stdout)
        self.assertIn('no result from kunit.py', r.stdout)

    def test_bad_values_and_a_build_without_a_config_are_refused(self):
        self.fake_tree('')
        self.assertIn('KEEP_CONFIG=2: want 0 or 1', self.run_kunit('2').stderr)
        os.remove(self.path('build', '.config'))
        r = self.run_kunit('1')
        self.assertEqual(r.returncode, 1)
        self.assertIn('no .config to keep', r.stderr)
        self.assertFalse(os.path.exists(self.path('linux', 'make.log')))
