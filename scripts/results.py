"""Results as data: every part of `make test` is a list of test cases, each ok, fail, skip or broken.

"broken" is a test that could not give a verdict (a build that failed, a boot that did not start,
a hang with no failing test, a mutant that does not apply): counted apart from "fail", and both
fail the run. A part is written as a KTAP subtest (the kernel's format, which
tools/testing/kunit/kunit.py parse reads) and as JSON; `make test` writes one of each in build/.
Imported by test-all.py and ci-summary.py; the scripts that run a part write their own result as
JSON (or KTAP) and the part's function in test-all.py reads it with the helpers below.
"""
import json
import os
import re

STATUSES = ('ok', 'fail', 'skip', 'broken')
# kunit.py --json (KernelCI's format): ERROR is a test that crashed (kunit.py counts it apart).
KUNIT_STATUS = {'PASS': 'ok', 'FAIL': 'fail', 'SKIP': 'skip', 'ERROR': 'broken'}


class Part:
    """One part's test cases in order: (name, status, note)."""

    def __init__(self, name, cases=(), seconds=None, counts_only=False):
        self.name = name
        self.cases = list(cases)
        self.seconds = seconds
        # A part that gave counts only (no test names): it has no floor.
        self.counts_only = counts_only

    def add(self, name, status, note=''):
        if status not in STATUSES:
            raise ValueError(f'{name}: status {status!r} is none of {STATUSES}')
        self.cases.append((name, status, note))
        return self

    def counts(self):
        c = dict.fromkeys(STATUSES, 0)
        for _, status, _ in self.cases:
            c[status] += 1
        return {'passed': c['ok'], 'failed': c['fail'], 'skipped': c['skip'], 'broken': c['broken']}

    def names(self):
        return [n for n, _, _ in self.cases]

    def to_json(self):
        return dict(self.counts(), seconds=self.seconds, counts_only=self.counts_only,
                    tests=[{'name': n, 'status': s, 'note': note} for n, s, note in self.cases])

    @classmethod
    def from_json(cls, name, d):
        return cls(name, [(t['name'], t['status'], t.get('note', '')) for t in d['tests']],
                   d.get('seconds'), d.get('counts_only', False))

    @classmethod
    def from_counts(cls, name, counts):
        """A part function that returned (passed, failed, skipped[, broken]): anonymous cases."""
        part = cls(name, counts_only=True)
        for status, n in zip(STATUSES, counts):
            for i in range(n):
                part.add(f'{name} {status} {i + 1}', status)
        return part


def kunit_cases(group, prefix=''):
    """(suite.test, status) of every case in kunit.py's JSON (nested groups are suites)."""
    name = group.get('name', '')
    # kunit.py names the outermost group "KUnit Test Group": not part of a test's name.
    here = prefix + name + '.' if name and name != 'KUnit Test Group' else prefix
    for case in group.get('test_cases', []):
        yield here + case['name'], KUNIT_STATUS.get(case['status'], 'fail')
    for sub in group.get('sub_groups', []):
        yield from kunit_cases(sub, here)


def load_json(path):
    """The JSON in path, or None when there is none (the script that writes it did not finish)."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_script_result(name, path):
    """A Part from the result file a script wrote: {"tests": [{"name", "status", "note"}...]}.
    No file is one broken case: the script stopped before it could say anything."""
    d = load_json(path)
    if d is None or not isinstance(d.get('tests'), list):
        return Part(name).add(name, 'broken', f'no result in {path}: see the output above')
    return Part.from_json(name, d)


def write_script_result(path, cases, **extra):
    """What read_script_result() reads, written by a script for its part."""
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(extra, tests=[{'name': n, 'status': s, 'note': note} for n, s, note in cases]),
                  f, indent=1)


def _ktap_name(name):
    # '#' starts a directive in KTAP, and a result line is one line.
    return re.sub(r'[#\n]', '_', name)


def ktap(parts):
    """One KTAP document, each part a subtest whose cases are its tests."""
    out = ['KTAP version 1', f'1..{len(parts)}']
    for i, part in enumerate(parts, 1):
        out += ['    KTAP version 1', f'    # Subtest: {_ktap_name(part.name)}', f'    1..{len(part.cases)}']
        for j, (name, status, note) in enumerate(part.cases, 1):
            if status == 'broken':
                out.append(f'    # {_ktap_name(name)}: broken: {_ktap_name(note)}'.rstrip())
            elif status == 'fail' and note:
                out.append(f'    # {_ktap_name(name)}: {_ktap_name(note)}')
            line = f"    {'ok' if status in ('ok', 'skip') else 'not ok'} {j} {_ktap_name(name)}"
            if status == 'skip':
                line += f' # SKIP {_ktap_name(note)}'.rstrip()
            out.append(line)
        c = part.counts()
        bad = c['failed'] or c['broken']
        all_skipped = part.cases and c['skipped'] == len(part.cases)
        out.append(f"{'not ok' if bad else 'ok'} {i} {_ktap_name(part.name)}"
                   + (' # SKIP' if all_skipped and not bad else ''))
    return '\n'.join(out) + '\n'


def totals(parts):
    t = {'passed': 0, 'failed': 0, 'skipped': 0, 'broken': 0}
    for part in parts:
        for k, v in part.counts().items():
            t[k] += v
    return t


def summary_json(parts, **extra):
    return dict(extra, totals=totals(parts), parts={p.name: p.to_json() for p in parts})


def parts_of(summary):
    """The Parts of a JSON summary that summary_json() made."""
    return [Part.from_json(name, d) for name, d in summary['parts'].items()]


def closing_lines(t):
    """The end of the human summary. CI counts the last line as it is: keep its form."""
    lines = []
    if t['broken']:
        lines.append(f"{t['broken']} broken (could not give a verdict; fails the run)")
    lines.append(f"{t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped")
    return lines
