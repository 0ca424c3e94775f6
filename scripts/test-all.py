#!/usr/bin/env python3
"""`make test`: run every part of the project's tests and end with "N passed, N failed, N skipped".

`test-all.py PART...` runs only those parts; `test-all.py mutants --shard I/N` runs the I-th of N
shares of the mutants (CI's matrix runs the N shares side by side). Each part returns (passed,
failed, skipped); a part that cannot produce counts (a build that broke, a kernel that hung, a
splat) counts as one failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))


def kunit_suites():
    rc = subprocess.call([os.path.join(TOP, 'scripts', 'run-kunit.sh')])
    try:
        with open(os.path.join(BUILD, 'kunit', 'result.json')) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return 0, 1, 0
    # A run that failed without a failing test (splat, hang, crash) is one failure of its own.
    run_failed = 1 if (rc != 0 or not r['ok']) and r['failed'] == 0 else 0
    return r['passed'], r['failed'] + run_failed, r['skipped']


def nommu():
    """make nommu: each nommu mutant, which the no-MMU suite must fail, then the suite itself (last,
    so that build/nommu/ keeps the unbroken kernel and its log; a mutant's output is kept beside it)."""
    kbuild = os.path.join(BUILD, 'nommu', 'kunit')
    result = os.path.join(kbuild, 'result.json')

    def run(mutant=''):
        if os.path.exists(result):
            os.remove(result)
        rc = subprocess.call([os.path.join(TOP, 'scripts', 'run-nommu.sh')],
                             env=dict(os.environ, MUTANT=mutant))
        try:
            with open(result) as f:
                return rc, json.load(f)
        except (OSError, ValueError):
            return rc, None

    passed = failed = 0
    mutants_dir = os.path.join(TOP, 'patches', 'nommu-mutants')
    for name in sorted(n[:-len('.patch')] for n in os.listdir(mutants_dir) if n.endswith('.patch')):
        print(f'\n--- nommu mutant {name}', flush=True)
        _, m = run(name)
        for log in ('kunit.out', 'test.log'):
            if os.path.exists(os.path.join(kbuild, log)):
                shutil.copy(os.path.join(kbuild, log), os.path.join(BUILD, 'nommu', f'{name}.{log}'))
        killed = m is not None and not m['ok'] and bool(m['failed'] or m['timed_out'] or m['splats'])
        print(f'--- nommu mutant {name}: ' + ('killed' if killed else 'SURVIVED (or did not build)'),
              flush=True)
        passed += killed
        failed += not killed
    rc, r = run()
    if r is None:
        return passed, failed + 1, 0
    run_failed = 1 if (rc != 0 or not r['ok']) and r['failed'] == 0 else 0
    return passed + r['passed'], failed + r['failed'] + run_failed, r['skipped']


def selftests():
    """The userspace programs in the UML guest, plain and under each preset (make selftests)."""
    if subprocess.call([os.path.join(TOP, 'scripts', 'build-selftests.sh')]):
        return 0, 1, 0
    result = os.path.join(BUILD, 'selftests', 'result.json')
    if os.path.exists(result):
        os.remove(result)
    rc = subprocess.call([os.path.join(TOP, 'scripts', 'run-selftests.py')])
    try:
        with open(result) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return 0, 1, 0
    # Broken cells (no boot, a hang, a crash: no result) fail the run as failed ones do.
    bad = r['failed'] + r['broken']
    return r['passed'], bad + (1 if rc and not bad else 0), r['skipped']


def script_tests():
    # What a fresh machine sees: no git identity, no global or system git configuration.
    os.environ.update(GIT_CONFIG_GLOBAL='/dev/null', GIT_CONFIG_NOSYSTEM='1')
    suite = unittest.defaultTestLoader.discover(os.path.join(TOP, 'scripts', 'tests'), top_level_dir=TOP)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    return result.testsRun - failed - skipped, failed, skipped


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
    env = dict(os.environ)
    if names is not None:
        if not names:
            # run-mutants.sh reads an empty MUTANT as "all of them".
            print('no mutant in this shard')
            return 0, 0, 0
        env['MUTANT'] = ' '.join(names)
        print(f"mutants of this shard: {env['MUTANT']}", flush=True)
    out = subprocess.run([os.path.join(TOP, 'scripts', 'run-mutants.sh')], stdout=subprocess.PIPE,
                         text=True, env=env).stdout
    print(out, end='')
    m = re.search(r'== mutants: (\d+) killed, (\d+) killed by the wrong test, (\d+) survived', out)
    return (int(m.group(1)), int(m.group(2)) + int(m.group(3)), 0) if m else (0, 1, 0)


def counted(script, name, **env):
    """Run a script that ends with "== <name>: N passed, N failed"; no such line is one failure."""
    out = subprocess.run([os.path.join(TOP, 'scripts', script)], stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, **env)).stdout
    print(out, end='')
    m = re.search(rf'== {name}: (\d+) passed, (\d+) failed', out)
    return (int(m.group(1)), int(m.group(2)), 0) if m else (0, 1, 0)


