"""make smp on a host where QEMU cannot run: the part is skipped with the reason, never failed."""
import os
import shutil
import subprocess

from scripts.tests.helpers import SCRIPTS, TempDirTest

SKIP = 77


class SmpSkips(TempDirTest):
    def setUp(self):
        super().setUp()
        # A kernel tree is all run-smp.sh looks for before QEMU.
        self.write('linux/tools/testing/kunit/kunit.py', '')
        self.bin = self.path('bin')
        os.makedirs(self.bin)
        for tool in ('bash', 'dirname', 'cat', 'timeout', 'sleep', 'realpath', 'mkdir', 'flock'):
            found = shutil.which(tool)
            if found:
                os.symlink(found, os.path.join(self.bin, tool))

    def run_smp(self):
        return self.run_script('run-smp.sh', {'PATH': self.bin, 'LINUX_DIR': self.path('linux'),
                                              'BUILD_DIR': self.path('build')})

    def test_no_qemu_is_skipped_with_the_package_named(self):
        r = self.run_smp()
        self.assertEqual(r.returncode, SKIP, r.stdout + r.stderr)
        self.assertIn('== smp: SKIPPED: no qemu-system-x86_64', r.stdout)
        self.assertIn('qemu-system-x86', r.stdout)

    def test_the_bench_on_qemu_without_qemu_is_skipped_too(self):
        os.makedirs(self.path('linux/.git'))
        r = self.run_script('run-bench.sh', {'PATH': self.bin, 'LINUX_DIR': self.path('linux'),
                                             'BUILD_DIR': self.path('build'), 'ENGINE': 'qemu'})
        self.assertEqual(r.returncode, SKIP, r.stdout + r.stderr)
        self.assertIn('== bench: SKIPPED: no qemu-system-x86_64', r.stdout)

    def test_qemu_that_cannot_start_a_machine_is_skipped_with_its_error(self):
        share = self.path('share')
        self.write('share/qboot.rom', '')
        qemu = self.write('bin/qemu-system-x86_64',
                          '#!/bin/sh\n[ "$1" = -L ] && { echo ' + share + '; exit 0; }\n'
                          'echo "Could not access KVM kernel module: Permission denied" >&2\n'
                          'exit 1\n')
        os.chmod(qemu, 0o755)
        r = self.run_smp()
        self.assertEqual(r.returncode, SKIP, r.stdout + r.stderr)
        self.assertIn('QEMU cannot start a machine on this host (status 1)', r.stdout)
        self.assertIn('Permission denied', r.stdout)

    def test_make_test_part_counts_the_skip_as_skipped_not_failed(self):
        os.symlink(shutil.which('python3'), os.path.join(self.bin, 'python3'))
        env = dict(os.environ, PATH=self.bin, LINUX_DIR=self.path('linux'),
                   BUILD_DIR=self.path('build'))
        r = subprocess.run([os.path.join(SCRIPTS, 'test-all.py'), 'smp'], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('== smp: SKIPPED: no qemu-system-x86_64', r.stdout)
        self.assertIn('--- smp: 0 passed, 0 failed, 1 skipped', r.stdout)
