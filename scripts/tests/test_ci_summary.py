"""ci-summary.py: a CI job's counts and what failed, read from test-all.py's output and build/."""
import json
import os
import subprocess

from .helpers import SCRIPTS, TempDirTest

LOG = '''=== kunit ===
--- kunit: 80 passed, 1 failed, 0 skipped

=== mutants ===
== mutants: 1 killed, 0 killed by the wrong test, 1 survived (logs in build/mutant/) ==
map-nonblock-ignored                     killed by: populate_with_nonblock_populates_nothing
shmat-not-populated                      SURVIVED
--- mutants: 1 passed, 1 failed, 0 skipped

81 passed, 2 failed, 0 skipped
'''


class CiSummary(TempDirTest):
    def summarize(self, job, log):
        return subprocess.run([os.path.join(SCRIPTS, 'ci-summary.py'), job, self.write('log', log)],
                              env=dict(os.environ, BUILD_DIR=self.path('build')),
                              capture_output=True, text=True)

    def test_counts_per_part_injections_splats_and_the_mutant_table(self):
        self.write('build/kunit/result.json', json.dumps({
            'suites': ['a', 'b'], 'injected': 90, 'splats': ['BUG: KASAN: slab-use-after-free'],
            'timed_out': False}))
        r = self.summarize('mutants-1', LOG)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('**81 passed, 2 failed, 0 skipped**', r.stdout)
        self.assertIn('| kunit | 80 | 1 | 0 |', r.stdout)
        self.assertIn('2 suites, faults injected: 90, splats: 1', r.stdout)
        self.assertIn('- splat: `BUG: KASAN: slab-use-after-free`', r.stdout)
        self.assertIn('shmat-not-populated                      SURVIVED', r.stdout)

    def test_a_job_that_stopped_early_says_so(self):
        r = self.summarize('selftests', '=== selftests ===\nmake: *** [linux] Error 1\n')
        self.assertIn('**no result**', r.stdout)
