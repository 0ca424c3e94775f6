"""make cost's report: the fix/stock ratio, its interval, the warm-up left out, and the verdict."""
from scripts.tests.helpers import SCRIPTS, TempDirTest
import json
import os
import random
import subprocess

HEADER = 'engine,kernel,boot,mode,run,ns,reads,sectors,majfaults\n'


def cost_csv(file_fix=1.0, anon_fix=1.0, noise=0.0, rounds=10, runs=3, warmup_ns=None, cpu_fix=None):
    """Stock's runs take 600 ms (file) and 250 ms (anon), the fix's that times *_fix; every boot
    is shifted by up to +-noise and every run by a tenth of that. Run 0 takes warmup_ns. With
    cpu_fix, a cpu_ns column: a fifth of the stock time, exact, cpu_fix times that on the fix."""
    rng = random.Random(1)
    rows = []
    if cpu_fix is not None:
        lines = cost_csv(file_fix, anon_fix, noise, rounds, runs, warmup_ns).splitlines()
        out = [lines[0] + ',cpu_ns']
        for line in lines[1:]:
            f = line.split(',')
            ms = 250 if f[3].startswith('anon') else 600
            out.append(line + f",{int(ms * 2e5 * (cpu_fix if f[1] == 'fix' and f[3].startswith('file') else 1))}")
        return '\n'.join(out) + '\n'

    for boot in range(1, rounds + 1):
        for kernel in ('stock', 'fix'):
            shift = 1 + rng.uniform(-noise, noise)
            for mode, ms, factor in (('file-populate', 600, file_fix), ('file-mlock', 600, file_fix),
                                     ('anon-populate', 250, anon_fix)):
                for run in range(runs + 1):
                    ns = ms * 1e6 * shift * (1 + rng.uniform(-noise, noise) / 10)
                    ns *= factor if kernel == 'fix' else 1
                    if run == 0:
                        ns = warmup_ns or ns
                    io = '0,0,0' if mode.startswith('anon') else '2115,524808,1'
                    rows.append(f'qemu-tcg-2cpu,{kernel},{boot},{mode},{run},{int(ns)},{io}\n')
    return HEADER + ''.join(rows)


class CostReportTest(TempDirTest):
    def report(self, text):
        path = self.write('cost.csv', text)
        r = subprocess.run([os.path.join(SCRIPTS, 'cost-report.py'), path, '1.02'],
                           capture_output=True, text=True)
        with open(self.path('cost.json')) as f:
            return r, json.load(f)

    def test_a_cost_well_above_the_limit_fails(self):
        r, summary = self.report(cost_csv(file_fix=1.10, noise=0.01))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('the fix costs more than 2 % on: file-mlock (ns) file-populate (ns)', r.stdout)
        self.assertEqual(summary['modes']['file-populate']['verdict'], 'over')
        self.assertAlmostEqual(summary['modes']['file-populate']['ratio'], 1.10, delta=0.01)
        self.assertEqual(summary['modes']['anon-populate']['verdict'], 'ok')

    def test_no_cost_with_little_noise_is_within(self):
        r, summary = self.report(cost_csv(noise=0.005))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(summary['modes']['file-mlock']['verdict'], 'within')
        lo, hi = summary['modes']['file-mlock']['ratio_95ci']
        self.assertLessEqual(lo, 1.0)
        self.assertGreaterEqual(hi, 1.0)

    def test_noise_larger_than_the_limit_is_unresolved_not_a_cost(self):
        r, summary = self.report(cost_csv(file_fix=1.03, noise=0.3))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(summary['modes']['file-populate']['verdict'], 'unresolved')
        self.assertIn('unresolved', r.stdout)

    def test_a_control_that_moved_voids_the_file_verdicts(self):
        r, summary = self.report(cost_csv(file_fix=1.10, anon_fix=1.10, noise=0.01))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(summary['modes']['anon-populate']['verdict'], 'off')
        self.assertIn('the control moved', r.stdout)

    def test_the_warm_up_run_is_left_out(self):
        r, summary = self.report(cost_csv(noise=0.005, warmup_ns=10**10))
        self.assertEqual(summary['modes']['file-populate']['runs'], {'stock': 30, 'fix': 30})
        self.assertLess(summary['modes']['file-populate']['median_ns']['stock'], 7e8)

    def test_the_disk_reads_are_reported_per_kernel(self):
        r, summary = self.report(cost_csv(noise=0.005))
        self.assertEqual(summary['modes']['file-mlock']['fix'],
                         {'reads': 2115, 'sectors': 524808, 'majfaults': 1})
        self.assertRegex(r.stdout, r'file-mlock +stock +2115 +256\.3 +124\.1 +1')

    def test_too_few_rounds_give_no_verdict(self):
        r, summary = self.report(cost_csv(file_fix=1.10, noise=0.01, rounds=2))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(summary['modes']['file-populate']['verdict'], 'few rounds')

    def test_the_cpu_time_has_its_own_ratio_and_verdict(self):
        # Elapsed times too noisy to tell 2 %, CPU times exact: unresolved, and within.
        r, summary = self.report(cost_csv(file_fix=1.01, noise=0.3, cpu_fix=1.004))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(summary['modes']['file-populate']['verdict'], 'unresolved')
        self.assertEqual(summary['cpu_modes']['file-populate']['verdict'], 'within')
        self.assertAlmostEqual(summary['cpu_modes']['file-mlock']['ratio'], 1.004, places=6)
        self.assertIn('CPU time of the populating thread (cpu_ns):', r.stdout)
        self.assertIn('file-populate (ns)', r.stdout)

    def test_a_cpu_cost_above_the_limit_fails_even_when_the_elapsed_time_cannot_tell(self):
        r, summary = self.report(cost_csv(noise=0.3, cpu_fix=1.05))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('the fix costs more than 2 % on: file-mlock (cpu_ns) file-populate (cpu_ns)',
                      r.stdout)

    def test_a_csv_without_cpu_times_reports_the_elapsed_time_alone(self):
        r, summary = self.report(cost_csv(noise=0.005))
        self.assertEqual(summary['cpu_modes'], {})
        self.assertNotIn('cpu_ns', r.stdout)
