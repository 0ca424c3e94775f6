"""make deps: a missing package is named, with the command that installs it."""
import os
import shutil
import subprocess
import unittest

from scripts.tests.helpers import SCRIPTS, TempDirTest

# What install-deps.sh itself runs, besides the tools it probes for.
BASICS = ['sh', 'dirname', 'id']
PROBED = ['gcc', 'make', 'bison', 'bc', 'python3', 'git', 'xz', 'perl', 'ccache', 'gdb',
          'busybox', 'mkfs.ext2', 'riscv64-linux-gnu-gcc', 'qemu-system-riscv64', 'shellcheck',
          'pyflakes3',
          'qemu-system-x86_64']


class InstallDeps(TempDirTest):
    def bin_dir(self, *extra):
        bin_dir = self.path('bin')
        os.makedirs(bin_dir)
        for tool in BASICS + PROBED + list(extra):
            found = shutil.which(tool)
            if found:
                os.symlink(found, os.path.join(bin_dir, tool))
        return bin_dir

    def test_missing_package_is_named_when_apt_cannot_be_used(self):
        tarball = self.write('linux.tar.xz', '')
        # flex is left out of PATH, and so is apt-get.
        r = self.run_script('install-deps.sh', {'PATH': self.bin_dir(), 'LINUX_SRC': tarball})
        self.assertEqual(r.returncode, 1)
        self.assertIn('missing packages: flex', r.stderr)
        self.assertIn('not a Debian system', r.stderr)

    @unittest.skipUnless(shutil.which('apt-get') and shutil.which('setpriv') and os.getuid() == 0,
                         'needs apt-get, and root to drop it (setpriv)')
    def test_without_root_the_exact_apt_line_and_linux_src(self):
        # apt-get is there, root is not (setpriv drops it); flex and the kernel source are missing.
        os.chmod(self.tmp, 0o755)
        r = subprocess.run([shutil.which('setpriv'), '--reuid=65534', '--regid=65534', '--clear-groups',
                            os.path.join(SCRIPTS, 'install-deps.sh')],
                           env=dict(os.environ, PATH=self.bin_dir('apt-get'),
                                    LINUX_SRC=self.path('none.tar.xz'), BUILD_DIR=self.path('build')),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('install them with: sudo apt-get install -y --no-install-recommends flex', r.stderr)
        # The kernel source: Debian's package, or LINUX_SRC= (only when the package is missing).
        if not os.path.exists('/usr/src/linux-source-6.12.tar.xz'):
            self.assertIn('linux-source-6.12', r.stderr)
            self.assertIn('LINUX_SRC=/path/to/linux make', r.stderr)
