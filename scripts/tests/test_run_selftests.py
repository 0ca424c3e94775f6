"""scripts/run-selftests.py against fake kernels: shell scripts that print a console and exit."""
import json
import os
import stat

from .helpers import TempDirTest

# What UML 6.12 printed on an AMX host before its FP area was sized at run time.
NO_USER = """Run /init as init process
userspace - ptrace set fp regs failed, errno = 14
Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
"""


class RunSelftests(TempDirTest):
    def fake_kernel(self, console):
        kdir = self.path('build', 'kunit')
        linux = self.write('build/kunit/linux', '#!/bin/sh\ncat <<"EOF"\n' + console + 'EOF\n')
        os.chmod(linux, os.stat(linux).st_mode | stat.S_IXUSR)
        self.write('build/kunit/System.map', '0000 T setup_fail_gup_retry\n')
        self.write('build/kunit/.config', 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\n')
        self.write('build/selftests/list', 'vector_regs\npopulate_mlockall\n')
        self.write('presets', 'gup-retry retry fail_gup_retry=1,0,0,-1\n')
        return {'BUILD_DIR': self.path('build'), 'KUNIT_BUILD': kdir,
                'PRESETS': self.path('presets')}

    def run_selftests(self, env):
        return self.run_script('run-selftests.py', env=env, timeout=60)

    def result(self):
        with open(self.path('build', 'selftests', 'result.json')) as f:
            return json.load(f)

    def test_a_guest_that_cannot_start_init_is_one_failure_naming_the_cause(self):
        r = self.run_selftests(self.fake_kernel(NO_USER))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('plain: the guest could not run a user process: '
                      'userspace - ptrace set fp regs failed, errno = 14', r.stdout)
        self.assertIn('0 passed, 1 failed, 0 skipped', r.stdout)
        self.assertEqual(self.result()['failed'], 1)
        # The preset's boot is not tried: it would fail the same way.
        self.assertFalse(os.path.exists(self.path('build', 'selftests', 'gup-retry.log')))

    def test_programs_that_ran_are_counted_one_by_one(self):
        console = ('SELFTESTS-BEGIN preset=plain\n'
                   'SELFTEST vector_regs pass rc=0 time=0.1s\n'
                   'SELFTEST populate_mlockall fail rc=1 time=0.1s\n'
                   'SELFTESTS-END preset=plain\n')
        r = self.run_selftests(self.fake_kernel(console))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertNotIn('could not run a user process', r.stdout)
        # plain: one pass, one fail; gup-retry (same console): the same again.
        self.assertIn('2 passed, 2 failed, 0 skipped', r.stdout)


if __name__ == '__main__':
    import unittest
    unittest.main()
