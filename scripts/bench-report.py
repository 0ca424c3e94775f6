#!/usr/bin/env python3
"""The report of `make bench`: the benchmark's KTAP lines of each kernel's log, as tables (every run
and the medians, CSV and markdown), a log-log plot (gnuplot, if installed), and the shape check.

The series' claim: the longest write hold of mmap_lock does not grow with the population. Checked
on the medians of each workload, largest size over smallest: at most FLAT_MAX on the series kernel,
at least LINEAR_MIN on the experiment kernel (population under the write lock).

The yield kernel (and yield-N, the same with another batch size) lets a waiting writer in between
two batches of the population. Its goals, per workload of YIELD_WORKLOADS: the write hold flat as on
series; the other thread's longest wait for the write lock flat too (largest size over smallest at
most FLAT_MAX); the population's wall time, alone, at most WALL_MAX times series' from WALL_MIN_MIB
on; the longest wait for the read lock no worse than series' (READER_MAX, both raised to the noise
floor), at every size.
"""
import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys

LINE = re.compile(r'# (\w+): bench: (.*)$')
FIELDS = ['hold_max_ns', 'hold_total_ns', 'holds', 'read_hold_max_ns', 'wall_ns',
          'writer_max_wait_ns', 'writer_max_op_ns', 'writer_ops', 'reader_max_wait_ns',
          'reader_ops']
# Added later: absent from older logs, read as 0.
OPTIONAL_FIELDS = ['writer_pop_wall_ns', 'writer_pop_reads', 'writer_rt_max_wait_ns',
                   'writer_rt_max_op_ns', 'writer_rt_ops', 'writer_rt_pop_wall_ns',
                   'writer_rt_pop_reads']
WORKLOADS = ['anon', 'file', 'blk', 'brk']
TITLES = {'anon': 'anonymous mmap(MAP_POPULATE)', 'file': 'file mmap(MAP_POPULATE), slow reads',
          'blk': 'block device mmap(MAP_POPULATE), sleeping reads',
          'brk': 'brk() under mlockall(MCL_FUTURE)'}
FLAT_MAX = 2
LINEAR_MIN = 32
# yield: its goals, checked against series in the same run.
YIELD_WORKLOADS = ['anon', 'brk']
WALL_MAX = 1.05
WALL_MIN_MIB = 16
READER_MAX = 1.5
# --cost: the population's wall time with the fault-injection capabilities compiled in but disarmed
# (kernel "series") over the same without them ("noinject"), at most this, at COST_MIN_MIB and up
# (a 1 MiB population lasts ~0.1 ms: timer and host noise, not the hooks).
COST_MAX = 1.02
COST_MIN_MIB = 16
COST_WORKLOADS = ['anon', 'brk']
# The series' write hold is the vma setup alone: a few µs, which vary several-fold between runs on
# UML (host scheduling, timer signals). Ratios are taken with both medians raised to this floor,
# so that 2 µs against 5 µs is not read as growth; the raw ratio is printed beside.
NOISE_FLOOR_NS = 20000


def parse(kernel, path, engine='uml-1cpu', blk_delay_us=0):
    """Every run of one kernel's log: dicts with engine, kernel, workload, size_mib, rep and
    FIELDS. The block device's delay is the boot's (null_blk's), not in the log."""
    runs = []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            kv = dict(item.split('=', 1) for item in m.group(2).split())
            run = {'engine': engine, 'kernel': kernel, 'workload': kv['workload'],
                   'size_mib': int(kv['size_mib']), 'rep': int(kv['rep']),
                   'read_delay_us': int(kv.get('read_delay_us', 0))}
            if run['workload'] == 'blk':
                run['read_delay_us'] = blk_delay_us
            run.update((k, int(kv[k])) for k in FIELDS)
            run.update((k, int(kv.get(k, 0))) for k in OPTIONAL_FIELDS)
            runs.append(run)
    return runs


def medians(runs):
    """{(kernel, workload, size_mib): {field: median}} over the repetitions."""
    groups = {}
    for r in runs:
        groups.setdefault((r['kernel'], r['workload'], r['size_mib']), []).append(r)
    return {key: dict({f: statistics.median(r[f] for r in rs) for f in FIELDS + OPTIONAL_FIELDS},
                      reps=len(rs))
            for key, rs in groups.items()}


