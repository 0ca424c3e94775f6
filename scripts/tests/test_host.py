"""Host checks before any work (scripts/check-host.sh, run by make deps), and make clean leaving
nothing that breaks the next run. Each host check is seen firing on faked inputs."""
import os
import subprocess

from .helpers import TOP, FakeKernelTest, TempDirTest

GOOD = {'HOST_OS': 'Linux', 'HOST_ARCH': 'x86_64', 'HOST_FREE_KB': str(100 << 20),
        'HOST_SHM_KB': str(2 << 20)}


class CheckHost(TempDirTest):
    def check(self, **facts):
        # build/ absent: a cold run, which the disk check applies to.
        env = dict(GOOD, BUILD_DIR=self.path('build'), **facts)
        return self.run_script('check-host.sh', env)

    def test_a_good_host_passes_silently(self):
        r = self.check()
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, '', ''))

    def test_each_check_fires_with_one_line(self):
        cases = {
            'HOST_OS': ('Darwin', 'this is Darwin, not Linux'),
            'HOST_ARCH': ('aarch64', 'this host is aarch64, not x86_64'),
            'HOST_FREE_KB': (str(5 << 20), '5 GB free in'),
            'HOST_SHM_KB': ('65536', '/dev/shm is 64 MB, the UML guest\'s memory is 1024 MB'),
        }
        for var, (value, says) in cases.items():
            with self.subTest(var=var):
                r = self.check(**{var: value})
                self.assertEqual(r.returncode, 1)
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertIn(says, lines[0])
                self.assertTrue(lines[0].startswith('host check: '))

    def test_the_disk_check_is_for_a_cold_run_only(self):
        os.makedirs(self.path('build'))
        self.assertEqual(self.check(HOST_FREE_KB='1').returncode, 0)

    def test_the_real_host_passes(self):
        # This machine runs the test bed: a check that fires here is wrong.
        r = self.run_script('check-host.sh', {'BUILD_DIR': os.path.join(TOP, 'build')})
        self.assertEqual(r.returncode, 0, r.stderr)


class CleanThenWorktree(FakeKernelTest):
    def test_make_clean_then_a_target_that_adds_a_worktree(self):
        self.assertEqual(self.prepare().returncode, 0)
        env = dict(self.env, BUILD_DIR=self.path('build'), MUTANTS_DIR=self.path('mutants'))
        self.write('mutants/m.patch', 'Killed-by: t\n')

        def mutants():
            # Fails later (the fake tree has no kunit.py), after linux_worktree made its worktree.
            return self.run_script('run-mutants.sh', env)
        mutants()
        self.assertTrue(os.path.isdir(self.path('build', 'mutant', 'linux')))
        r = subprocess.run(['make', '-s', '-C', TOP, 'clean', 'BUILD_DIR=' + env['BUILD_DIR'],
                            'LINUX_DIR=' + env['LINUX_DIR']], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.path('build')))
        self.assertNotIn(self.path('build', 'mutant', 'linux'), self.linux_git('worktree', 'list'))
        r = mutants()
        self.assertNotIn('already registered', r.stderr)
        self.assertTrue(os.path.isdir(self.path('build', 'mutant', 'linux')), r.stderr)
