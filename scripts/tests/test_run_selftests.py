"""scripts/run-selftests.py against captured real guest consoles (scripts/tests/data/selftests/),
replayed by a fake kernel: how each boot is classified.

The consoles, all from the test bed's UML kernel and initramfs:
  good.log     a plain boot that ran every program (make selftests), on a kernel without
               CONFIG_NET;
  no-init.log  a boot whose /init could not start (rdinit=/nonexistent);
  hang.log     a boot the host killed mid-program (its 240 s boot timeout, on a loaded machine);
  crash.log    a boot whose kernel died mid-program (the UML process got SIGSEGV from the host).
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import unittest

from .helpers import SCRIPTS, TOP, TempDirTest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'selftests')
# The runner reads the guest's KTAP with kunit.py's parser, from the kernel tree.
PARSER = os.path.join(os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux')),
                      'tools', 'testing', 'kunit', 'kunit_parser.py')


def console(name):
    with open(os.path.join(DATA, name)) as f:
        text = f.read()
    # The fake kernel prints the console only: the host's command line is the runner's to write.
    return text.split('\n', 1)[1] if text.startswith('$ ') else text


@unittest.skipUnless(os.path.exists(PARSER), f'no {PARSER}: make linux')
class RunSelftests(TempDirTest):
    def fake_kernel(self, text, presets=''):
        kdir = self.path('build', 'kunit')
        self.write('console', text)
        linux = self.write('build/kunit/linux', f'#!/bin/sh\ncat {self.path("console")}\n')
        os.chmod(linux, os.stat(linux).st_mode | stat.S_IXUSR)
        self.write('build/kunit/System.map', '0000 T setup_fail_gup_retry\n')
        self.write('build/kunit/.config', 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\n'
                   'CONFIG_FAIL_GUP_RETRY=y\nCONFIG_FAIL_GUP_FAULT=y\n')
        with open(os.path.join(DATA, 'list')) as f:
            self.write('build/selftests/list', f.read())
        self.write('presets', presets)
        return {'BUILD_DIR': self.path('build'), 'KUNIT_BUILD': kdir,
                'PRESETS': self.path('presets')}

    def run_selftests(self, env):
        return self.run_script('run-selftests.py', env=env, timeout=120)

    def result(self):
        with open(self.path('build', 'selftests', 'result.json')) as f:
            return json.load(f)

    def counts(self):
        r = self.result()
        return r['passed'], r['failed'], r['skipped'], r['broken']

    def programs(self):
        with open(os.path.join(DATA, 'list')) as f:
            return [line.split()[0] for line in f if line.strip()]

    def test_a_full_boot_is_judged_program_by_program(self):
        # Captured on a kernel without CONFIG_NET: map_populate bails out at socketpair(), which
        # the plain boot does not expect; every other program passes.
        r = self.run_selftests(self.fake_kernel(console('good.log')))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        cells = self.result()['cells']
        self.assertEqual(self.counts(), (len(self.programs()) - 1, 1, 0, 0), r.stdout)
        self.assertEqual(cells['map_populate plain'][:2], ['fail', 'fail'])
        self.assertIn('plain: map_populate: unexpected "Bail out! [FAIL]\tmain:102\t'
                      'socketpair():Function not implemented"', r.stdout)
        self.assertIn('boot plain: ', r.stdout)
        self.assertIn(', finished, 0 splats', r.stdout)
        # make test's cases: each cell, then each of its test results, which the floor records.
        cases = {t['name']: t['status'] for t in self.result()['tests']}
        self.assertEqual(cases['populate_mlockall plain'], 'ok')
        self.assertEqual(cases['populate_mlockall plain: locked.sbrk_of_32_pages_is_populated'], 'ok')
        self.assertEqual(cases['map_populate plain'], 'fail')

    def test_one_test_that_fails_fails_its_program_and_is_named(self):
        good = console('good.log')
        test = 'locked.sbrk_of_32_pages_is_populated'
        self.assertIn(f'  ok 3 {test}\n', good)
        r = self.run_selftests(self.fake_kernel(good.replace(f'  ok 3 {test}', f'  not ok 3 {test}')))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        # map_populate fails in this console anyway (no CONFIG_NET): one failure more.
        self.assertEqual((self.counts()[1], self.counts()[3]), (2, 0))
        self.assertEqual(self.result()['cells']['populate_mlockall plain'][:2], ['pass', 'fail'])
        self.assertIn(f'plain: populate_mlockall: {test}: fail, expected pass', r.stdout)

    def test_a_kernel_message_between_init_lines_is_not_taken_for_ktap(self):
        # Seen under TCG: the clocksource watchdog's warning right after a program's nested
        # version line. Each program is still judged; the kernel's line stays in the log.
        good = console('good.log')
        nested = '  KTAP version 1\n  # Subtest: mlock2-tests\n'
        self.assertIn(nested, good)
        noise = 'clocksource: Long readout interval, skipping watchdog check: cs_nsec: 1129604973 wd_nsec: 1129605870\n'
        r = self.run_selftests(self.fake_kernel(good.replace(nested, nested.replace('\n', '\n' + noise, 1))))
        self.assertEqual(self.counts(), (len(self.programs()) - 1, 1, 0, 0), r.stdout)
        with open(self.path('build', 'selftests', 'plain.log')) as f:
            self.assertIn(noise, f.read())

    def test_a_missing_test_result_fails_its_program(self):
        good = console('good.log')
        test = 'locked.sbrk_of_32_pages_is_populated'
        r = self.run_selftests(self.fake_kernel(good.replace(f'  ok 3 {test}\n', '')))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(self.counts()[1], 2)
        self.assertEqual(self.result()['cells']['populate_mlockall plain'][:2], ['pass', 'fail'])
        # The parser takes results in order: the plan's last one is the one it misses.
        self.assertIn('plain: populate_mlockall: #5: missing, expected pass', r.stdout)
        cases = {t['name']: t['status'] for t in self.result()['tests']}
        self.assertEqual(cases['populate_mlockall plain: #5'], 'fail')

    def test_a_boot_that_cannot_start_init_is_broken_and_names_the_cause(self):
        r = self.run_selftests(self.fake_kernel(console('no-init.log'),
                                                'gup-retry retry fail_gup_retry=1,0,0,1\n'))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('plain: the guest could not run a user process: Kernel panic - not syncing: '
                      'No working init found.', r.stdout)
        self.assertEqual(self.counts(), (0, 0, 0, 1))
        # The preset's boot is not tried: it would fail the same way.
        self.assertFalse(os.path.exists(self.path('build', 'selftests', 'gup-retry.log')))

    def test_a_hang_breaks_the_running_program_and_the_rest_but_keeps_the_results_before(self):
        # Killed by the host 240 s in, while populate_read_error ran (its tests had printed, its
        # result line had not); before it, mremap_test was killed by /init's own 60 s timeout.
        r = self.run_selftests(self.fake_kernel(console('hang.log')))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        cells = self.result()['cells']
        broken = sorted(k for k, c in cells.items() if c[1] == 'broken')
        self.assertEqual(broken, ['populate_read_error plain', 'populate_unmap_race plain'], r.stdout)
        # A program /init timed out has a result: it failed, it is not broken.
        self.assertEqual(cells['mremap_test plain'][:2], ['fail', 'fail'])
        self.assertEqual(cells['populate_mlockall plain'][:2], ['pass', 'pass'])
        self.assertIn('plain: the boot did not finish', r.stdout)
        self.assertIn('DID NOT FINISH', r.stdout)

    def test_a_kernel_crash_breaks_the_rest_and_fails_what_ran_in_that_boot(self):
        r = self.run_selftests(self.fake_kernel(console('crash.log')))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        passed, failed, skipped, broken = self.counts()
        self.assertGreater(broken, 0, r.stdout)
        # The panic is a splat: no program of that boot passes.
        self.assertEqual(passed, 0, r.stdout)
        self.assertEqual(failed + skipped + broken, len(self.programs()))
        self.assertIn('plain: splat: Kernel panic', r.stdout)

    def test_a_preset_whose_fault_attribute_is_missing_fails_unless_the_kernel_cannot_have_it(self):
        env = self.fake_kernel(console('good.log'), 'gup-oom error fail_gup_fault=1,0,0,1\n'
                               'nothere error fail_nothere=1,0,0,1\n')
        r = self.run_selftests(env)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('gup-oom: FAILED: fail_gup_fault= is not in this kernel', r.stdout)
        self.assertIn('nothere: skipped: fail_nothere= cannot be in this kernel: its Kconfig has no '
                      'CONFIG_FAIL_NOTHERE', r.stdout)
        cells = self.result()['cells']
        n = len(self.programs())
        self.assertEqual(sum(1 for k, c in cells.items() if k.endswith(' gup-oom') and c[1] == 'fail'), n)
        self.assertEqual(sum(1 for k, c in cells.items() if k.endswith(' nothere') and c[1] == 'skip'), n)

    def test_an_expectation_without_its_reason_is_refused(self):
        env = self.fake_kernel(console('good.log'))
        env['EXPECT'] = self.write('expect', 'gup-oom populate_mlockall fail\n')
        r = self.run_selftests(env)
        self.assertEqual(r.returncode, 1)
        self.assertIn('expect:1: want', r.stderr)


    def fake_qemu(self, console_text, presets='', config_extra='CONFIG_VIRTIO_BLK=y\nCONFIG_UNIX=y\n'):
        """make smp's kernel in build/smp/kunit and a qemu-system-x86_64 that prints console_text
        and keeps its arguments (args.<preset>); ENGINE=qemu."""
        env = self.fake_kernel(console_text, presets)
        kdir = self.path('build', 'smp', 'kunit')
        self.write('build/smp/kunit/arch/x86/boot/bzImage', 'kernel image')
        self.write('build/smp/kunit/System.map', '0000 T setup_fail_gup_retry\n')
        self.write('build/smp/kunit/.config', 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\n'
                   'CONFIG_FAIL_GUP_RETRY=y\n' + config_extra)
        self.write('share/qboot.rom', '')
        qemu = self.write('bin/qemu-system-x86_64', f"""#!/bin/sh
