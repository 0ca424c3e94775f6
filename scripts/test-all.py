#!/usr/bin/env python3
"""`make test`: run every part of the project's tests; write one KTAP document (build/test.ktap,
each part a subtest) and one JSON summary (build/test-results.json); print the human summary from
them, ending with "N passed, N failed, N skipped" ("N broken" on the line before, when any).

`test-all.py PART...` runs only those parts; `test-all.py mutants --shard I/N` runs the I-th of N
shares of the mutants (CI's matrix runs the N shares side by side); `test-all.py --record` writes
the tests of the last run's parts to scripts/expected-tests, the floor of each part.

A part is a function in PARTS that returns a results.Part (its test cases: ok, fail, skip,
broken) or counts (passed, failed, skipped[, broken]). Each runs a script that writes its own
result as data (JSON, or kunit.py's KTAP/JSON), never read back from its human text. "Broken" is a
test that gave no verdict (build failed, boot failed, a hang with no failing test, a mutant that
does not apply): counted apart from "failed"; both fail the run. A part that runs fewer tests than
its recorded set in scripts/expected-tests fails, naming what went missing; new tests are named.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'scripts'))
import results  # noqa: E402

BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))


def build(*path):
    """A path in build/ (read when called, so that the scripts' tests can move it)."""
    return os.path.join(BUILD, *path)


KTAP = 'test.ktap'
SUMMARY = 'test-results.json'
# Each part's run time in the last run that ran it: the estimate of the time left.
TIMES = 'part-times.json'
EXPECTED = os.environ.get('EXPECTED_TESTS', os.path.join(TOP, 'scripts', 'expected-tests'))


def script(name, **env):
    """Run scripts/<name> with env added; its exit status (the output goes to ours)."""
    return subprocess.call([os.path.join(TOP, 'scripts', name)], env=dict(os.environ, **env))


def kunit_suites():
    """The suites on the patched UML kernel (make run): kunit.py --json, judged by check-log.py."""
    result = build('kunit', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    script('run-kunit.sh')
    return results.read_script_result('kunit', result)


def smp():
    """make smp: the suites on the x86_64 SMP kernel under QEMU; a host where QEMU cannot run skips."""
    result = build('smp', 'kunit', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    if script('run-smp.sh') == 77:
        return results.Part('smp').add('make smp', 'skip', 'QEMU cannot run here (the reason is above)')
    return results.read_script_result('smp', result)


def nommu():
    """make nommu: each nommu mutant, which the no-MMU suite must fail, then the suite itself (last,
    so that build/nommu/ keeps the unbroken kernel and its log; a mutant's output is kept beside it)."""
    kbuild = build('nommu', 'kunit')
    result = os.path.join(kbuild, 'result.json')

    def run(mutant=''):
        if os.path.exists(result):
            os.remove(result)
        script('run-nommu.sh', MUTANT=mutant)
        return results.read_script_result('nommu', result)

    part = results.Part('nommu')
    mutants_dir = os.path.join(TOP, 'patches', 'nommu-mutants')
    for name in sorted(n[:-len('.patch')] for n in os.listdir(mutants_dir) if n.endswith('.patch')):
        print(f'\n--- nommu mutant {name}', flush=True)
        m = run(name)
        for log in ('kunit.out', 'test.log'):
            if os.path.exists(os.path.join(kbuild, log)):
                shutil.copy(os.path.join(kbuild, log), build('nommu', f'{name}.{log}'))
        r = results.load_json(result)
        if r is not None and not r['ok'] and (r['failing'] or r['timed_out'] or r['splats']):
            part.add(f'mutant {name}', 'ok', 'killed by: ' + ' '.join(
                ['splat'] * bool(r['splats']) + ['hang'] * r['timed_out'] + r['failing']))
        elif r is not None and r['ok']:
            part.add(f'mutant {name}', 'fail', 'survived')
        else:
            part.add(f'mutant {name}', 'broken', 'did not build or run: ' +
                     '; '.join(note for _, status, note in m.cases if status == 'broken'))
        print(f'--- nommu mutant {name}: {part.cases[-1][2]}', flush=True)
    part.cases += run().cases
    return part


def selftests():
    """The userspace programs in the UML guest, plain and under each preset (make selftests)."""
    result = build('selftests', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    if script('build-selftests.sh'):
        return results.Part('selftests').add('build-selftests.sh', 'broken', 'the guest did not build')
    script('run-selftests.py')
    # Each cell (program x boot) and each test result in it (run-selftests.py's "tests").
    return results.read_script_result('selftests', result)


def selftests_smp():
    """The same guest on make smp's x86_64 SMP kernel under QEMU (make selftests-smp, after make
    smp); a host where QEMU cannot run skips."""
    result = build('selftests', 'qemu', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    if script('build-selftests.sh'):
        return results.Part('selftests-smp').add('build-selftests.sh', 'broken', 'the guest did not build')
    if script('run-selftests.py', ENGINE='qemu') == 77:
        return results.Part('selftests-smp').add('make selftests-smp', 'skip',
                                                 'QEMU cannot run here (the reason is above)')
    return results.read_script_result('selftests-smp', result)


class _Cases(unittest.TextTestResult):
    """unittest's result, keeping every test's id and outcome as a case."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.cases = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.cases.append((test.id(), 'ok', ''))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.cases.append((test.id(), 'fail', str(err[1]).splitlines()[0] if str(err[1]) else ''))

    def addError(self, test, err):
        super().addError(test, err)
        self.cases.append((test.id(), 'fail', f'{err[0].__name__}: {err[1]}'.splitlines()[0]))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.cases.append((test.id(), 'skip', reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.cases.append((test.id(), 'ok', 'expected failure'))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.cases.append((test.id(), 'fail', 'unexpected success'))


def peers():
    """make peers, short: stress-ng and trinity in the guest, plain and under one error preset
    (5 s each; the whole of make peers boots every preset: about 5 minutes more)."""
    if subprocess.call([os.path.join(TOP, 'scripts', 'build-peers.sh')]):
        return 0, 1, 0
    result = os.path.join(BUILD, 'peers', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    rc = subprocess.call([os.path.join(TOP, 'scripts', 'run-peers.py')],
                         env=dict(os.environ, PEERS_PRESETS='plain gup-sigbus'))
    try:
        with open(result) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return 0, 1, 0
    # A cell with no boot, a hang or a crash is a failed one (run-peers.py).
    return r['passed'], r['failed'] + (1 if rc and not r['failed'] else 0), r['skipped']


def script_tests():
    """The scripts' own tests (scripts/tests/), in this process."""
    # What a fresh machine sees: no git identity, no global or system git configuration.
    os.environ.update(GIT_CONFIG_GLOBAL='/dev/null', GIT_CONFIG_NOSYSTEM='1')
    suite = unittest.defaultTestLoader.discover(os.path.join(TOP, 'scripts', 'tests'), top_level_dir=TOP)
    r = unittest.TextTestRunner(verbosity=1, resultclass=_Cases).run(suite)
    return results.Part('scripts', r.cases)


def mutant_names():
    """What run-mutants.sh runs: MUTANT's list, else every <name>.patch and <name>.revert."""
    names = os.environ.get('MUTANT', '').split()
    if names:
        return names
    mutants_dir = os.environ.get('MUTANTS_DIR', os.path.join(TOP, 'patches', 'mutants'))
    return [n.rsplit('.', 1)[0] for n in os.listdir(mutants_dir) if n.endswith(('.patch', '.revert'))]


def shard(names, spec):
    """The names of share "I/N" (1-based). Sorted, then dealt round-robin: a shard depends on the
    names only, never on the order the directory lists them, and the shards differ by one at most."""
    m = re.fullmatch(r'(\d+)/(\d+)', spec or '')
    if not m:
        raise ValueError(f'--shard wants I/N, such as 2/4; got {spec!r}')
    i, n = int(m.group(1)), int(m.group(2))
    if not 1 <= i <= n:
        raise ValueError(f'--shard {spec}: want 1 <= I <= N')
    return sorted(set(names))[i - 1::n]


def mutants(names=None):
    """Each deliberately broken kernel is caught by the suites: killed passes, survived fails."""
    env = {}
    if names is not None:
        if not names:
            # run-mutants.sh reads an empty MUTANT as "all of them".
            print('no mutant in this shard')
            return results.Part('mutants')
        env['MUTANT'] = ' '.join(names)
        print(f"mutants of this shard: {env['MUTANT']}", flush=True)
    result = build('mutant', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    script('run-mutants.sh', **env)
    return results.read_script_result('mutants', result)


def soak():
    """A short make soak: the suites on three boots of the kernel the kunit part built."""
    script('run-soak.sh', N='3', LOAD='0')
    return results.read_script_result('soak', build('soak', 'result.json'))


def gdb_check():
    """gdb stops in the populate path of the kernel the kunit part built, and reads it."""
    script('gdb-check.py')
    return results.read_script_result('gdb', build('gdb', 'result.json'))


def bisect_check():
    """Every prefix of the series builds and boots."""
    script('bisect-check.sh')
    return results.read_script_result('bisect', build('bisect', 'result.json'))


def message_ends_with_trailers(path):
    """None if the commit message ends with its Signed-off-by block; else what follows it."""
    with open(path) as f:
        text = f.read().split('\n---\n', 1)[0]
    lines = text.split('\n')
    signed = [i for i, line in enumerate(lines) if line.startswith('Signed-off-by: ')]
    if not signed:
        return 'no Signed-off-by'
    stray = [line for line in lines[signed[-1] + 1:] if line and not re.match(r'[\w-]+: ', line)]
    return f'after Signed-off-by: {stray[0]!r}' if stray else None


def mainline_applies(name):
    """None if patches/<name>/series applies in order to patches/<name>/base/; else the error."""
    d = os.path.join(TOP, 'patches', name)
    with open(os.path.join(d, 'series')) as f:
        series = [line.split('#')[0].strip() for line in f if line.split('#')[0].strip()]
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, 'tree')
        shutil.copytree(os.path.join(d, 'base'), tree)
        for patch in series:
            for args in (['--check'], []):
                r = subprocess.run(['git', 'apply', *args, os.path.join(d, patch)], cwd=tree,
                                   capture_output=True, text=True)
                if r.returncode:
                    return f'{patch}: {r.stderr.strip()}'
    return None


def repro():
    """The retry-forever bug on stock 6.12 with the block layer's fault injection, and its fix."""
    # 6.1's two kernels are left out: they would add two cold builds to make test.
    script('run-repro.py', KERNEL='6.12')
    return results.read_script_result('repro', build('repro', 'result.json'))


def maintained_new_files(linux, name):
    """checkpatch asks "does MAINTAINERS need updating?" for every added file. Where
    get_maintainer.pl already finds a section for each of them (other than THE REST), it does not:
    then the question is left out. A file the tree lacks (a patch written against another tree,
    as patches/mainline/ is) is looked up by its directory, the sections a new file there falls
    under."""
    with open(os.path.join(TOP, 'patches', name)) as f:
        added = re.findall(r'^diff --git a/\S+ b/(\S+)\nnew file mode', f.read(), re.M)
    for path in added:
        if not os.path.exists(os.path.join(linux, path)):
            path = os.path.dirname(path)
            if not path or not os.path.isdir(os.path.join(linux, path)):
                return []
        r = subprocess.run([os.path.join(linux, 'scripts', 'get_maintainer.pl'), '--nogit',
                            '--nogit-fallback', '--no-email', '--no-l', '--subsystem',
                            '--no-rolestats', '-f', path],
                           cwd=linux, capture_output=True, text=True)
        if r.returncode or not set(r.stdout.split('\n')) - {'', 'THE REST'}:
            return []
    return ['--ignore', 'FILE_PATH_CHANGES'] if added else []


def checkpatch():
    """Every patch of the series, and every kernel source of the suites, passes checkpatch --strict."""
    linux = os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux'))
    # The series, and the backports of patches/<series>/ (their own series file each).
    series = []
    for d in ['.'] + sorted(os.listdir(os.path.join(TOP, 'patches'))):
        path = os.path.join(TOP, 'patches', d, 'series')
        if os.path.isfile(path):
            with open(path) as f:
                series += [os.path.normpath(os.path.join(d, line.split('#')[0].strip()))
                           for line in f if line.split('#')[0].strip()]
    # The offline tree has no upstream history, so commit ids in messages cannot be checked.
    checks = [(name, ['--ignore', 'UNKNOWN_COMMIT_ID'] + maintained_new_files(linux, name) +
               [os.path.join(TOP, 'patches', name)]) for name in series]
    for name in sorted(os.listdir(os.path.join(TOP, 'kunit'))):
        if name.endswith(('.c', '.h')):
            checks.append(('kunit/' + name, ['--no-tree', '-f', os.path.join(TOP, 'kunit', name)]))
    part = results.Part('checkpatch')
    for name in filter(None, series):
        problem = message_ends_with_trailers(os.path.join(TOP, 'patches', name))
        print(('ok   ' if problem is None else 'FAIL ') + name + ' (message)' +
              (f': {problem}' if problem else ''))
        part.add(name + ' (message)', 'fail' if problem else 'ok', problem or '')
    # Series written against another tree's files keep those files' text in base/.
    for d in sorted(os.listdir(os.path.join(TOP, 'patches'))):
        if os.path.isdir(os.path.join(TOP, 'patches', d, 'base')):
            problem = mainline_applies(d)
            print(('ok   ' if problem is None else 'FAIL ') + f'patches/{d} applies to base/' +
                  (f': {problem}' if problem else ''))
            part.add(f'patches/{d} applies to base/', 'fail' if problem else 'ok', problem or '')
    for name, args in checks:
        r = subprocess.run([os.path.join(linux, 'scripts', 'checkpatch.pl'), '--strict', '-q', *args],
                           capture_output=True, text=True)
        print(('ok   ' if r.returncode == 0 else 'FAIL ') + name)
        if r.returncode:
            print(r.stdout)
        part.add(name, 'fail' if r.returncode else 'ok', r.stdout.strip().split('\n')[0])
    return part


def own_files(top=TOP):
    """The project's shell and Python files: (shell, python), by name or by #! line."""
    shell, python = [], []
    listed = subprocess.run(['git', 'ls-files', '-z'], cwd=top, capture_output=True, text=True,
                            check=True).stdout.split('\0')
    for name in sorted(filter(None, listed)):
        path = os.path.join(top, name)
        if name.startswith('patches/') or not os.path.isfile(path):
            continue
        with open(path, 'rb') as f:
            first = f.readline(200)
        if name.endswith('.py') or first.startswith(b'#!') and b'python' in first:
            python.append(name)
        elif name.endswith('.sh') or first.startswith(b'#!') and first.rstrip().endswith(b'sh'):
            shell.append(name)
    return shell, python


def lint(top=TOP):
    """shellcheck on every shell script, pyflakes on every Python file (.shellcheckrc: options).
    Each tool runs once on all its files; its findings are read per file from its machine output
    (shellcheck's JSON, pyflakes' "path:line:col: message" lines)."""
    part = results.Part('lint')
    shell, python = own_files(top)
    if not shutil.which('shellcheck'):
        part.add('shellcheck', 'broken', 'no shellcheck: run make deps')
    else:
        r = subprocess.run(['shellcheck', '-f', 'json1'] + shell, cwd=top, capture_output=True, text=True)
        try:
            found = json.loads(r.stdout)['comments']
        except (ValueError, KeyError):
            found = None
            part.add('shellcheck', 'broken', f'no JSON from shellcheck: {r.stderr.strip()[:200]}')
        for name in shell if found is not None else []:
            mine = [c for c in found if c['file'] == name]
            for c in mine:
                print(f"{name}:{c['line']}:{c['column']}: {c['level']}: {c['message']} [SC{c['code']}]")
            part.add(f'shellcheck {name}', 'fail' if mine else 'ok',
                     f"line {mine[0]['line']}: {mine[0]['message']} [SC{mine[0]['code']}]" if mine else '')
    if not shutil.which('pyflakes3'):
        part.add('pyflakes', 'broken', 'no pyflakes3: run make deps')
    else:
        r = subprocess.run(['pyflakes3'] + python, cwd=top, capture_output=True, text=True)
        out = (r.stdout + r.stderr).splitlines()
        print('\n'.join(out))
        for name in python:
            mine = [line for line in out if line.startswith(name + ':')]
            part.add(f'pyflakes {name}', 'fail' if mine else 'ok', mine[0] if mine else '')
        if r.returncode and not any(line.split(':')[0] in python for line in out):
            part.add('pyflakes', 'broken', f'pyflakes3 exited {r.returncode}: {" ".join(out)[:200]}')
    c = part.counts()
    print(f"{c['passed']} of {len(part.cases)} files clean")
    return part


PARTS = {
    'lint': lint,
    'kunit': kunit_suites,
    'soak': soak,
    'nommu': nommu,
    'gdb': gdb_check,
    'selftests': selftests,
    'peers': peers,
    'scripts': script_tests,
    'checkpatch': checkpatch,
    # The mutants first: bisect builds its prefixes in their first lane's tree (a rebuild, not a
    # whole build), and repro boots two of bisect's kernels.
    'mutants': mutants,
    'bisect': bisect_check,
    'repro': repro,
}
# Run only when named (`test-all.py smp selftests-smp`): a cold x86_64 build would push make test
# past its time budget (docs/smp.md).
NAMED_ONLY = {
    'smp': smp,
    'selftests-smp': selftests_smp,
}


def filtered(name, shard_spec):
    """Why this part runs only some of its tests (so it has no floor this time), or None."""
    knobs = {'kunit': ('SUITE', 'TEST'), 'soak': ('SUITE', 'TEST'), 'nommu': ('SUITE', 'TEST', 'MUTANT'),
             'mutants': ('MUTANT',)}.get(name, ())
    set_knobs = [k for k in knobs if os.environ.get(k)]
    if set_knobs:
        return 'filtered by ' + ' '.join(f'{k}={os.environ[k]}' for k in set_knobs)
    if name == 'mutants' and shard_spec:
        return f'shard {shard_spec}'
    return None


def read_expected(path=None):
    """{part: {test: recorded status}} of the recorded sets: lines "part<TAB>test" for a test that
    ran, "part<TAB>test<TAB>skip" for one that was skipped when recorded; # comments."""
    path = path or EXPECTED
    expected = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.rstrip('\n')
                if line and not line.startswith('#'):
                    part, test, *status = line.split('\t')
                    expected.setdefault(part, {})[test] = status[0] if status else 'ran'
    except FileNotFoundError:
        pass
    return expected


def apply_floor(part, expected):
    """Compare a part with its recorded set: a recorded test that did not run, or that was recorded
    as run and is skipped now (a kernel without what the test needs skips instead of failing),
    fails the part (unless the part is broken already: it could not run them). Returns lines to
    print."""
    if part.counts_only:
        return [f'{part.name}: gave counts only, no test names: no floor']
    if expected is None:
        return [f'{part.name}: no recorded set in {os.path.relpath(EXPECTED)}: run make record-tests']
    ran = {n: s for n, s, _ in part.cases}
    missing = [t for t in expected if t not in ran]
    skipped = [t for t, was in expected.items() if was == 'ran' and ran.get(t) == 'skip']
    new = sorted(set(ran) - set(expected))
    lines = []

    def listed(names):
        return ', '.join(names[:10]) + (' ...' if len(names) > 10 else '')
    if new:
        lines.append(f'{part.name}: {len(new)} new test(s), not in the recorded set: {listed(new)}')
    if skipped:
        lines.append(f'{part.name}: {len(skipped)} test(s) recorded as run were skipped: '
                     + listed(skipped))
        part.cases = [(n, 'fail', 'skipped, recorded as run: ' + note) if n in skipped else (n, s, note)
                      for n, s, note in part.cases]
    if missing:
        lines.append(f'{part.name}: {len(missing)} recorded test(s) did not run: {listed(missing)}')
        if part.counts()['broken']:
            lines.append(f'{part.name}: broken already; the missing tests are not counted again')
        else:
            for t in missing:
                part.add(t, 'fail', f'missing: in {os.path.basename(EXPECTED)}, did not run')
    return lines


def record(path=None):
    """Write the tests of the last run's parts as their recorded sets (other parts' lines stay)."""
    path = path or EXPECTED
    summary = results.load_json(build(SUMMARY))
    if summary is None:
        sys.exit(f'error: no {build(SUMMARY)}: run make test (or test-all.py PART...) first')
    expected = read_expected(path)
    recorded = []
    for name, d in summary['parts'].items():
        if d.get('counts_only') or d.get('filtered'):
            print(f'{name}: not recorded ({d.get("filtered") or "counts only"})')
            continue
        if d['broken']:
            print(f'{name}: not recorded: {d["broken"]} broken (it did not run its whole set)')
            continue
        tests = {t['name']: 'skip' if t['status'] == 'skip' else 'ran' for t in d['tests']
                 if not t.get('note', '').startswith('missing: ')}
        expected[name] = tests
        recorded.append(f'{name} ({len(tests)})')
    with open(path, 'w') as f:
        f.write('# The tests each part of make test runs ("skip": skipped when recorded): a part\n'
                '# that runs fewer, or skips one recorded as run, fails.\n'
                '# Written by `make record-tests` (scripts/test-all.py --record) from the last run.\n')
        for part in [p for p in PARTS if p in expected] + sorted(set(expected) - set(PARTS)):
            f.writelines(f'{part}\t{t}' + ('\tskip' if was == 'skip' else '') + '\n'
                         for t, was in expected[part].items())
    print(f"recorded in {os.path.relpath(path)}: {', '.join(recorded) or 'nothing'}")


def duration(secs):
    secs = int(secs)
    return f'{secs // 60}m{secs % 60:02d}s' if secs >= 60 else f'{secs}s'


def progress(i, n, name, names, start, times):
    """"part i of N", the time so far, and the time left from the last run's part times."""
    line = f'=== {name} (part {i} of {n}, {duration(time.time() - start)} elapsed'
    unknown = [p for p in names[i - 1:] if p not in times]
    left = sum(times.get(p, 0) for p in names[i - 1:])
    if unknown:
        line += f', no earlier time for {" ".join(unknown)}'
        if left:
            line += f'; the others about {duration(left)}'
    else:
        line += f', about {duration(left)} left'
    return line + ') ==='


def human_summary(summary):
    """The printed summary, from the JSON summary alone."""
    out = ['', '=== summary ===',
           f"{'part':<12} {'passed':>7} {'failed':>7} {'skipped':>8} {'broken':>7} {'time':>8}"]
    for p in results.parts_of(summary):
        c = p.counts()
        out.append(f"{p.name:<12} {c['passed']:>7} {c['failed']:>7} {c['skipped']:>8} "
                   f"{c['broken']:>7} {duration(p.seconds or 0):>8}")
    for p in results.parts_of(summary):
        for name, status, note in p.cases:
            if status in ('fail', 'broken'):
                out.append(f"{'BROKEN' if status == 'broken' else 'FAILED'} {p.name}: {name}"
                           + (f': {note}' if note else ''))
    out.append(f"KTAP: {os.path.relpath(build(KTAP))}, JSON: {os.path.relpath(build(SUMMARY))}")
    return out + [''] + results.closing_lines(summary['totals'])


def main(argv):
    import knobs
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='environment (default after =):\n' + '\n'.join(
                                    knobs.lines(knobs.knobs_of('test-all.py', knobs.table())))
                                + "\nand each part's scripts' (make help)")
    p.add_argument('parts', nargs='*', metavar='PART', help=' '.join([*PARTS, *NAMED_ONLY]))
    p.add_argument('--shard', metavar='I/N', help='with part mutants: only the I-th of N shares')
    p.add_argument('--record', action='store_true',
                   help=f'write the last run\'s tests to {os.path.relpath(EXPECTED, TOP)} and stop')
    a = p.parse_args(argv)
    if a.record:
        return record()
    names = a.parts or list(PARTS)
    known = {**PARTS, **NAMED_ONLY}
    unknown = [n for n in names if n not in known]
    if unknown:
        sys.exit(f"error: no such part: {' '.join(unknown)} (parts: {' '.join(known)})")
    runs = {name: known[name] for name in names}
    if a.shard is not None:
        if 'mutants' not in a.parts:
            sys.exit('error: --shard applies to the mutants part: test-all.py mutants --shard I/N')
        try:
            share = shard(mutant_names(), a.shard)
        except ValueError as e:
            sys.exit(f'error: {e}')
        runs['mutants'] = lambda: mutants(share)
    os.makedirs(build(), exist_ok=True)
    times = results.load_json(build(TIMES)) or {}
    expected = read_expected()
    parts, notes, filters = [], [], {}
    start = time.time()
    for i, (name, run) in enumerate(runs.items(), 1):
        print('\n' + progress(i, len(runs), name, list(runs), start, times), flush=True)
        t0 = time.time()
        got = run()
        part = got if isinstance(got, results.Part) else results.Part.from_counts(name, got)
        part.name, part.seconds = name, round(time.time() - t0)
        why = filtered(name, a.shard)
        if why:
            filters[name] = why
            notes.append(f'{name}: {why}: no floor')
        else:
            notes += apply_floor(part, expected.get(name))
        c = part.counts()
        print(f"--- {name}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped, "
              f"{c['broken']} broken in {part.seconds} s", flush=True)
        parts.append(part)
        times[name] = part.seconds
        with open(build(TIMES), 'w') as f:
            json.dump(times, f, indent=1)
    summary = results.summary_json(parts, seconds=round(time.time() - start))
    for name, why in filters.items():
        summary['parts'][name]['filtered'] = why
    with open(build(SUMMARY), 'w') as f:
        json.dump(summary, f, indent=1)
    with open(build(KTAP), 'w') as f:
        f.write(results.ktap(parts))
    for line in notes:
        print('note: ' + line)
    # What is printed comes from what was written.
    print('\n'.join(human_summary(results.load_json(build(SUMMARY)))))
    t = summary['totals']
    return 1 if t['failed'] or t['broken'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
