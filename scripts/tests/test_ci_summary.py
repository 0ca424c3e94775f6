"""ci-summary.py: a CI job's counts and what failed, read from test-all.py's JSON summary in build/."""
import json
import os
import subprocess
import sys

from .helpers import SCRIPTS, TempDirTest

sys.path.insert(0, SCRIPTS)
import results  # noqa: E402


class CiSummary(TempDirTest):
    def summarize(self, job):
        return subprocess.run([os.path.join(SCRIPTS, 'ci-summary.py'), job],
                              env=dict(os.environ, BUILD_DIR=self.path('build')),
                              capture_output=True, text=True)

    def test_counts_per_part_injections_splats_and_the_mutant_table(self):
        parts = [results.Part('kunit', [('s.a', 'ok', ''), ('s.b', 'fail', '')], seconds=80),
                 results.Part('mutants', [('map-nonblock-ignored', 'ok', 'killed by: x'),
                                          ('shmat-not-populated', 'fail', 'survived'),
                                          ('old-one', 'broken', 'no longer applies to linux/')])]
        self.write('build/test-results.json', json.dumps(results.summary_json(parts)))
        self.write('build/kunit/result.json', json.dumps({
            'suites': ['a', 'b'], 'injected': 90, 'splats': ['BUG: KASAN: slab-use-after-free'],
            'timed_out': False}))
        r = self.summarize('mutants-1')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('**1 broken (could not give a verdict; fails the run); 2 passed, 2 failed, 0 skipped**',
                      r.stdout)
        self.assertIn('| kunit | 1 | 1 | 0 | 0 | 80 |', r.stdout)
        self.assertIn('- failed: `s.b`', r.stdout)
        self.assertIn('2 suites, faults injected: 90, splats: 1', r.stdout)
        self.assertIn('- splat: `BUG: KASAN: slab-use-after-free`', r.stdout)
        self.assertRegex(r.stdout, r'shmat-not-populated +fail +survived')
        self.assertRegex(r.stdout, r'old-one +broken +no longer applies')

    def test_a_job_that_stopped_early_says_so(self):
        r = self.summarize('selftests')
        self.assertIn('**no result**', r.stdout)
