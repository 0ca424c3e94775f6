#!/usr/bin/env python3
"""Report of `make cost` (build/cost/cost.csv): per mode, the fix's time over stock's.

Two times of each run, each reported on its own: the elapsed time of the populating call (ns) and
the CPU time its thread spent in it (cpu_ns, when the CSV has it: the work done, without the waits
for the disk). Under QEMU's -icount (make cost ICOUNT=1) the guest's clock counts instructions:
the CPU time is then the same work counted the same way in every boot, while an elapsed time that
waits for the disk depends on when the host's reads come back.

The ratio is of the medians of all runs (run 0 of each boot, the warm-up, left out). Its spread:
the range and middle half of the per-round ratios (each the median of the fix's runs in one round
over stock's in the same round; the two kernels boot one after the other in a round), and a 95 %
confidence interval, the 2.5th and 97.5th percentiles of the ratio over 2000 resamplings of the
rounds (bootstrap; the round is the unit, since a boot shifts all its runs alike). Then what a run
cost the disk, per mode and kernel: the medians of read requests, MiB read and major faults
(readahead shows as fewer, larger reads). The same figures go to cost.json beside the CSV.

Verdict, for each file mode against LIMIT (the second argument, default 1.02; make cost passes
its LIMIT): "over" when the whole interval is above LIMIT (exit status 1), "within" when it is at
or below, "unresolved" when it holds LIMIT: the noise is larger than the limit, and more rounds
or a quieter host are needed. The anonymous control, which the fix does not touch, is "off" when
its interval leaves out 1: then the kernels' boots differ by more than the fix, and no file
verdict stands. With fewer than 5 rounds (TRACE=1 runs for the counts), no verdict.
"""
import csv
import json
import os
import random
import statistics
import sys
from collections import defaultdict


# Fewer rounds than this give an interval of no meaning: no verdict.
MIN_ROUNDS = 5


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def bootstrap(rounds, mode, boots, n=2000):
    """The 2.5th and 97.5th percentiles of the ratio of medians over resamplings of boots."""
    rng = random.Random(0)              # the same data give the same interval
    ratios = []
    for _ in range(n):
        pick = [rng.choice(boots) for _ in boots]
        fix = [ns for b in pick for ns in rounds[mode, 'fix', b]]
        stock = [ns for b in pick for ns in rounds[mode, 'stock', b]]
        ratios.append(statistics.median(fix) / statistics.median(stock))
    ratios.sort()
    return ratios[int(0.025 * n)], ratios[int(0.975 * n) - 1]


# The times a CSV may hold, and what each is, for the report's headings.
METRICS = {'ns': 'elapsed time of the population', 'cpu_ns': 'CPU time of the populating thread'}


def read(path):
    times = defaultdict(lambda: defaultdict(list))  # metric -> (mode, kernel, round) -> ns
    io = defaultdict(list)              # (mode, kernel) -> (reads, sectors, majfaults)
    engines = set()
    with open(path) as f:
        for row in csv.DictReader(f):
            engines.add(row['engine'])
            if row['run'] == '0':       # the warm-up run of a boot
                continue
            for metric in METRICS:
                if row.get(metric):
                    times[metric][row['mode'], row['kernel'], row['boot']].append(int(row[metric]))
            if 'reads' in row:
                io[row['mode'], row['kernel']].append(
                    (int(row['reads']), int(row['sectors']), int(row['majfaults'])))
    return times, io, engines


def main(path, limit=1.02):
    times, io, engines = read(path)
    print(f"engine: {', '.join(sorted(engines))}")
    summaries = {}
    for metric in METRICS:
        if times[metric]:
            print(f'{METRICS[metric]} ({metric}):')
            summaries[metric] = ratios(times[metric], limit)
    summary = summaries['ns']
    modes = sorted(summary)
    report_io(io, modes, summary)
    verdicts = {f'{m} ({metric})': s['verdict']
                for metric, modes_summary in summaries.items() for m, s in modes_summary.items()}
    out = os.path.splitext(path)[0] + '.json'
    with open(out, 'w') as f:
        json.dump({'engine': sorted(engines), 'limit': limit, 'modes': summary,
                   'cpu_modes': summaries.get('cpu_ns', {})}, f, indent=1)
    print(f'summary: {out}')
    return verdict(verdicts, limit)


