"""Fixtures for the scripts' tests: tiny fake kernel trees, so no test needs the real one."""
import os
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(TOP, 'scripts')


def git(cwd, *args):
    """git in cwd as a user with an identity of their own (a fresh machine has none)."""
    return subprocess.run(['git', '-C', cwd, '-c', 'user.name=Test User', '-c',
                           'user.email=test@localhost', *args], check=True, capture_output=True,
                          text=True).stdout.strip()


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='testbed-')
        self.addCleanup(shutil.rmtree, self.tmp)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, rel, text):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)
        return p

    def run_script(self, name, env=None, **kw):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([os.path.join(SCRIPTS, name)], env=e, capture_output=True,
                              text=True, **kw)


class FakeKernelTest(TempDirTest):
    """A 6.12 "kernel" of three files, and patches made against it with git format-patch."""

    def setUp(self):
        super().setUp()
        self.src = self.path('src')
        self.write('src/Makefile', 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\n')
        # Blank lines make blank context lines, which export-patches.sh writes without their space.
        for name in ('filemap.c', 'gup.c'):
            self.write('src/mm/' + name,
                       ''.join('\n' if i % 10 == 3 else f'line {i}\n' for i in range(40)))
        os.makedirs(self.path('patches'))
        self.env = {'LINUX_SRC': self.src, 'LINUX_DIR': self.path('linux'),
                    'PATCHES': self.path('patches')}

    def make_patch(self, name, edits, base_edits=()):
        """A patch changing mm/gup.c by edits {line number: new text}, on top of base_edits."""
        work = self.path('work-' + name)
        shutil.copytree(self.src, work)
        git(work, 'init', '-q')
        git(work, 'add', '-A')
        git(work, 'commit', '-q', '-m', 'pristine')
        for edit in (*base_edits, edits):
            self._edit(work, edit)
            git(work, 'add', '-A')
            git(work, 'commit', '-q', '-m', f'mm: {name}', '-m', 'Body.')
        out = git(work, 'format-patch', '-1', '-o', self.path('patches'))
        dest = self.path('patches', name + '.patch')
        os.rename(out, dest)
        shutil.rmtree(work)
        return dest

    @staticmethod
    def _edit(work, edits):
        p = os.path.join(work, 'mm', 'gup.c')
        with open(p) as f:
            lines = f.readlines()
        for n, text in edits.items():
            lines[n] = text + '\n'
        with open(p, 'w') as f:
            f.writelines(lines)

    def set_series(self, *names):
        self.write('patches/series', ''.join(n + '.patch\n' for n in names))

    def prepare(self):
        return self.run_script('prepare-linux.sh', self.env)

    def linux_git(self, *args):
        return git(self.path('linux'), *args)
