"""make deps: a missing package is named, with the command that installs it."""
import os
import shutil

from scripts.tests.helpers import TempDirTest

# What install-deps.sh itself runs, besides the tools it probes for.
BASICS = ['sh', 'dirname', 'id']
PROBED = ['gcc', 'make', 'bison', 'bc', 'python3', 'git', 'xz', 'perl', 'ccache', 'gdb',
          'busybox', 'mkfs.ext2', 'riscv64-linux-gnu-gcc', 'qemu-system-riscv64',
          'qemu-system-x86_64']


class InstallDeps(TempDirTest):
    def test_missing_package_is_named_when_apt_cannot_be_used(self):
        bin_dir = self.path('bin')
        os.makedirs(bin_dir)
        for tool in BASICS + PROBED:
            found = shutil.which(tool)
            if found:
                os.symlink(found, os.path.join(bin_dir, tool))
        tarball = self.write('linux.tar.xz', '')
        # flex is left out of PATH, and so is apt-get.
        r = self.run_script('install-deps.sh', {'PATH': bin_dir, 'LINUX_SRC': tarball})
        self.assertEqual(r.returncode, 1)
        self.assertIn('missing packages: flex', r.stderr)
        self.assertIn('apt-get install', r.stderr)
