"""The examples of README.md and docs/*.md, run as written against the kernel `make run` built
(skipped without one: the kunit part of `make test` builds it first)."""
import glob
import os
import re
import subprocess
import unittest

from .helpers import TOP

KERNEL = os.path.join(TOP, 'build', 'kunit', 'linux')


def readme_commands(prefix):
    """The lines of the README and the docs pages that start with prefix (code lines)."""
    lines = []
    for path in [os.path.join(TOP, 'README.md')] + sorted(glob.glob(os.path.join(TOP, 'docs', '*.md'))):
        with open(path) as f:
            lines += [line.strip() for line in f if line.strip().startswith(prefix)]
    return lines


def make(command):
    """An example such as "make run SUITE=x TEST='y*'", run by the shell from the top."""
    return subprocess.run(command, shell=True, cwd=TOP, capture_output=True, text=True,
                          timeout=600)


@unittest.skipUnless(os.path.exists(KERNEL), 'no kernel built yet (make run)')
class ReadmeExamples(unittest.TestCase):
    def test_make_list_names_every_suite_of_kunit_makefile(self):
        r = make('make -s list')
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = {line.split('.')[0] for line in r.stdout.split()}
        with open(os.path.join(TOP, 'kunit', 'Makefile')) as f:
            # UML has an MMU: the suites of the CONFIG_MMU branch (the other is make nommu's).
            mmu = re.search(r'^ifdef CONFIG_MMU\n(.*?)^else\n', f.read(), re.M | re.S)
        self.assertTrue(mmu, 'kunit/Makefile has no "ifdef CONFIG_MMU ... else" block')
        objects = re.findall(r'populate_\w+_test\.o', mmu.group(1))
        self.assertGreaterEqual(len(listed), len(objects), r.stdout)

    def test_every_filter_example_matches_at_least_one_test(self):
        examples = readme_commands('make run SUITE=')
        self.assertTrue(examples)
        for cmd in examples:
            r = make(cmd.replace('make run', 'make -s list', 1))
            self.assertEqual(r.returncode, 0, f'{cmd}: {r.stderr}')
            self.assertTrue(r.stdout.strip(), f'{cmd} matches no test')

    def test_the_one_test_filter_example_runs_and_passes(self):
        cmd = readme_commands("make run SUITE=mm_populate_mmap TEST=")[0]
        r = make(cmd)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:])
        self.assertRegex(r.stdout, r'tests: +[1-9]\d* passed, 0 failed')

    def test_a_filter_that_matches_nothing_says_so_and_lists_the_suites_tests(self):
        r = make("make -s list SUITE=mm_populate_mmap TEST='no_such_test*'")
        self.assertEqual(r.returncode, 2)
        self.assertIn('error: no test of SUITE=mm_populate_mmap matches', r.stderr)
        self.assertIn('  mmap_without_populate_maps_nothing', r.stderr)


if __name__ == '__main__':
    unittest.main()
