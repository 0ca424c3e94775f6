"""make test's results: one KTAP document that kunit.py's own parser reads, one JSON summary, the
human summary printed from it, broken counted apart from failed, and the floor of recorded tests."""
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

from .helpers import SCRIPTS, TOP

sys.path.insert(0, SCRIPTS)
import results  # noqa: E402

spec = importlib.util.spec_from_file_location('test_all', os.path.join(SCRIPTS, 'test-all.py'))
test_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(test_all)
KUNIT_DIR = os.path.join(os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux')), 'tools', 'testing', 'kunit')


def part_a():
    return results.Part('a', [('t1', 'ok', ''), ('t2', 'ok', ''), ('t3', 'skip', 'no disk')])


class TestAll(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='testbed-')
        self.addCleanup(lambda: __import__('shutil').rmtree(self.tmp))
        self.expected = os.path.join(self.tmp, 'expected-tests')
        for p in (mock.patch.object(test_all, 'BUILD', os.path.join(self.tmp, 'build')),
                  mock.patch.object(test_all, 'EXPECTED', self.expected)):
            p.start()
            self.addCleanup(p.stop)

    def run_main(self, parts, *argv):
        out = io.StringIO()
        with mock.patch.dict(test_all.PARTS, parts, clear=True), redirect_stdout(out), \
                redirect_stderr(io.StringIO()):
            rc = test_all.main(list(argv))
        return rc, out.getvalue()

    def summary(self):
        with open(test_all.build(test_all.SUMMARY)) as f:
            return json.load(f)

    def test_the_closing_line_and_the_files(self):
        rc, out = self.run_main({'a': part_a, 'b': lambda: (4, 0, 1)})
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.rstrip().splitlines()[-1], '6 passed, 0 failed, 2 skipped')
        self.assertEqual(self.summary()['totals'], {'passed': 6, 'failed': 0, 'skipped': 2, 'broken': 0})
        with open(test_all.build(test_all.KTAP)) as f:
            ktap = f.read()
        self.assertTrue(ktap.startswith('KTAP version 1\n1..2\n'), ktap)
        self.assertIn('    ok 3 t3 # SKIP no disk\n', ktap)

    def test_broken_is_counted_apart_and_fails_the_run(self):
        def broken():
            return results.Part('c').add('build', 'broken', 'the kernel did not build')
        rc, out = self.run_main({'a': part_a, 'c': broken})
        self.assertEqual(rc, 1)
        lines = out.rstrip().splitlines()
        self.assertEqual(lines[-1], '2 passed, 0 failed, 1 skipped')
        self.assertTrue(lines[-2].startswith('1 broken'), lines[-2])
        self.assertIn('BROKEN c: build: the kernel did not build', out)

    def test_the_printed_summary_comes_from_the_json(self):
        self.run_main({'a': part_a})
        summary = self.summary()
        summary['parts']['a']['tests'][0]['status'] = 'fail'
        summary['totals'].update(passed=1, failed=1)
        printed = '\n'.join(test_all.human_summary(summary))
        self.assertIn('FAILED a: t1', printed)
        self.assertTrue(printed.endswith('1 passed, 1 failed, 1 skipped'), printed)

    def record_part_a(self):
        """Run part a and record its tests; the recorded file's text."""
        self.run_main({'a': part_a})
        with redirect_stdout(io.StringIO()):
            test_all.record()
        with open(self.expected) as f:
            return f.read()

    def test_a_part_that_runs_fewer_tests_than_recorded_fails_naming_them(self):
        self.assertIn('a\tt2\n', self.record_part_a())

        def fewer():
            return results.Part('a', [('t1', 'ok', ''), ('t4', 'ok', '')])
        rc, out = self.run_main({'a': fewer})
        self.assertEqual(rc, 1, out)
        self.assertIn('a: 2 recorded test(s) did not run: t2, t3', out)
        self.assertIn('a: 1 new test(s), not in the recorded set: t4', out)
        self.assertIn('FAILED a: t2: missing', out)
        self.assertEqual(out.rstrip().splitlines()[-1], '2 passed, 2 failed, 0 skipped')

    def test_a_test_recorded_as_run_that_is_skipped_now_fails(self):
        self.assertIn('a\tt3\tskip\n', self.record_part_a())

        def t2_skipped():
            return results.Part('a', [('t1', 'ok', ''), ('t2', 'skip', 'no tracepoints'),
                                      ('t3', 'skip', 'no disk')])
        rc, out = self.run_main({'a': t2_skipped})
        self.assertEqual(rc, 1, out)
        self.assertIn('a: 1 test(s) recorded as run were skipped: t2', out)
        self.assertIn('FAILED a: t2: skipped, recorded as run: no tracepoints', out)
        self.assertEqual(out.rstrip().splitlines()[-1], '1 passed, 1 failed, 1 skipped')

    def test_the_peers_part_reads_run_peers_counts(self):
        def call(cmd, **kw):
            if cmd[0].endswith('run-peers.py'):
                os.makedirs(test_all.build('peers'), exist_ok=True)
                with open(test_all.build('peers', 'result.json'), 'w') as f:
                    json.dump({'passed': 3, 'failed': 1, 'skipped': 2}, f)
                return 1
            return 0
        with mock.patch.object(test_all.subprocess, 'call', side_effect=call):
            self.assertEqual(test_all.peers(), (3, 1, 2))

    def test_a_peers_run_with_no_result_is_one_failure(self):
        with mock.patch.object(test_all.subprocess, 'call', return_value=1):
            self.assertEqual(test_all.peers(), (0, 1, 0))

    def test_new_tests_alone_do_not_fail(self):
        self.run_main({'a': part_a})
        with redirect_stdout(io.StringIO()):
            test_all.record()

        def more():
            return results.Part('a', part_a().cases + [('t9', 'ok', '')])
        rc, out = self.run_main({'a': more})
        self.assertEqual(rc, 0, out)
        self.assertIn('1 new test(s)', out)

    def test_a_filtered_run_has_no_floor_and_is_not_recorded(self):
        self.run_main({'kunit': part_a})
        with redirect_stdout(io.StringIO()):
            test_all.record()
        with mock.patch.dict(os.environ, {'SUITE': 'x'}):
            rc, out = self.run_main({'kunit': lambda: results.Part('kunit', [('t1', 'ok', '')])})
            self.assertEqual(rc, 0, out)
            self.assertIn('filtered by SUITE=x: no floor', out)
            with redirect_stdout(io.StringIO()) as said:
                test_all.record()
        self.assertIn('not recorded', said.getvalue())
        with open(self.expected) as f:
            self.assertIn('kunit\tt3\tskip\n', f.read())

    def test_progress_says_part_elapsed_and_time_left_from_the_last_run(self):
        self.run_main({'a': part_a, 'b': part_a})
        with open(test_all.build(test_all.TIMES), 'w') as f:
            json.dump({'a': 600, 'b': 90}, f)
        _, out = self.run_main({'a': part_a, 'b': part_a})
        self.assertIn('=== a (part 1 of 2, 0s elapsed, about 11m30s left) ===', out)
        self.assertIn('=== b (part 2 of 2, 0s elapsed, about', out)

    @unittest.skipUnless(os.path.exists(os.path.join(KUNIT_DIR, 'kunit_parser.py')), 'needs linux/')
    def test_kunit_py_parses_the_ktap_document(self):
        sys.path.insert(0, KUNIT_DIR)
        import kunit_parser
        self.run_main({'a': part_a, 'c': lambda: results.Part('c', [('x # y', 'fail', 'why')])})
        with open(test_all.build(test_all.KTAP)) as f, \
                mock.patch.object(kunit_parser.stdout, '_output', io.StringIO()):
            test = kunit_parser.parse_run_tests(f.read().splitlines())
        self.assertEqual([t.name for t in test.subtests], ['a', 'c'])
        self.assertEqual([t.name for t in test.subtests[0].subtests], ['t1', 't2', 't3'])
        self.assertEqual((test.counts.passed, test.counts.failed, test.counts.skipped, test.counts.errors),
                         (2, 1, 1, 0))


class Lint(unittest.TestCase):
    def test_lint_names_each_file_with_a_finding(self):
        with tempfile.TemporaryDirectory() as top:
            files = {'a.sh': '#!/bin/sh\necho $1\n', 'run': '#!/bin/bash\nset -eu\necho "$1"\n',
                     'b.py': 'import os\n', 'tool': '#!/usr/bin/env python3\nprint(1)\n',
                     'patches/x.py': 'import os\n'}
            for name, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(top, name)), exist_ok=True)
                with open(os.path.join(top, name), 'w') as f:
                    f.write(text)
            subprocess.run(['git', 'init', '-q', top], check=True)
            subprocess.run(['git', '-C', top, 'add', '.'], check=True)
            with redirect_stdout(io.StringIO()):
                part = test_all.lint(top)
        got = {name: status for name, status, _ in part.cases}
        self.assertEqual(got, {'shellcheck a.sh': 'fail', 'shellcheck run': 'ok',
                               'pyflakes b.py': 'fail', 'pyflakes tool': 'ok'})
        notes = {name: note for name, _, note in part.cases}
        self.assertIn('SC2086', notes['shellcheck a.sh'])
        self.assertIn("'os' imported but unused", notes['pyflakes b.py'])
