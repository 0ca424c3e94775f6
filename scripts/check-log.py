#!/usr/bin/env python3
"""Judge one kunit.py run: its own results (kunit.py --json), plus the kernel log's splats, and
print the summary.

A lockdep report, BUG, WARNING, KASAN or DEBUG_VM splat anywhere in the kernel log fails the run,
even when every KUnit test passed. --json writes the verdict as data: the counts, and every test
case as results.py reads it ("kernel_log" is the splat check; "kunit.py" a run that gave no
verdict: broken).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

# The first line of every report the kernel's checkers print.
SPLAT = re.compile(
    r'(BUG: |WARNING: |kernel BUG at |Kernel panic|Oops|UBSAN: |INFO: possible '
    r'|INFO: task .* blocked for more than|INFO: rcu_.* stall|page dumped because'
    r'|general protection fault|Unable to handle kernel'
    r'|INFO: trying to register non-static key|turning off the locking correctness validator)')
INJECTED = re.compile(r'faults injected: (\d+)')
TIMED_OUT = re.compile(r'timed out after|TimeoutExpired')


def splats(log_lines):
    """The first line of each report, and the lines that follow it (up to 8)."""
    found = []
    for i, line in enumerate(log_lines):
        m = SPLAT.search(line)
        if m:
            found.append((line[m.start():].rstrip(), log_lines[i + 1:i + 9]))
    return found


def summarize(kunit_json, kunit_out, log_lines, status):
    """Everything the summary says, as a dict; 'ok' is the verdict, 'tests' the cases.

    kunit_json is what kunit.py --json wrote (None when it wrote nothing: the build failed or
    kunit.py itself stopped); kunit_out is kunit.py's printed output, read only for the timeout
    that kunit.py reports in no other way."""
    cases = list(results.kunit_cases(kunit_json)) if kunit_json else []
    count = {s: sum(1 for _, st in cases if st == s) for s in results.STATUSES}
    r = {
        'suites': [g['name'] for g in (kunit_json or {}).get('sub_groups', [])],
        'total': len(cases) if kunit_json else None,
        'passed': count['ok'],
        'failed': count['fail'],
        'crashed': count['broken'],
        'skipped': count['skip'],
        'failing': [n for n, st in cases if st in ('fail', 'broken')],
        'injected': sum(int(m.group(1)) for m in map(INJECTED.search, log_lines) if m),
        'splats': splats(log_lines),
        'timed_out': any(TIMED_OUT.search(line) for line in kunit_out),
        'status': status,
    }
    tests = [(n, st, '') for n, st in cases]
    tests.append(('kernel_log', 'fail' if r['splats'] else 'ok',
                  r['splats'][0][0] if r['splats'] else ''))
    if not cases:
        why = ('the kernel did not finish before the timeout' if r['timed_out'] else
               'no result from kunit.py (build failed or the kernel did not start)')
        tests.append(('kunit.py', 'broken', why))
    elif status != 0 and not r['failing'] and not r['splats']:
        tests.append(('kunit.py', 'broken', f'kunit.py exited {status} with no failing test'))
    r['tests'] = tests
    r['broken'] = any(st == 'broken' for _, st, _ in tests)
    r['ok'] = (status == 0 and bool(cases) and r['failed'] == 0 and not r['crashed']
               and not r['splats'] and not r['timed_out'])
    return r


def mutant_verdict(r):
    """What a mutant's run says, from its --json result (None: no result): "survived", "broken"
    (no verdict), or what killed it: "splat", "hang" and the failing tests' names without their
    suite ("suite.test.param" gives "test" and "param", as a Killed-by: line names them)."""
    if r is None:
        return 'broken'
    if r['ok']:
        return 'survived'
    by = ['splat'] * bool(r['splats']) + ['hang'] * r['timed_out'] + sorted(set(
        part for t in r['failing'] for part in t.split('.')[1:] if part))
    return ' '.join(by) or 'broken'


def report(r, log, wall, repro, engine=None):
    out = ['', '== mm_populate summary ==']
    if engine:
        out.append(f'engine:  {engine}')
    out.append(f"suites:  {len(r['suites'])} ({', '.join(r['suites']) or 'none ran'})")
    if r['total'] is None:
        out.append('tests:   no result from kunit.py (build failed or the kernel crashed)')
    else:
        out.append(f"tests:   {r['passed']} passed, {r['failed']} failed, {r['skipped']} skipped"
                   + (f", {r['crashed']} crashed" if r['crashed'] else ''))
    out.append(f"faults injected: {r['injected']}")
    if r['splats']:
        out.append(f"splats:  {len(r['splats'])}")
        for first, following in r['splats'][:5]:
            out.append(f'  {first}')
            out.extend(f'    {line.rstrip()}' for line in following[:3])
    else:
        out.append('splats:  none')
    if r['timed_out']:
        out.append('hang:    the kernel did not finish before the timeout')
    if wall is not None:
        out.append(f'wall:    {wall} s')
    out.append(f'log:     {log}')
    if not r['ok'] and repro:
        out.append(f'rerun:   {repro}')
    out.append('result:  ' + ('PASS' if r['ok'] else 'FAIL'))
    return '\n'.join(out)


def read_lines(path):
    try:
        with open(path, errors='replace') as f:
            return f.readlines()
    except FileNotFoundError:
        return []


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == '--mutant-verdict':
        print(mutant_verdict(results.load_json(argv[1])))
        return 0
    p = argparse.ArgumentParser(description=__doc__, epilog='check-log.py --mutant-verdict RESULT: '
                                'what killed a mutant, from the --json RESULT of its run')
    p.add_argument('kunit_json', help="what kunit.py --json=FILE wrote (missing: no result)")
    p.add_argument('kunit_out', help="kunit.py's own output (read for its timeout only)")
    p.add_argument('test_log', help='the kernel log kunit.py kept (build_dir/test.log)')
    p.add_argument('--status', type=int, default=0, help="kunit.py's exit status")
    p.add_argument('--wall', type=int, help='seconds the run took')
    p.add_argument('--repro', help='the command that reproduces the run')
    p.add_argument('--json', help='also write the counts and the verdict here')
    p.add_argument('--engine', help='what ran the kernel (make smp: QEMU and its accelerator)')
    a = p.parse_args(argv)
    r = summarize(results.load_json(a.kunit_json), read_lines(a.kunit_out), read_lines(a.test_log),
                  a.status)
    print(report(r, a.test_log, a.wall, a.repro, a.engine))
    if a.json:
        extra = {k: v for k, v in r.items() if k != 'tests'}
        results.write_script_result(a.json, r['tests'],
                                    **dict(extra, engine=a.engine, splats=[first for first, _ in r['splats']]))
    return 0 if r['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
