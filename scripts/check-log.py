#!/usr/bin/env python3
"""Judge one kunit.py run: its own verdict, plus the kernel log's splats, and print the summary.

A lockdep report, BUG, WARNING, KASAN or DEBUG_VM splat anywhere in the kernel log fails the run,
even when every KUnit test passed.
"""
import argparse
import json
import re
import sys

# The first line of every report the kernel's checkers print.
SPLAT = re.compile(
    r'(BUG: |WARNING: |kernel BUG at |Kernel panic|Oops|UBSAN: |INFO: possible '
    r'|INFO: task .* blocked for more than|INFO: rcu_.* stall|page dumped because'
    r'|general protection fault|Unable to handle kernel'
    r'|INFO: trying to register non-static key|turning off the locking correctness validator)')
COUNTS = re.compile(r'Testing complete\. Ran (\d+) tests: ?(.*)')
SUITE = re.compile(r'^ {4}# Subtest: (\S+)')
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


def summarize(kunit_out, log_lines, status):
    """Everything the summary says, as a dict; 'ok' is the verdict."""
    counts = {}
    for line in kunit_out:
        m = COUNTS.search(line)
        if m:
            counts = {'total': int(m.group(1))}
            for part in m.group(2).split(','):
                if ':' in part:
                    name, n = part.split(':')
                    counts[name.strip()] = int(n)
    r = {
        'suites': [m.group(1) for m in map(SUITE.match, log_lines) if m],
        'total': counts.get('total'),
        'passed': counts.get('passed', 0),
        'failed': counts.get('failed', 0) + counts.get('crashed', 0) + counts.get('errors', 0),
        'skipped': counts.get('skipped', 0),
        'injected': sum(int(m.group(1)) for m in map(INJECTED.search, log_lines) if m),
        'splats': splats(log_lines),
        'timed_out': any(TIMED_OUT.search(line) for line in kunit_out),
        'status': status,
    }
    r['ok'] = (status == 0 and r['total'] is not None and r['failed'] == 0
               and not r['splats'] and not r['timed_out'])
    return r


def report(r, log, wall, repro, engine=None):
    out = ['', '== mm_populate summary ==']
    if engine:
        out.append(f'engine:  {engine}')
    out.append(f"suites:  {len(r['suites'])} ({', '.join(r['suites']) or 'none ran'})")
    if r['total'] is None:
        out.append('tests:   no result from kunit.py (build failed or the kernel crashed)')
    else:
        out.append(f"tests:   {r['passed']} passed, {r['failed']} failed, {r['skipped']} skipped")
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
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('kunit_out', help="kunit.py's own output")
    p.add_argument('test_log', help='the kernel log kunit.py kept (build_dir/test.log)')
    p.add_argument('--status', type=int, default=0, help="kunit.py's exit status")
    p.add_argument('--wall', type=int, help='seconds the run took')
    p.add_argument('--repro', help='the command that reproduces the run')
    p.add_argument('--json', help='also write the counts and the verdict here')
    p.add_argument('--engine', help='what ran the kernel (make smp: QEMU and its accelerator)')
    a = p.parse_args(argv)
    r = summarize(read_lines(a.kunit_out), read_lines(a.test_log), a.status)
    print(report(r, a.test_log, a.wall, a.repro, a.engine))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(dict(r, splats=[first for first, _ in r['splats']], engine=a.engine), f,
                      indent=1)
    return 0 if r['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