def us(ns):
    v = ns / 1000
    return f'{v:.0f}' if v >= 100 else f'{v:.1f}'


def floored(a, b):
    """a over b, both raised to the noise floor."""
    return max(a, NOISE_FLOOR_NS) / max(b, NOISE_FLOOR_NS)


def is_yield(kernel):
    return kernel == 'yield' or kernel.startswith('yield-')


def shape(med, kernels, sizes):
    """One verdict per kernel, workload and measure: (kernel, workload, what, ratio, raw ratio,
    expected, ok)."""
    out = []
    for kernel in kernels:
        if kernel not in ('series', 'experiment') and not is_yield(kernel):
            continue
        for w in WORKLOADS:
            lo, hi = med.get((kernel, w, sizes[0])), med.get((kernel, w, sizes[-1]))
            if not lo or not hi:
                continue
            raw = hi['hold_max_ns'] / max(lo['hold_max_ns'], 1)
            ratio = floored(hi['hold_max_ns'], lo['hold_max_ns'])
            if kernel == 'experiment':
                out.append((kernel, w, 'write hold', ratio, raw, f'>= {LINEAR_MIN} (~linear)',
                            ratio >= LINEAR_MIN))
            else:
                out.append((kernel, w, 'write hold', ratio, raw, f'<= {FLAT_MAX} (flat)',
                            ratio <= FLAT_MAX))
            if not is_yield(kernel) or w not in YIELD_WORKLOADS:
                continue
            for field, what in (('writer_max_wait_ns', 'writer wait'),
                                ('writer_rt_max_wait_ns', 'RT writer wait')):
                if not hi[field]:
                    continue  # an older log, without the RT writer
                raw = hi[field] / max(lo[field], 1)
                ratio = floored(hi[field], lo[field])
                out.append((kernel, w, what, ratio, raw, f'<= {FLAT_MAX} (flat)',
                            ratio <= FLAT_MAX))
            for s in sizes:
                y, base = med.get((kernel, w, s)), med.get(('series', w, s))
                if not y or not base:
                    continue
                if s >= WALL_MIN_MIB:
                    ratio = y['wall_ns'] / base['wall_ns']
                    out.append((kernel, w, f'wall {s} MiB / series', ratio, ratio,
                                f'<= {WALL_MAX}', ratio <= WALL_MAX))
                raw = y['reader_max_wait_ns'] / max(base['reader_max_wait_ns'], 1)
                ratio = floored(y['reader_max_wait_ns'], base['reader_max_wait_ns'])
                out.append((kernel, w, f'reader wait {s} MiB / series', ratio, raw,
                            f'<= {READER_MAX}', ratio <= READER_MAX))
    return out