def soak():
    """A short make soak: the suites on three boots of the kernel the kunit part built."""
    return counted('run-soak.sh', 'soak', N='3', LOAD='0')


def gdb_check():
    """gdb stops in the populate path of the kernel the kunit part built, and reads it."""
    return counted('gdb-check.py', 'gdb-check')


def bisect_check():
    """Every prefix of the series builds and boots."""
    return counted('bisect-check.sh', 'bisect-check')


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


def repro():
    """The retry-forever bug on stock 6.12 with the block layer's fault injection, and its fix."""
    # 6.1's two kernels are left out: they would add two cold builds to make test.
    return counted('run-repro.py', 'repro', KERNEL='6.12')


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
    checks = [(name, ['--ignore', 'UNKNOWN_COMMIT_ID', os.path.join(TOP, 'patches', name)])
              for name in series]
    for name in sorted(os.listdir(os.path.join(TOP, 'kunit'))):
        if name.endswith(('.c', '.h')):
            checks.append(('kunit/' + name, ['--no-tree', '-f', os.path.join(TOP, 'kunit', name)]))
    passed = failed = 0
    for name in filter(None, series):
        problem = message_ends_with_trailers(os.path.join(TOP, 'patches', name))
        print(('ok   ' if problem is None else 'FAIL ') + name + ' (message)' +
              (f': {problem}' if problem else ''))
        passed += problem is None
        failed += problem is not None
    for name, args in checks:
        r = subprocess.run([os.path.join(linux, 'scripts', 'checkpatch.pl'), '--strict', '-q', *args],
                           capture_output=True, text=True)
        print(('ok   ' if r.returncode == 0 else 'FAIL ') + name)
        if r.returncode:
            print(r.stdout)
        passed += r.returncode == 0
        failed += r.returncode != 0
    return passed, failed, 0


PARTS = {
    'kunit': kunit_suites,
    'soak': soak,
    'nommu': nommu,
    'gdb': gdb_check,
    'selftests': selftests,
    'scripts': script_tests,
    'checkpatch': checkpatch,
    'bisect': bisect_check,
    'repro': repro,
    'mutants': mutants,
}


def main(argv):
    p = argparse.ArgumentParser(description='Run the parts of `make test` (all when none is named).')
    p.add_argument('parts', nargs='*', metavar='PART', help=' '.join(PARTS))
    p.add_argument('--shard', metavar='I/N', help='with part mutants: only the I-th of N shares')
    a = p.parse_args(argv)
    names = a.parts or list(PARTS)
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        sys.exit(f"error: no such part: {' '.join(unknown)} (parts: {' '.join(PARTS)})")
    runs = {name: PARTS[name] for name in names}
    if a.shard is not None:
        if 'mutants' not in a.parts:
            sys.exit('error: --shard applies to the mutants part: test-all.py mutants --shard I/N')
        try:
            share = shard(mutant_names(), a.shard)
        except ValueError as e:
            sys.exit(f'error: {e}')
        runs['mutants'] = lambda: mutants(share)
    totals = [0, 0, 0]
    for name, run in runs.items():
        print(f'\n=== {name} ===', flush=True)
        start = time.time()
        counts = run()
        print(f'--- {name}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped'
              f' in {time.time() - start:.0f} s', flush=True)
        totals = [t + c for t, c in zip(totals, counts)]
    print(f'\n{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped')
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