[ "$1" = -L ] && {{ echo {self.path('share')}; exit 0; }}
# The check that QEMU can start a machine: one that waits for the monitor.
case " $* " in *" -S "*) exec sleep 10 ;; esac
preset=$(echo "$*" | sed -n 's/.*st_preset=\\([^ ]*\\).*/\\1/p')
printf '%s\\n' "$@" >{self.tmp}/args.$preset
cat {self.path('console')}
""")
        os.chmod(qemu, 0o755)
        env.update(ENGINE='qemu', SMP_BUILD=kdir, PATH=self.path('bin') + os.pathsep + os.environ['PATH'])
        return env

    def test_the_qemu_engine_boots_make_smps_kernel_and_judges_it_the_same(self):
        r = self.run_selftests(self.fake_qemu(console('good.log'),
                                              'gup-retry retry fail_gup_retry=1,0,0,1\n'
                                              'amx-host host xsave=11008\n'))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('engine: x86_64 SMP under QEMU, 2 vCPUs, TCG', r.stdout)
        with open(self.path('args.plain')) as f:
            args = f.read().splitlines()
        self.assertEqual(args[args.index('-accel') + 1], 'tcg,thread=multi')
        self.assertEqual(args[args.index('-smp') + 1], '2')
        self.assertEqual(args[args.index('-m') + 1], '3G')
        self.assertEqual(args[args.index('-bios') + 1], self.path('share', 'qboot.rom'))
        self.assertEqual(args[args.index('-kernel') + 1],
                         self.path('build', 'selftests', 'qemu', 'kernel', 'bzImage'))
        self.assertEqual(args[args.index('-initrd') + 1],
                         self.path('build', 'selftests', 'initramfs.cpio'))
        self.assertEqual(args[args.index('-drive') + 1], 'file=' + self.path(
            'build', 'selftests', 'disk.img') + ',if=virtio,format=raw,readonly=on')
        append = args[args.index('-append') + 1].split()
        self.assertEqual(append[0], 'console=ttyS0')
        self.assertIn('kunit.enable=0', append)
        self.assertIn('st_preset=plain', append)
        self.assertFalse([a for a in args if a.startswith(('mem=', 'ubd0r=', 'initrd='))], args)
        # The preset's fault attribute goes on the kernel's command line as with UML.
        with open(self.path('args.gup-retry')) as f:
            self.assertIn('fail_gup_retry=1,0,0,1', f.read().splitlines()[-1].split())
        # Its own results and logs; the same judgement as UML's (map_populate bails: no NET).
        with open(self.path('build', 'selftests', 'qemu', 'result.json')) as f:
            res = json.load(f)
        self.assertEqual(res['engine'][:26], 'x86_64 SMP under QEMU, 2 v')
        n = len(self.programs())
        self.assertEqual((res['passed'], res['failed'], res['broken']), (2 * (n - 1), 2, 0), r.stdout)
        self.assertEqual(res['cells']['map_populate plain'][:2], ['fail', 'fail'])
        self.assertTrue(os.path.exists(self.path('build', 'selftests', 'qemu', 'plain.log')))
        self.assertFalse(os.path.exists(self.path('build', 'selftests', 'plain.log')))
        # The UML host's XSAVE size means nothing to QEMU: skipped, with the reason.
        self.assertEqual(res['skipped'], n)
        self.assertIn('amx-host: skipped: xsave= fakes the host XSAVE size the UML kernel process '
                      'sees: UML only', r.stdout)
        self.assertFalse(os.path.exists(self.path('args.amx-host')))

    def test_the_uml_engine_boots_the_uml_kernel_with_its_disk_on_ubd(self):
        self.run_selftests(self.fake_kernel(console('good.log')))
        with open(self.path('build', 'selftests', 'plain.log')) as f:
            cmd = f.readline().split()
        self.assertEqual(cmd[5], self.path('build', 'selftests', 'kernel', 'linux'))
        self.assertIn('ubd0r=' + self.path('build', 'selftests', 'disk.img'), cmd)
        self.assertIn('console=tty', cmd)
        self.assertFalse([a for a in cmd if 'qemu' in a], cmd)

    def test_the_qemu_engine_is_skipped_where_qemu_cannot_run(self):
        env = self.fake_qemu(console('good.log'))
        os.remove(self.path('bin', 'qemu-system-x86_64'))
        bin_ = self.path('nobin')
        os.makedirs(bin_)
        for tool in ('bash', 'dirname', 'cat', 'timeout', 'sleep'):
            os.symlink(shutil.which(tool), os.path.join(bin_, tool))
        env['PATH'] = bin_
        r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'run-selftests.py')],
                           env=dict(os.environ, **env), capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 77, r.stdout + r.stderr)
        self.assertIn('== selftests: SKIPPED: no qemu-system-x86_64 on this host', r.stdout)
        self.assertFalse(os.path.exists(self.path('build', 'selftests', 'qemu', 'result.json')))

    def test_the_qemu_engine_refuses_a_kernel_built_without_what_the_guest_needs(self):
        r = self.run_selftests(self.fake_qemu(console('good.log'), config_extra='CONFIG_VIRTIO_BLK=y\n'))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('was built without CONFIG_UNIX=y (configs/smp.config asks for it): rebuild with '
                      'make smp', r.stderr)


if __name__ == '__main__':
    unittest.main()
