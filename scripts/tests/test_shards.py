"""`test-all.py mutants --shard I/N`: CI's matrix splits the mutants; no mutant may be lost or run twice."""
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

from .helpers import SCRIPTS, TOP

spec = importlib.util.spec_from_file_location('test_all', os.path.join(SCRIPTS, 'test-all.py'))
test_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(test_all)
sys.path.insert(0, SCRIPTS)
import results  # noqa: E402


class Shards(unittest.TestCase):
    @mock.patch.dict(os.environ, {'MUTANT': ''})
    def test_every_mutant_is_in_exactly_one_shard_for_any_n(self):
        names = test_all.mutant_names()
        self.assertGreater(len(names), 1)
        for n in range(1, len(names) + 2):
            shards = [test_all.shard(names, f'{i}/{n}') for i in range(1, n + 1)]
            together = [name for s in shards for name in s]
            self.assertEqual(sorted(together), sorted(names), f'N={n}')
            self.assertLessEqual(max(map(len, shards)) - min(map(len, shards)), 1, f'N={n}')

    def test_a_shard_does_not_depend_on_the_order_of_the_listing(self):
        names = ['c', 'a', 'e', 'b', 'd']
        self.assertEqual(test_all.shard(names, '2/2'), ['b', 'd'])
        self.assertEqual(test_all.shard(list(reversed(names)), '2/2'), ['b', 'd'])

    def test_the_whole_set_is_what_run_mutants_sh_runs(self):
        # run-mutants.sh's own listing, as it makes it when MUTANT is not set.
        listed = subprocess.run("ls | sed -n 's/\\.\\(patch\\|revert\\)$//p'", shell=True, check=True,
                                cwd=os.path.join(TOP, 'patches', 'mutants'), capture_output=True,
                                text=True).stdout.split()
        with mock.patch.dict(os.environ, {'MUTANT': ''}):
            self.assertEqual(sorted(test_all.mutant_names()), sorted(listed))
        self.assertIn('stock-6.12', listed)

    def test_bad_shard_values_are_refused_with_what_is_wanted(self):
        for bad in ('', '1', '1/', '/4', 'a/b', '1/4/2', '-1/4', '0/4', '5/4', '1/0', '1 /4'):
            with self.assertRaises(ValueError, msg=bad) as e:
                test_all.shard(['a', 'b'], bad)
            self.assertIn('I', str(e.exception))

    def run_main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with tempfile.TemporaryDirectory() as build, mock.patch.object(test_all, 'BUILD', build), \
                redirect_stdout(out), redirect_stderr(err):
            try:
                rc = test_all.main(list(argv))
            except SystemExit as e:
                rc = e.code
        return rc, out.getvalue(), err.getvalue()

    def test_a_bad_shard_on_the_command_line_is_one_clear_error(self):
        rc, _, _ = self.run_main('mutants', '--shard', '5/4')
        self.assertEqual(rc, 'error: --shard 5/4: want 1 <= I <= N')
        rc, _, _ = self.run_main('--shard', '1/4')
        self.assertIn('--shard applies to the mutants part', rc)

    def test_the_shard_reaches_run_mutants_sh_as_its_mutant_list(self):
        def run_mutants(name, **env):
            # What run-mutants.sh writes: one case a mutant.
            results.write_script_result(test_all.build('mutant', 'result.json'),
                                        [(m, 'ok', 'killed by: x') for m in env['MUTANT'].split()])
            return 0
        with mock.patch.object(test_all, 'script', side_effect=run_mutants) as script, \
                mock.patch.dict(os.environ, {'MUTANT': 'd c b a'}):
            rc, out, _ = self.run_main('mutants', '--shard', '1/2')
        self.assertEqual(rc, 0, out)
        self.assertEqual(script.call_args.kwargs['MUTANT'], 'a c')
        self.assertIn('--- mutants: 2 passed, 0 failed, 0 skipped, 0 broken', out)
        self.assertTrue(out.rstrip().endswith('2 passed, 0 failed, 0 skipped'), out)

    def test_an_empty_shard_runs_nothing_rather_than_everything(self):
        with mock.patch.object(test_all, 'script') as script, \
                mock.patch.dict(os.environ, {'MUTANT': 'a'}):
            rc, out, _ = self.run_main('mutants', '--shard', '2/2')
        self.assertEqual(rc, 0)
        script.assert_not_called()
        self.assertIn('no mutant in this shard', out)


if __name__ == '__main__':
    unittest.main()
