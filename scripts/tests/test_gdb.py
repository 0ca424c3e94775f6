"""scripts/gdb.sh with a stand-in gdb: the kernel command line is kunit.py's, the binary a snapshot."""
import os
import unittest

from scripts.tests.helpers import TOP, TempDirTest

LINUX = os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux'))
KUNIT_KERNEL = os.path.join(LINUX, 'tools', 'testing', 'kunit', 'kunit_kernel.py')
UML_ARGS = ['kunit.enable=1', 'mem=1G', 'console=tty', 'kunit_shutdown=halt']
EXTRA = ['ubd0r=/dev/null']   # scripts/lib.sh KUNIT_KERNEL_ARGS


@unittest.skipUnless(os.path.exists(KUNIT_KERNEL), 'needs linux/ (make linux)')
class GdbSh(TempDirTest):
    def setUp(self):
        super().setUp()
        # A gdb that prints its arguments, one a line, and a "build" with a vmlinux.
        self.write('bin/gdb', '#!/bin/sh\nfor a; do echo "$a"; done\n')
        os.chmod(self.path('bin', 'gdb'), 0o755)
        # A test lister that matches every filter (there is no real kernel to ask).
        self.write('bin/list-tests', '#!/bin/sh\necho mm_populate_mmap.any_test\n')
        os.chmod(self.path('bin', 'list-tests'), 0o755)
        self.write('build/kunit/vmlinux', 'not a kernel\n')
        os.makedirs(self.path('build', 'kunit', 'scripts'))
        self.env = {'PATH': self.path('bin') + os.pathsep + os.environ['PATH'],
                    'BUILD_DIR': self.path('build'), 'LINUX_DIR': LINUX, 'SUITE': '', 'TEST': '',
                    'LIST_TESTS': self.path('bin', 'list-tests')}

    def gdb_args(self, **env):
        r = self.run_script('gdb.sh', {**self.env, **env}, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        args = r.stdout.splitlines()
        return args[args.index('--args') + 1:]

    def test_the_kernel_command_line_is_kunit_pys_with_the_filter_glob(self):
        vmlinux = self.path('build', 'gdb', 'vmlinux')
        self.assertEqual(self.gdb_args(SUITE='mm_populate_mmap', TEST='anon*'),
                         [vmlinux] + EXTRA + ['kunit.filter_glob=mm_populate_mmap.anon*'] + UML_ARGS)
        self.assertEqual(self.gdb_args(TEST='anon*'),
                         [vmlinux] + EXTRA + ['kunit.filter_glob=*.anon*'] + UML_ARGS)
        self.assertEqual(self.gdb_args(), [vmlinux] + EXTRA + UML_ARGS)

    def test_gdb_runs_a_hard_link_of_vmlinux_with_the_lx_helpers_beside_it(self):
        self.gdb_args()
        snap, built = self.path('build', 'gdb', 'vmlinux'), self.path('build', 'kunit', 'vmlinux')
        self.assertEqual(os.stat(snap).st_ino, os.stat(built).st_ino)
        self.assertEqual(os.path.realpath(self.path('build', 'gdb', 'vmlinux-gdb.py')),
                         os.path.realpath(os.path.join(LINUX, 'scripts', 'gdb', 'vmlinux-gdb.py')))
        self.assertEqual(os.path.realpath(self.path('build', 'gdb', 'scripts')),
                         os.path.realpath(self.path('build', 'kunit', 'scripts')))

    def test_no_build_says_to_run_make_run(self):
        os.remove(self.path('build', 'kunit', 'vmlinux'))
        r = self.run_script('gdb.sh', self.env, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("run 'make run' first", r.stderr)

    def test_a_filter_that_matches_no_test_stops_before_gdb_starts(self):
        self.write('bin/list-tests', '#!/bin/sh\necho "error: no test matches" >&2\nexit 2\n')
        r = self.run_script('gdb.sh', {**self.env, 'SUITE': 'mm_populate_mmap', 'TEST': 'nosuch*'},
                            timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn('matches no test (above): no breakpoint could be hit', r.stderr)
        self.assertNotIn('--args', r.stdout)