def write_tables(out, runs, med, kernels, sizes, verdicts, engine):
    with open(os.path.join(out, 'runs.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['engine', 'kernel', 'workload', 'size_mib', 'rep'] + FIELDS
                   + ['read_delay_us'] + OPTIONAL_FIELDS)
        for r in runs:
            w.writerow([r['engine'], r['kernel'], r['workload'], r['size_mib'], r['rep']]
                       + [r[k] for k in FIELDS] + [r['read_delay_us']]
                       + [r[k] for k in OPTIONAL_FIELDS])
    with open(os.path.join(out, 'results.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['engine', 'kernel', 'workload', 'size_mib', 'reps']
                   + [f'median_{k}' for k in FIELDS + OPTIONAL_FIELDS])
        for kernel in kernels:
            for wl in WORKLOADS:
                for s in sizes:
                    m = med.get((kernel, wl, s))
                    if m:
                        w.writerow([engine, kernel, wl, s, m['reps']]
                                   + [round(m[k]) for k in FIELDS + OPTIONAL_FIELDS])
    lines = ['# mmap_lock during population: ' + ' vs '.join(kernels), '',
             f'Engine: {engine}.', '',
             f'Medians of {max(m["reps"] for m in med.values())} runs, in µs. '
             '`hold max`/`hold total`: write holds of mmap_lock by the populating task; `wall`: '
             'the mmap()/brk() call. `writer wait`: the longest wait for the write lock of another '
             'kthread of the same mm doing mmap+munmap of one page in a loop from the '
             'population\'s first fault on; `reader wait`: the same with a kthread taking the '
             'read lock (as page faults of another thread would). Each is its own run of the '
             'population; `RT writer wait`: the same with a SCHED_FIFO writer. `wall, writer`: the '
             'wall time of the population with the (SCHED_NORMAL) writer; '
             '`read locks, writer`: how often it took the read lock then (one, plus one per '
             'lock drop; not counted in older logs: 0).', '']
    head = ['workload', 'MiB']
    for col in ('hold max', 'hold total', 'writer wait', 'RT writer wait', 'reader wait', 'wall',
                'wall, writer', 'read locks, writer'):
        head += [f'{col} {k}' for k in kernels]
    lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for wl in WORKLOADS:
        for s in sizes:
            if not any((k, wl, s) in med for k in kernels):
                continue
            row = [wl, str(s)]
            for field in ('hold_max_ns', 'hold_total_ns', 'writer_max_wait_ns',
                          'writer_rt_max_wait_ns', 'reader_max_wait_ns', 'wall_ns',
                          'writer_pop_wall_ns', 'writer_pop_reads'):
                for k in kernels:
                    m = med.get((k, wl, s))
                    if not m:
                        row.append('-')
                    elif field.endswith('_ns'):
                        row.append(us(m[field]))
                    else:
                        row.append(f'{m[field]:.0f}')
            lines.append('| ' + ' | '.join(row) + ' |')
    lines += ['', f'Shape check: longest write hold (and on yield kernels the writer\'s longest '
              f'wait), median at {sizes[-1]} MiB over median at {sizes[0]} MiB; yield kernels\' '
              f'wall time and reader wait over series\' at the same size. Waits and holds are '
              f'raised to at least {NOISE_FLOOR_NS // 1000} µs (the noise of a hold of a few µs '
              'on UML; the raw ratio in brackets):', '']
    lines += [f'- {k} {wl} {what}: ratio {ratio:.2f} ({raw:.2f}), expected {exp}: '
              + (('goal met' if ok else 'GOAL MISSED') if is_yield(k)
                 else ('ok' if ok else 'NOT AS EXPECTED'))
              for k, wl, what, ratio, raw, exp, ok in verdicts]
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return lines


def plot(out, med, kernels, sizes, engine):
    """results.png: per workload, the longest write hold and the concurrent thread's longest waits
    for the lock, for write and for read, against the size."""
    if not shutil.which('gnuplot'):
        print('no gnuplot: no plot (apt-get install gnuplot-nox)', file=sys.stderr)
        return None
    # The workloads measured (make bench TESTS= may have run some only).
    workloads = [wl for wl in WORKLOADS if any((k, wl, s) in med for k in kernels for s in sizes)]
    dat = os.path.join(out, 'plot.dat')
    index = {}
    with open(dat, 'w') as f:
        # One gnuplot data block per (workload, kernel) measured, in that order.
        for wl in workloads:
            for k in kernels:
                points = [(s, med[(k, wl, s)]) for s in sizes if (k, wl, s) in med]
                if not points:
                    continue
                index[(wl, k)] = len(index)
                f.write(f'# {wl} {k}\n')
                for s, m in points:
                    # Clamped to 0.1 µs for the log scale (ktime_get_ns() resolves ~0.25 µs).
                    f.write(f"{s} " + ' '.join(str(max(m[field], 100) / 1e3) for field in
                            ('hold_max_ns', 'writer_max_wait_ns', 'writer_rt_max_wait_ns',
                             'reader_max_wait_ns', 'wall_ns')) + '\n')
                f.write('\n\n')
    png = os.path.join(out, 'results.png')
    script = [f"set terminal png size {350 * len(workloads)},1320 font ',8'", f"set output '{png}'",
              'set logscale xy', "set xtics (1, 4, 16, 64, 256)", 'set xrange [0.8:320]', 'set grid',
              'set key top left', "set format y '10^{%L}'",
              f"set multiplot layout 5,{len(workloads)} title 'mmap\\_lock during population: "
              + ' vs '.join(kernels) + f" (medians; {engine}, ktime\\_get\\_ns)'"]
    colors = {'series': '#1b9e77', 'experiment': '#d95f02', 'yield': '#7570b3',
              'yield-1': '#e7298a', 'yield-16': '#66a61e', 'yield-256': '#e6ab02',
              'yield-fair': '#a6761d'}
    for col, label in ((2, 'longest write hold (µs)'), (3, 'other thread: write-lock wait (µs)'),
                       (4, 'SCHED\\_FIFO thread: write-lock wait (µs)'),
                       (5, 'other thread: read-lock wait (µs)'),
                       (6, 'population wall time (µs)')):
        for wl in workloads:
            curves = []
            for k in kernels:
                if (wl, k) in index:
                    curves.append(f"'{dat}' index {index[(wl, k)]} using 1:{col} with linespoints "
                                  f"lw 2 pt 7 lc rgb '{colors.get(k, 'black')}' title '{k}'")
            title = TITLES[wl].replace('_', '\\_')
            script += [f"set title '{title}'", "set xlabel 'population (MiB)'",
                       f"set ylabel '{label}'", 'plot ' + ', '.join(curves)]
    script.append('unset multiplot')
    subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True, check=True)
    return png


def cost(out, med, sizes):
    """What disarmed capabilities cost: wall time, series over noinject, per workload and size."""
    lines = ['# Disarmed fault injection: population wall time, capabilities in / out', '',
             f'Medians in µs ({max(m["reps"] for m in med.values())} runs each, boots of the two '
             'kernels alternating); the ratio must be at most '
             f'{COST_MAX} from {COST_MIN_MIB} MiB on.', '',
             '| workload | MiB | compiled in (series) | compiled out (noinject) | ratio | |',
             '|---|---|---|---|---|---|']
    ok = True
    for wl in COST_WORKLOADS:
        for s in sizes:
            a, b = med.get(('series', wl, s)), med.get(('noinject', wl, s))
            if not a or not b:
                continue
            ratio = a['wall_ns'] / b['wall_ns']
            checked = s >= COST_MIN_MIB
            ok &= not checked or ratio <= COST_MAX
            verdict = ('ok' if ratio <= COST_MAX else 'OVER') if checked else 'not checked'
            lines.append(f'| {wl} | {s} | {us(a["wall_ns"])} | {us(b["wall_ns"])} | '
                         f'{ratio:.3f} | {verdict} |')
    with open(os.path.join(out, 'cost.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return lines, ok


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('logs', nargs='+', metavar='KERNEL=LOG', help="a kernel's name and its log")
    p.add_argument('--out', required=True, help='where the tables and the plot go')
    p.add_argument('--engine', default='uml-1cpu',
                   help='what ran the kernels (a column of the CSVs): uml-1cpu, qemu-tcg-2cpu, ...')
    p.add_argument('--blk-delay-us', type=int, default=0,
                   help="the block device's read delay (null_blk's, set at boot)")
    p.add_argument('--cost', action='store_true',
                   help='kernels series and noinject: the cost of disarmed fault injection')
    a = p.parse_args(argv)
    runs, kernels = [], []
    for arg in a.logs:
        kernel, path = arg.split('=', 1)
        kernels.append(kernel)
        got = parse(kernel, path, a.engine, a.blk_delay_us)
        if not got:
            print(f'error: no benchmark lines in {path}', file=sys.stderr)
            return 1
        runs += got
    sizes = sorted({r['size_mib'] for r in runs})
    med = medians(runs)
    if a.cost:
        lines, ok = cost(a.out, med, sizes)
        print('\n'.join(lines))
        print(f"\ntable: {os.path.join(a.out, 'cost.md')}")
        print('cost:    ' + (f'within {COST_MAX}x' if ok else f'OVER {COST_MAX}x (see above)'))
        return 0 if ok else 1
    verdicts = shape(med, kernels, sizes)
    lines = write_tables(a.out, runs, med, kernels, sizes, verdicts, a.engine)
    png = plot(a.out, med, kernels, sizes, a.engine)
    print('\n'.join(lines))
    print(f"\ntables: {os.path.join(a.out, 'results.md')}, results.csv (medians), runs.csv"
          + (f'; plot: {png}' if png else ''))
    # The series' claim is a test; a yield kernel's goals are an experiment's measurement.
    claim = [v for v in verdicts if not is_yield(v[0])]
    goals = [v for v in verdicts if is_yield(v[0])]
    ok = bool(claim) and all(v[-1] for v in claim)
    print('shape:   ' + ('as the series claims' if ok else 'NOT as expected (see above)'))
    if goals:
        missed = sum(not v[-1] for v in goals)
        print('yield:   ' + (f'every goal met ({len(goals)})' if not missed else
                             f'{missed} of {len(goals)} goals missed (see above)'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
