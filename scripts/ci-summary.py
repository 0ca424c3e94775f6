#!/usr/bin/env python3
"""One CI job's result in Markdown, for the run's summary page ($GITHUB_STEP_SUMMARY).

    ci-summary.py JOB

Everything comes from the files the job left in build/ (each CI job starts from a fresh build/,
so none is stale): the counts and what failed or broke from test-all.py's JSON summary
(build/test-results.json), faults injected and splats from the kunit part's result.json, the
bench's table from build/bench/results.md (job "bench").
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))


def details(part):
    """Lines of Markdown saying what the counts do not."""
    if part.name == 'kunit':
        r = results.load_json(os.path.join(BUILD, 'kunit', 'result.json'))
        if r:
            yield (f"{len(r['suites'])} suites, faults injected: {r['injected']}, "
                   f"splats: {len(r['splats']) or 'none'}" + (', **timed out**' if r['timed_out'] else ''))
            yield from (f'- splat: `{s}`' for s in r['splats'][:5])
    if part.name == 'mutants':
        yield '```\n' + '\n'.join(f'{name:<40} {status:<6} {note}'
                                  for name, status, note in part.cases) + '\n```'
        return
    bad = [(n, s, note) for n, s, note in part.cases if s in ('fail', 'broken')]
    yield from (f"- {'broken' if s == 'broken' else 'failed'}: `{n}`" + (f': {note}' if note else '')
                for n, s, note in bad[:30])
    if len(bad) > 30:
        yield f'- and {len(bad) - 30} more'


def summary(job, s):
    out = [f'### {job}']
    if s is None:
        out.append('**no result**: the job stopped before the end (see its log)')
        return '\n'.join(out) + '\n'
    out.append('**' + '; '.join(results.closing_lines(s['totals'])) + '**')
    parts = results.parts_of(s)
    out += ['', '| part | passed | failed | skipped | broken | seconds |', '|---|---|---|---|---|---|']
    for p in parts:
        c = p.counts()
        out.append(f"| {p.name} | {c['passed']} | {c['failed']} | {c['skipped']} | {c['broken']} "
                   f"| {p.seconds} |")
    for p in parts:
        extra = list(details(p))
        if extra:
            out += ['', f'{p.name}:', *extra]
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) != 1 or argv[0] in ('-h', '--help'):
        print(__doc__.strip())
        sys.exit(0 if argv and argv[0] in ('-h', '--help') else 2)
    job = argv[0]
    if job != 'bench':
        sys.stdout.write(summary(job, results.load_json(os.path.join(BUILD, 'test-results.json'))))
        return
    md = os.path.join(BUILD, 'bench', 'results.md')
    if os.path.exists(md):
        # make bench prints no test-all.py counts; its table ends with the shape check's verdict.
        with open(md) as f:
            sys.stdout.write(f'### {job}\n{f.read()}')
    else:
        sys.stdout.write(f'### {job}\n**no results.md**: see the job\'s log\n')


if __name__ == '__main__':
    main(sys.argv[1:])
