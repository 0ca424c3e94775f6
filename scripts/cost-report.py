#!/usr/bin/env python3
"""Report of `make cost` (build/cost/cost.csv): per mode, the fix's time over stock's.

The ratio is of the medians of all runs (run 0 of each boot, the warm-up, left out); its spread is the range (and the middle half) of the
per-round ratios, each the median of the fix's runs in one round over stock's in the same round
(the two kernels boot one after the other in a round). Then what a run cost the disk, per mode
and kernel: the medians of read requests, MiB read and major faults (readahead shows as fewer,
larger reads). The same figures go to cost.json beside the CSV. Exit status 1 when a file mode's
ratio is above LIMIT (the second argument, default 1.02; make cost passes its LIMIT).
"""
import csv
import json
import os
import statistics
import sys
from collections import defaultdict


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main(path, limit=1.02):
    runs = defaultdict(list)            # (mode, kernel) -> ns
    rounds = defaultdict(list)          # (mode, kernel, round) -> ns
    io = defaultdict(list)              # (mode, kernel) -> (reads, sectors, majfaults)
    engines = set()
    with open(path) as f:
        for row in csv.DictReader(f):
            engines.add(row['engine'])
            if row['run'] == '0':       # the warm-up run of a boot
                continue
            runs[row['mode'], row['kernel']].append(int(row['ns']))
            rounds[row['mode'], row['kernel'], row['boot']].append(int(row['ns']))
            if 'reads' in row:
                io[row['mode'], row['kernel']].append(
                    (int(row['reads']), int(row['sectors']), int(row['majfaults'])))
    modes = sorted({m for m, _ in runs})
    print(f"engine: {', '.join(sorted(engines))}")
    print(f"{'mode':15} {'stock ms':>9} {'fix ms':>9} {'n':>7} {'fix/stock':>9}  per-round ratio: "
          'min [q1 q3] max')
    over = []
    summary = defaultdict(dict)
    for mode in modes:
        stock, fix = runs[mode, 'stock'], runs[mode, 'fix']
        if not stock or not fix:
            continue
        ratio = statistics.median(fix) / statistics.median(stock)
        per_round = sorted(statistics.median(rounds[mode, 'fix', b]) /
                           statistics.median(rounds[mode, 'stock', b])
                           for (m, k, b) in rounds if m == mode and k == 'fix'
                           and (mode, 'stock', b) in rounds)
        q1, q3 = quartiles(per_round)
        print(f'{mode:15} {statistics.median(stock) / 1e6:9.1f} {statistics.median(fix) / 1e6:9.1f} '
              f'{len(stock):>3}/{len(fix):<3} {ratio:9.3f}  {per_round[0]:.3f} [{q1:.3f} {q3:.3f}] '
              f'{per_round[-1]:.3f}')
        summary[mode].update({
            'runs': {'stock': len(stock), 'fix': len(fix)},
            'median_ns': {'stock': statistics.median(stock), 'fix': statistics.median(fix)},
            'ratio': ratio, 'per_round_ratio': {'min': per_round[0], 'q1': q1, 'q3': q3,
                                                'max': per_round[-1], 'n': len(per_round)}})
        if mode.startswith('file') and ratio > limit:
            over.append(mode)
    if io:
        print(f"{'mode':15} {'kernel':6} {'reads':>7} {'MiB read':>9} {'KiB/read':>9} "
              f"{'majfaults':>9}  (medians per run)")
        for mode in modes:
            for kernel in ('stock', 'fix'):
                runs_io = io[mode, kernel]
                if not runs_io:
                    continue
                reads = statistics.median(r for r, _, _ in runs_io)
                sectors = statistics.median(s for _, s, _ in runs_io)
                majfaults = statistics.median(m for _, _, m in runs_io)
                summary[mode][kernel] = {'reads': reads, 'sectors': sectors,
                                         'majfaults': majfaults}
                if reads < 0:   # no disk in this mode
                    print(f"{mode:15} {kernel:6} {'-':>7} {'-':>9} {'-':>9} {majfaults:9.0f}")
                    continue
                per_read = f'{sectors / 2 / reads:9.1f}' if reads > 0 else f"{'-':>9}"
                print(f'{mode:15} {kernel:6} {reads:7.0f} {sectors / 2048:9.1f} {per_read} '
                      f'{majfaults:9.0f}')
    out = os.path.splitext(path)[0] + '.json'
    with open(out, 'w') as f:
        json.dump({'engine': sorted(engines), 'limit': limit, 'over': over, 'modes': summary},
                  f, indent=1)
    print(f'summary: {out}')
    if over:
        print(f"the fix costs more than {(limit - 1) * 100:.0f} % on: {' '.join(over)}")
        return 1
    return 0


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: cost-report.py build/cost/cost.csv [LIMIT]')
    sys.exit(main(sys.argv[1], *map(float, sys.argv[2:])))
