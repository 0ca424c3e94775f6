"""Every knob in make help: the variables each script reads are in scripts/knobs with the default
the script uses, `make help` shows every row, and every script answers --help."""
import os
import re
import subprocess
import sys
import unittest

from .helpers import SCRIPTS, TOP

sys.path.insert(0, SCRIPTS)
import knobs  # noqa: E402

# Re-exec guards of the scripts' own locking, not knobs.
INTERNAL = re.compile(r'_LOCKED$|^LIST_TESTS$')
SHELL_READ = re.compile(r'\$\{([A-Z][A-Z0-9_]*)(:?[-=])([^}\n]*)\}')
PY_READ = re.compile(r"os\.environ(?:\.get\(|\[)'([A-Z][A-Z0-9_]*)'")


def scripts():
    """The scripts one runs (a #! line); lib.sh is sourced."""
    found = []
    for n in sorted(os.listdir(SCRIPTS)):
        if n.endswith(('.sh', '.py')):
            with open(os.path.join(SCRIPTS, n)) as f:
                if f.readline().startswith('#!'):
                    found.append(n)
    return found


class Knobs(unittest.TestCase):
    def test_every_variable_a_script_reads_is_in_the_table_with_its_default(self):
        rows = knobs.table()
        lib = {var for s, var, _, _ in rows if s == 'lib.sh'}
        for name in scripts():
            with open(os.path.join(SCRIPTS, name)) as f:
                text = f.read()
            mine = {var: default for s, var, default, _ in rows if s == name}
            if name.endswith('.sh'):
                read = [(m.group(1), m.group(3)) for m in SHELL_READ.finditer(text)]
            else:
                read = [(v, None) for v in PY_READ.findall(text)]
            for var, default in read:
                if INTERNAL.search(var) or var in ('SUITE', 'TEST') and name == 'lib.sh':
                    continue
                with self.subTest(script=name, var=var):
                    if name == 'lib.sh' or var in lib and var not in mine:
                        self.assertIn(var, lib)
                        continue
                    self.assertIn(var, mine, f'{name} reads {var}: add it to scripts/knobs')
                    # The table's default is the script's (a multi-line one is described).
                    if default and not default.startswith(('"', '$(')):
                        self.assertEqual(mine[var], default)

    def test_make_help_shows_every_variable(self):
        out = subprocess.run(['make', '-s', '-C', TOP, 'help'], capture_output=True, text=True,
                             check=True).stdout
        for script, var, default, _ in knobs.table():
            with self.subTest(var=var):
                self.assertIn(f'{var}={default}', out)
        self.assertRegex(out, r'(?m)^test +everything')

    def test_every_script_answers_help_with_its_knobs(self):
        rows = knobs.table()
        for name in scripts():
            with self.subTest(script=name):
                r = subprocess.run([os.path.join(SCRIPTS, name), '--help'], capture_output=True,
                                   text=True, timeout=60, stdin=subprocess.DEVNULL)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertGreater(len(r.stdout.splitlines()), 2)
                for s, var, _, _ in rows:
                    if s == name:
                        self.assertIn(var + '=', r.stdout)
