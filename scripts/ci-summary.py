#!/usr/bin/env python3
"""One CI job's result in Markdown, for the run's summary page ($GITHUB_STEP_SUMMARY).

    ci-summary.py JOB LOG    LOG: what `scripts/test-all.py ...` or `make bench` printed

Counts come from test-all.py's own lines; faults injected, splats, failed cells and which test
killed each mutant from the files the parts leave in build/ (each CI job starts from a fresh
build/, so none is stale).
"""
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
PART = re.compile(r'^--- (\w+): (\d+) passed, (\d+) failed, (\d+) skipped(?: in \d+ s)?$')
TOTAL = re.compile(r'^\d+ passed, \d+ failed, \d+ skipped$')


def load(*path):
    try:
        with open(os.path.join(BUILD, *path)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def details(part, lines):
    """Lines of Markdown saying what the counts do not."""
    if part == 'kunit':
        r = load('kunit', 'result.json')
        if r:
            yield (f"{len(r['suites'])} suites, faults injected: {r['injected']}, "
                   f"splats: {len(r['splats']) or 'none'}" + (', **timed out**' if r['timed_out'] else ''))
            yield from (f'- splat: `{s}`' for s in r['splats'][:5])
    elif part == 'selftests':
        r = load('selftests', 'result.json')
        if r:
            yield from (f'- failed: {cell}: {got} ({extra})'
                        for cell, (got, verdict, extra) in r['cells'].items() if verdict == 'fail')
    elif part == 'nommu':
        r = load('nommu', 'kunit', 'result.json')
        if r:
            yield (f"splats: {len(r['splats']) or 'none'}" + (', **timed out**' if r['timed_out'] else ''))
        yield from (f'- {line[4:]}' for line in lines if re.match(r'--- nommu mutant \S+: ', line))
    elif part in ('gdb', 'checkpatch'):
        yield from (f'- `{line}`' for line in lines if line.startswith('FAIL '))
    elif part == 'mutants':
        start = next((i for i, line in enumerate(lines) if line.startswith('== mutants:')), None)
        if start is not None:
            table = []
            for line in lines[start + 1:]:
                if not line.strip() or line.startswith('---'):
                    break
                table.append(line)
            yield '```\n' + '\n'.join(table) + '\n```'


def summary(job, log_lines):
    out = [f'### {job}']
    total = next((line for line in reversed(log_lines) if TOTAL.match(line)), None)
    out.append(f'**{total}**' if total else '**no result**: the job stopped before the end (see its log)')
    parts = [m.groups() for m in map(PART.match, log_lines) if m]
    if parts:
        out += ['', '| part | passed | failed | skipped |', '|---|---|---|---|']
        out += [f'| {" | ".join(p)} |' for p in parts]
    for name, *_ in parts:
        extra = list(details(name, log_lines))
        if extra:
            out += ['', f'{name}:', *extra]
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: ci-summary.py JOB LOG')
    job, log = argv
    try:
        with open(log, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    results = os.path.join(BUILD, 'bench', 'results.md')
    if job != 'bench':
        sys.stdout.write(summary(job, lines))
    elif os.path.exists(results):
        # make bench prints no test-all.py counts; its table ends with the shape check's verdict.
        with open(results) as f:
            sys.stdout.write(f'### {job}\n{f.read()}')
    else:
        sys.stdout.write(f'### {job}\n**no results.md**: see the job\'s log\n')


if __name__ == '__main__':
    main(sys.argv[1:])