def ratios(rounds, limit):
    """Per mode: the ratio of the medians, its spread and its verdict; prints the table."""
    modes = sorted({m for m, _, _ in rounds})
    summary = {}
    print(f"{'mode':15} {'stock ms':>9} {'fix ms':>9} {'n':>7} {'fix/stock':>9} {'95% CI':>13}  "
          'per-round ratio: min [q1 q3] max  verdict')
    for mode in modes:
        boots = sorted(b for (m, k, b) in rounds
                       if m == mode and k == 'fix' and (mode, 'stock', b) in rounds)
        if not boots:
            continue
        stock = [ns for b in boots for ns in rounds[mode, 'stock', b]]
        fix = [ns for b in boots for ns in rounds[mode, 'fix', b]]
        ratio = statistics.median(fix) / statistics.median(stock)
        per_round = sorted(statistics.median(rounds[mode, 'fix', b]) /
                           statistics.median(rounds[mode, 'stock', b]) for b in boots)
        q1, q3 = quartiles(per_round)
        lo, hi = bootstrap(rounds, mode, boots)
        if len(boots) < MIN_ROUNDS:
            verdict = 'few rounds'
        elif not mode.startswith('file'):
            verdict = 'ok' if lo <= 1 <= hi else 'off'
        elif lo > limit:
            verdict = 'over'
        elif hi <= limit:
            verdict = 'within'
        else:
            verdict = 'unresolved'
        print(f'{mode:15} {statistics.median(stock) / 1e6:9.1f} {statistics.median(fix) / 1e6:9.1f} '
              f'{len(stock):>3}/{len(fix):<3} {ratio:9.3f} {lo:6.3f}-{hi:.3f}  {per_round[0]:.3f} '
              f'[{q1:.3f} {q3:.3f}] {per_round[-1]:.3f}  {verdict}')
        summary[mode] = {
            'runs': {'stock': len(stock), 'fix': len(fix)},
            'median_ns': {'stock': statistics.median(stock), 'fix': statistics.median(fix)},
            'ratio': ratio, 'ratio_95ci': [lo, hi],
            'per_round_ratio': {'min': per_round[0], 'q1': q1, 'q3': q3, 'max': per_round[-1],
                                'n': len(per_round)},
            'verdict': verdict}
    return summary


def report_io(io, modes, summary):
    if io:
        print(f"{'mode':15} {'kernel':6} {'reads':>7} {'MiB read':>9} {'KiB/read':>9} "
              f"{'majfaults':>9}  (medians per run)")
    for mode in modes:
        for kernel in ('stock', 'fix'):
            runs_io = io[mode, kernel]
            if not runs_io or mode not in summary:
                continue
            reads = statistics.median(r for r, _, _ in runs_io)
            sectors = statistics.median(s for _, s, _ in runs_io)
            majfaults = statistics.median(m for _, _, m in runs_io)
            summary[mode][kernel] = {'reads': reads, 'sectors': sectors, 'majfaults': majfaults}
            if reads < 0:       # no disk in this run
                print(f"{mode:15} {kernel:6} {'-':>7} {'-':>9} {'-':>9} {majfaults:9.0f}")
                continue
            per_read = f'{sectors / 2 / reads:9.1f}' if reads > 0 else f"{'-':>9}"
            print(f'{mode:15} {kernel:6} {reads:7.0f} {sectors / 2048:9.1f} {per_read} '
                  f'{majfaults:9.0f}')


def verdict(verdicts, limit):
    off = [m for m, v in verdicts.items() if v == 'off']
    over = [m for m, v in verdicts.items() if v == 'over']
    unresolved = [m for m, v in verdicts.items() if v == 'unresolved']
    pct = f'{(limit - 1) * 100:.0f} %'
    if off:
        print(f"the control moved ({' '.join(off)}): the boots differ by more than the fix; "
              'no verdict on the file modes')
        return 0
    if over:
        print(f"the fix costs more than {pct} on: {' '.join(over)}")
        return 1
    if unresolved:
        print(f"unresolved: the 95 % interval holds {pct} on: {' '.join(unresolved)} "
              '(the noise is larger than the limit: more ROUNDS, or a quieter host)')
    return 0


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: cost-report.py build/cost/cost.csv [LIMIT]')
    sys.exit(main(sys.argv[1], *map(float, sys.argv[2:])))
