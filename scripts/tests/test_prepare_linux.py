"""make linux / make patches: the patch stack in linux/, and never losing a user's work."""
import os

from scripts.tests.helpers import FakeKernelTest


class PrepareLinux(FakeKernelTest):
    def test_base_is_tagged_and_each_patch_is_one_commit(self):
        self.make_patch('one', {1: 'one'})
        self.make_patch('two', {30: 'two'})
        self.set_series('one', 'two')
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.linux_git('log', '--format=%s', 'base..HEAD').splitlines(),
                         ['mm: two', 'mm: one'])

    def test_second_run_changes_nothing(self):
        self.make_patch('one', {1: 'one'})
        self.set_series('one')
        self.assertEqual(self.prepare().returncode, 0)
        head = self.linux_git('rev-parse', 'HEAD')
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.linux_git('rev-parse', 'HEAD'), head)

    def test_patch_that_does_not_apply_is_named_with_its_hunk(self):
        self.make_patch('good', {1: 'good'})
        self.make_patch('bad', {20: 'bad'}, base_edits=({19: 'not in the tree'},))
        self.set_series('good', 'bad')
        r = self.prepare()
        self.assertEqual(r.returncode, 1)
        self.assertIn('patches/bad.patch does not apply', r.stderr)
        self.assertIn('patch failed: mm/gup.c:', r.stderr)
        self.assertEqual(self.linux_git('log', '-1', '--format=%s'), 'mm: good')
        self.assertEqual(self.linux_git('status', '--porcelain'), '')
        self.assertFalse(os.path.exists(self.path('linux', '.git', 'rebase-apply')))

    def test_uncommitted_change_is_refused_and_kept(self):
        self.set_series()
        self.assertEqual(self.prepare().returncode, 0)
        self.write('linux/mm/gup.c', 'my work\n')
        r = self.prepare()
        self.assertEqual(r.returncode, 1)
        self.assertIn('uncommitted changes', r.stderr)
        with open(self.path('linux', 'mm', 'gup.c')) as f:
            self.assertEqual(f.read(), 'my work\n')

    def test_commit_not_in_patches_is_refused_and_kept(self):
        self.set_series()
        self.assertEqual(self.prepare().returncode, 0)
        self.write('linux/mm/gup.c', 'my work\n')
        self.linux_git('commit', '-qam', 'mm: my work')
        r = self.prepare()
        self.assertEqual(r.returncode, 1)
        self.assertIn('commits that are not in patches/', r.stderr)
        self.assertIn('mm: my work', r.stderr)
        self.assertEqual(self.linux_git('log', '-1', '--format=%s'), 'mm: my work')

    def test_edited_patch_replaces_its_old_commit(self):
        self.make_patch('one', {1: 'one'})
        self.set_series('one')
        self.assertEqual(self.prepare().returncode, 0)
        self.make_patch('one', {1: 'one, edited'})
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.linux_git('rev-list', '--count', 'base..HEAD'), '1')
        self.assertIn('one, edited', self.linux_git('show', 'HEAD:mm/gup.c'))

    def test_tree_of_another_version_is_refused(self):
        self.write('src/Makefile', 'VERSION = 6\nPATCHLEVEL = 6\n')
        self.set_series()
        r = self.prepare()
        self.assertEqual(r.returncode, 1)
        self.assertIn('is Linux 6.6, the test bed needs 6.12', r.stderr)
        self.assertFalse(os.path.exists(self.path('linux')))

    def test_exported_commit_becomes_a_patch_that_prepare_keeps(self):
        self.set_series()
        self.assertEqual(self.prepare().returncode, 0)
        for name in ('filemap.c', 'gup.c'):
            with open(self.path('linux', 'mm', name)) as f:
                lines = f.readlines()
            lines[2] = 'new\n'
            self.write('linux/mm/' + name, ''.join(lines))
        self.linux_git('commit', '-qam', 'mm: new')
        head = self.linux_git('rev-parse', 'HEAD')
        r = self.run_script('export-patches.sh', self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path('patches', 'series')) as f:
            self.assertEqual(f.read(), '0001-mm-new.patch\n')
        with open(self.path('patches', '0001-mm-new.patch')) as f:
            self.assertNotIn(' \n', f.read().split('---', 1)[1])
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn('resetting', r.stderr)
        self.assertEqual(self.linux_git('rev-parse', 'HEAD'), head)
