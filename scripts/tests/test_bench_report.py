"""make bench's report: the benchmark's KTAP lines to tables, and the shape check's verdict."""
from scripts.tests.helpers import SCRIPTS, TempDirTest
import csv
import os
import subprocess

SIZES = (1, 4, 16, 64, 256)


UML_WORKLOADS = ('anon', 'file', 'brk')


def bench_log(hold_ns, writer_ns=lambda s: s * 1000, wall_ns=None, reader_ns=lambda s: 300,
              rt_ns=None, workloads=UML_WORKLOADS):
    """A kernel log with 3 repetitions of every workload and size; hold_ns(size) -> hold_max_ns,
    and the same for the writer's and the reader's longest waits and the wall time; rt_ns, the
    SCHED_FIFO writer's (absent from older logs)."""
    lines = ['KTAP version 1', '    # Subtest: mm_populate_bench']
    for workload in workloads:
        case = 'bench_' + workload
        for rep in (1, 2, 3):
            for size in SIZES:
                hold = hold_ns(size) + rep * 100
                wall = wall_ns(size) if wall_ns else hold + 500
                lines.append(
                    f'        # {case}: bench: workload={workload} size_mib={size} rep={rep} '
                    f'hold_max_ns={hold} hold_total_ns={hold} holds=1 read_hold_max_ns=0 '
                    f'wall_ns={wall} writer_max_wait_ns={writer_ns(size)} writer_max_op_ns=0 '
                    f'writer_ops=1 reader_max_wait_ns={reader_ns(size)} reader_ops=4 '
                    f'read_delay_us={5 if workload == "file" else 0}'
                    + (f' writer_rt_max_wait_ns={rt_ns(size)} writer_rt_max_op_ns=0 '
                       'writer_rt_ops=1 writer_rt_pop_wall_ns=0 writer_rt_pop_reads=1'
                       if rt_ns else ''))
    return '\n'.join(lines) + '\n'


class BenchReportTest(TempDirTest):
    def report(self, series, experiment):
        args = [os.path.join(SCRIPTS, 'bench-report.py'), '--out', self.tmp,
                'series=' + self.write('series.log', series),
                'experiment=' + self.write('experiment.log', experiment)]
        return subprocess.run(args, capture_output=True, text=True)

    def test_flat_and_linear_is_the_claim(self):
        r = self.report(bench_log(lambda s: 3000), bench_log(lambda s: 150000 * s))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('shape:   as the series claims', r.stdout)
        with open(self.path('results.csv')) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 2 * 3 * len(SIZES))
        row = next(r for r in rows if r['kernel'] == 'experiment' and r['workload'] == 'file'
                   and r['size_mib'] == '256')
        self.assertEqual(row['median_hold_max_ns'], str(150000 * 256 + 200))
        self.assertEqual(row['reps'], '3')
        with open(self.path('results.md')) as f:
            self.assertIn('| anon | 256 |', f.read())

    def test_a_growing_series_hold_fails(self):
        r = self.report(bench_log(lambda s: 3000 * s), bench_log(lambda s: 150000 * s))
        self.assertEqual(r.returncode, 1)
        self.assertIn('series anon write hold: ratio', r.stdout)
        self.assertIn('NOT AS EXPECTED', r.stdout)

    def test_a_flat_experiment_fails(self):
        r = self.report(bench_log(lambda s: 3000), bench_log(lambda s: 3000))
        self.assertEqual(r.returncode, 1)
        self.assertIn('experiment brk write hold: ratio 1.00', r.stdout)

    def test_holds_of_a_few_us_are_noise(self):
        # 1 µs at 1 MiB, 8 µs at 256 MiB: below the 20 µs floor, not growth.
        r = self.report(bench_log(lambda s: 1000 if s == 1 else 8000),
                        bench_log(lambda s: 150000 * s))
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_a_log_without_bench_lines_is_an_error(self):
        r = self.report('KTAP version 1\n', bench_log(lambda s: 3000))
        self.assertEqual(r.returncode, 1)
        self.assertIn('no benchmark lines', r.stderr)


