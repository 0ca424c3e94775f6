#!/usr/bin/env python3
"""Report of `make cost` (build/cost/cost.csv): per mode, the fix's time over stock's.

The ratio is of the medians of all runs; its spread is the range (and the middle half) of the
per-round ratios, each the median of the fix's runs in one round over stock's in the same round
(the two kernels boot one after the other in a round). Exit status 1 when a file mode's ratio is
above LIMIT (the second argument, default 1.02; make cost passes its LIMIT).
"""
import csv
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
    engines = set()
    with open(path) as f:
        for row in csv.DictReader(f):
            engines.add(row['engine'])
            runs[row['mode'], row['kernel']].append(int(row['ns']))
            rounds[row['mode'], row['kernel'], row['boot']].append(int(row['ns']))
    modes = sorted({m for m, _ in runs})
    print(f"engine: {', '.join(sorted(engines))}")
    print(f"{'mode':15} {'stock ms':>9} {'fix ms':>9} {'n':>7} {'fix/stock':>9}  per-round ratio: "
          'min [q1 q3] max')
    over = []
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
        if mode.startswith('file') and ratio > limit:
            over.append(mode)
    if over:
        print(f"the fix costs more than {(limit - 1) * 100:.0f} % on: {' '.join(over)}")
        return 1
    return 0


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: cost-report.py build/cost/cost.csv [LIMIT]')
    sys.exit(main(sys.argv[1], *map(float, sys.argv[2:])))