class YieldReportTest(TempDirTest):
    """The third kernel: a writer's wait flat, wall time and reader waits as on series."""
    SERIES_WALL = staticmethod(lambda s: 150000 * s)

    def report(self, yield_log):
        args = [os.path.join(SCRIPTS, 'bench-report.py'), '--out', self.tmp,
                'series=' + self.write('series.log', bench_log(
                    lambda s: 3000, writer_ns=lambda s: 150000 * s, wall_ns=self.SERIES_WALL)),
                'experiment=' + self.write('experiment.log', bench_log(lambda s: 150000 * s)),
                'yield=' + self.write('yield.log', yield_log)]
        return subprocess.run(args, capture_output=True, text=True)

    def test_a_flat_writer_wait_at_the_same_cost_meets_the_goal(self):
        r = self.report(bench_log(lambda s: 3000, writer_ns=lambda s: 40000,
                                  wall_ns=lambda s: 154500 * s))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('yield anon writer wait: ratio 1.00', r.stdout)
        self.assertIn('yield:   every goal met', r.stdout)
        with open(self.path('results.csv')) as f:
            self.assertEqual(len(list(csv.DictReader(f))), 3 * 3 * len(SIZES))

    def test_a_growing_writer_wait_misses_the_goal_without_failing_the_series(self):
        r = self.report(bench_log(lambda s: 3000, writer_ns=lambda s: 150000 * s,
                                  wall_ns=self.SERIES_WALL))
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn('yield brk writer wait: ratio 256.00', r.stdout)
        self.assertIn('GOAL MISSED', r.stdout)
        self.assertIn('shape:   as the series claims', r.stdout)
        self.assertIn('goals missed', r.stdout)

    def test_a_slower_population_misses_the_goal(self):
        r = self.report(bench_log(lambda s: 3000, writer_ns=lambda s: 40000,
                                  wall_ns=lambda s: 165000 * s))
        self.assertIn('yield anon wall 256 MiB / series: ratio 1.10', r.stdout)
        self.assertIn('goals missed', r.stdout)
        self.assertIn('yield anon wall 256 MiB / series: ratio 1.10', r.stdout)

    def test_longer_reader_waits_miss_the_goal(self):
        r = self.report(bench_log(lambda s: 3000, writer_ns=lambda s: 40000,
                                  wall_ns=self.SERIES_WALL, reader_ns=lambda s: 90000))
        self.assertIn('GOAL MISSED', r.stdout)
        self.assertIn('yield brk reader wait 1 MiB / series: ratio 4.50', r.stdout)


class SmpReportTest(TempDirTest):
    """make bench ENGINE=qemu: the block-device workload, the SCHED_FIFO writer, the engine."""
    WORKLOADS = ('anon', 'file', 'blk', 'brk')

    def report(self, yield_rt_ns):
        def log(name, **kw):
            return f'{name}=' + self.write(f'{name}.log', bench_log(workloads=self.WORKLOADS, **kw))
        args = [os.path.join(SCRIPTS, 'bench-report.py'), '--out', self.tmp,
                '--engine', 'qemu-tcg-2cpu', '--blk-delay-us', '100',
                log('series', hold_ns=lambda s: 3000, rt_ns=lambda s: 150000 * s),
                log('experiment', hold_ns=lambda s: 150000 * s, rt_ns=lambda s: 150000 * s),
                log('yield-fair', hold_ns=lambda s: 3000, writer_ns=lambda s: 40000,
                    wall_ns=lambda s: 3500, rt_ns=yield_rt_ns)]
        return subprocess.run(args, capture_output=True, text=True)

    def test_every_row_names_its_engine_and_the_block_device_its_delay(self):
        r = self.report(lambda s: 40000)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('series blk write hold: ratio', r.stdout)
        self.assertIn('experiment blk write hold: ratio', r.stdout)
        for name in ('runs.csv', 'results.csv'):
            with open(self.path(name)) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual({row['engine'] for row in rows}, {'qemu-tcg-2cpu'}, name)
            self.assertEqual({row['workload'] for row in rows}, set(self.WORKLOADS), name)
        with open(self.path('runs.csv')) as f:
            delays = {(row['workload'], row['read_delay_us']) for row in csv.DictReader(f)}
        self.assertEqual(delays, {('anon', '0'), ('file', '5'), ('blk', '100'), ('brk', '0')})
        with open(self.path('results.md')) as f:
            self.assertIn('Engine: qemu-tcg-2cpu.', f.read())

    def test_a_growing_rt_writer_wait_misses_the_goal(self):
        r = self.report(lambda s: 150000 * s)
        self.assertIn('yield-fair anon RT writer wait: ratio 256.00', r.stdout)
        self.assertIn('GOAL MISSED', r.stdout)
        self.assertIn('shape:   as the series claims', r.stdout)
