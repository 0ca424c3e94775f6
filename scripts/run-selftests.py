#!/usr/bin/env python3
"""`make selftests`, second half: boot the already-built UML kernel (build/kunit/linux) with the
initramfs of scripts/build-selftests.sh, once plain and once per preset of configs/presets, and
print one table, program x preset, ending "N passed, N failed, N skipped, N broken".

ENGINE=qemu (`make selftests-smp`) boots make smp's x86_64 SMP kernel (build/smp/kunit) instead,
under QEMU with CPUS vCPUs, TCG unless ACCEL asks for KVM and a probe boot proves it (as make smp,
scripts/lib.sh), the disk on virtio-blk; only the boot command differs, the guest and the checks
are the same. Its logs and results are in build/selftests/qemu/. A host where QEMU cannot run is
skipped (exit status 77) with the reason. A preset that changes what the UML kernel process sees
of its host (xsave=) is skipped there with the reason.

The guest's /init prints nested KTAP (selftests/init.sh), read here by kunit.py's own parser
(tools/testing/kunit/kunit_parser.py of the kernel tree). A cell is exact: the program's result and
every test result it printed must be what selftests/expect says (default: every test passes), in
every boot. A cell is
  passed   as expected (a failure that expect names, with the promise it comes from, included);
  failed   not as expected: a test result differs, a test is missing, the program timed out or
           did not build, or the boot's kernel log holds a splat;
  skipped  the program skipped itself, and expect allows it (with the reason);
  broken   no result at all: the guest did not boot, /init never started, or the boot hung or
           crashed before the program's result line.
Failed and broken both fail the run. A preset whose fault attribute is missing from the kernel
fails its cells, unless the kernel cannot have it (its Kconfig option does not exist for it).
The boots run side by side, SELFTEST_JOBS at a time (default one per host core), each bounded
by BOOT_TIMEOUT; the others start once the plain boot's /init has started. When the plain boot
cannot start /init, the other boots are not tried: they would fail the same way.
Logs: build/selftests/<preset>.log (the whole console), <preset>.ktap.txt (kunit.py's parser's
view), results: build/selftests/result.json.

Other scripts boot the same guest with boot() and judge a console with read_console().
"""
import concurrent.futures
import fcntl
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
LINUX = os.environ.get('LINUX_DIR', os.path.join(TOP, 'linux'))
KERNEL_DIR = os.environ.get('KUNIT_BUILD', os.path.join(BUILD, 'kunit'))
ST = os.path.join(BUILD, 'selftests')
# The engine the guest boots on: uml, the kernel make run built; qemu, the one make smp built.
ENGINE = os.environ.get('ENGINE', 'uml')
if ENGINE == 'qemu':
    KERNEL_DIR = os.environ.get('SMP_BUILD', os.path.join(BUILD, 'smp', 'kunit'))
# What a boot writes (logs, results, the kernel's copy): each engine its own, the guest shared.
OUT = os.path.join(ST, 'qemu') if ENGINE == 'qemu' else ST
# The kernel image in KERNEL_DIR, the target that builds it and its config fragment.
IMAGE = {'uml': ('linux', 'make run', 'configs/uml.config'),
         'qemu': (os.path.join('arch', 'x86', 'boot', 'bzImage'), 'make smp', 'configs/smp.config')}
CPUS = os.environ.get('CPUS', '2')
PRESETS = os.environ.get('PRESETS', os.path.join(TOP, 'configs', 'presets'))
EXPECT = os.environ.get('EXPECT', os.path.join(TOP, 'selftests', 'expect'))

# The one place for the guest's size and time limits.
GUEST_MEM = '3G'       # mremap_test maps 2 GiB (overcommit heuristic: RAM + swap); touches little


def program_timeout():
    """Seconds one program may run in the guest (killed, then failed): kselftest's own for mm,
    from the tree's tools/testing/selftests/mm/settings (mremap_test took over 60 s on a loaded
    machine), else kselftest's default."""
    try:
        with open(os.path.join(LINUX, 'tools', 'testing', 'selftests', 'mm', 'settings')) as f:
            return int(next(ln.split('=', 1)[1] for ln in f if ln.startswith('timeout=')))
    except (OSError, StopIteration, ValueError):
        return 45


PROGRAM_TIMEOUT = program_timeout()
# One whole boot (killed, log kept). The guest's own per-program timeout catches a hung program;
# this catches a guest hung in the kernel, and must outlast a full run on a loaded machine (a plain
# boot took 255 s with the load average near 19 on 2 cores).
BOOT_TIMEOUT = int(os.environ.get('BOOT_TIMEOUT', 900))
# Boots at a time: one per host core.
JOBS = int(os.environ.get('SELFTEST_JOBS') or os.cpu_count() or 1)
# QEMU's -accel and what it is (qemu_setup()), and the qboot.rom it boots with.
QEMU = {}

# What the console says when no user process could run (first match is the reason given). The
# kernel has no machine format for this: its own words are all there is.
NO_USER = re.compile(r'(userspace - .*|\S+\[1\]: segfault at .*|Failed to execute /init.*'
                     r'|No working init found.*|Kernel panic - not syncing: .*)')
OUTCOMES = ('pass', 'fail', 'skip')


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def kunit_parser():
    """kunit.py's KTAP parser, from the kernel tree (it imports its printer from its directory)."""
    kdir = os.path.join(LINUX, 'tools', 'testing', 'kunit')
    if not os.path.exists(os.path.join(kdir, 'kunit_parser.py')):
        sys.exit(f'error: no {kdir}/kunit_parser.py: run make linux first')
    if kdir not in sys.path:
        sys.path.insert(0, kdir)
    import kunit_parser
    return kunit_parser


def read_presets():
    presets = [('plain', 'plain', [])]
    with open(PRESETS) as f:
        for line in f:
            words = line.split('#')[0].split()
            if words:
                if len(words) < 2 or words[1] not in ('retry', 'error', 'host'):
                    sys.exit(f'error: {PRESETS}: "{line.strip()}": kind must be retry, error or host')
                presets.append((words[0], words[1], words[2:]))
    return presets


def read_expect(path=EXPECT):
    """{(preset, program, test): {outcomes}} from lines "preset program outcome[|outcome] [test]
    # why": test is a test's name as the program prints it, none the program's own result line;
    outcome "bail" with a message: the program bails out with a line that starts "Bail out!
    <message>", and the tests it never reached are not counted missing. Preset "*": every boot. A line without a why is refused:
    each expectation says which promise or line of code it comes from."""
    exp = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            code, _, why = line.partition('#')
            words = code.split(None, 3)
            if not words:
                continue
            outcomes = set(words[2].split('|')) if len(words) >= 3 else set()
            test = words[3].strip() if len(words) == 4 else '-'
            if (len(words) < 3 or not outcomes <= set(OUTCOMES) | {'bail'} or not why.strip()
                    or ('bail' in outcomes and (len(outcomes) > 1 or test == '-'))):
                sys.exit(f'error: {path}:{n}: want "preset program pass|fail|skip [test]  # why"'
                         ' or "preset program bail message  # why"')
            exp[(words[0], words[1], 'Bail out! ' + test if 'bail' in outcomes else test)] = outcomes
    return exp


def expected(exp, preset, prog, test):
    for key in ((preset, prog, test), ('*', prog, test)):
        if key in exp:
            return exp[key]
    return None


def missing_capability(tokens, system_map, config):
    """(why the preset cannot run on this kernel, whether the kernel cannot have it), or None."""
    for t in tokens:
        name = t.split('=')[0]
        if name == 'xsave' and ENGINE != 'uml':
            return 'xsave= fakes the host XSAVE size the UML kernel process sees: UML only', True
        if name == 'xsave' and not os.path.exists(os.path.join(ST, 'fake_xsave.so')):
            return 'no fake_xsave.so (scripts/build-selftests.sh builds it)', False
        if '/' in name or not name.startswith('fail'):
            continue
        if not re.search(r'\bsetup_%s$' % re.escape(name), system_map, re.M):
            option = 'CONFIG_' + name.upper()
            if not re.search(r'\b%s\b' % option, config):
                return f'{name}= cannot be in this kernel: its Kconfig has no {option}', True
            return f'{name}= is not in this kernel (no setup_{name} in System.map)', False
    return None


def snapshot_kernel():
    """Copy the kernel out of build/kunit under its lock, so a rebuild cannot change it mid-run."""
    kdir = os.path.join(OUT, 'kernel')
    os.makedirs(kdir, exist_ok=True)
    image, target, fragment = IMAGE[ENGINE]
    lock = os.path.join(KERNEL_DIR, '.lock')
    with open(lock, 'a') as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        for name in (image, 'System.map', '.config'):
            src = os.path.join(KERNEL_DIR, name)
            if not os.path.exists(src):
                sys.exit(f'error: no {src}: build the kernel first ({target})')
            # Replaced, not overwritten: a boot of the previous copy may still be running.
            dst = os.path.join(kdir, os.path.basename(name))
            shutil.copy2(src, dst + '.new')
            os.replace(dst + '.new', dst)
    with open(os.path.join(kdir, '.config')) as f:
        config = f.read()
    need = ['CONFIG_BLK_DEV_INITRD=y', 'CONFIG_DEVTMPFS=y']
    if ENGINE == 'qemu':
        need += ['CONFIG_VIRTIO_BLK=y', 'CONFIG_UNIX=y']
    for opt in need:
        if opt not in config:
            sys.exit(f'error: {KERNEL_DIR} was built without {opt} ({fragment} asks for it): '
                     f'rebuild with {target}')
    with open(os.path.join(kdir, 'System.map')) as f:
        return os.path.join(kdir, os.path.basename(image)), f.read(), config


def qemu_setup(kernel):
    """QEMU's accelerator for ENGINE=qemu, by make smp's own checks and KVM probe (scripts/lib.sh);
    a host where QEMU cannot run is skipped (exit status 77) with the reason."""
    try:
        accel = os.environ.get('ACCEL', 'tcg')
        probe = subprocess.run(
            ['bash', '-c', '. "$(dirname "$0")/lib.sh" && '
             '{ qemu_x86_usable || { echo "$qemu_skip"; exit 77; }; } && '
             'qemu_x86_accel "$@"; rc=$?; printf "%s\\n" "$accel" "$accel_why" "$qemu_bios"; exit $rc',
             os.path.join(TOP, 'scripts', 'run-smp.sh'), accel, CPUS,
             os.environ.get('PROBE_TIMEOUT', '30'), kernel, os.path.join(OUT, 'kvm-probe.log')],
            capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        sys.exit('error: the QEMU checks did not end within 600 s')
    out = probe.stdout.splitlines()
    if probe.returncode == 77:
        print(f'== selftests: SKIPPED: {out[0] if out else probe.stderr.strip()}')
        sys.exit(77)
    if accel not in ('tcg', 'kvm', 'auto') or len(out) != 3:
        sys.exit(f'error: ACCEL={accel}: want tcg, kvm or auto ({probe.stderr.strip()})')
    if probe.returncode:
        sys.exit(f'error: ACCEL=kvm, but KVM does not work here: {out[1]}')
    QEMU.update(accel=out[0], why=out[1], bios=out[2])
    return f'x86_64 SMP under QEMU, {CPUS} vCPUs, {out[1]}'


def boot_command(kernel, initramfs, timeout, args):
    """The host's command that boots the guest kernel with args on its command line, bounded by
    timeout, its console on stdout."""
    disk = os.path.join(ST, 'disk.img')
    bound = ['timeout', '-k', '5', str(timeout)]
    if ENGINE == 'qemu':
        # -no-reboot and panic=-1: a panic ends QEMU at once (/init powers off at its end).
        return bound + ['qemu-system-x86_64', '-accel', QEMU['accel'], '-smp', CPUS, '-m', GUEST_MEM,
                        '-nodefaults', '-nographic', '-serial', 'stdio', '-no-reboot',
                        '-bios', QEMU['bios'], '-kernel', kernel, '-initrd', initramfs,
                        '-drive', f'file={disk},if=virtio,format=raw,readonly=on',
                        '-append', ' '.join(['console=ttyS0', 'panic=-1'] + args)]
    return bound + [kernel, f'mem={GUEST_MEM}', 'console=tty', f'initrd={initramfs}',
                    f'ubd0r={disk}'] + args


def boot(kernel, name, tokens, log, initramfs=None, timeout=BOOT_TIMEOUT, started=None):
    """Boot the guest once: tokens are kernel parameters, <dir>/<knob>=<value> debugfs knobs for
    /init, xsave=<bytes> the host's XSAVE size. The whole console goes to log. started, a
    threading.Event, is set once /init has printed its KTAP version line. (rc, seconds)."""
    env = dict(os.environ, TMPDIR=OUT)
    xsave = [t.split('=', 1)[1] for t in tokens if t.startswith('xsave=')]
    if xsave:
        env.update(LD_PRELOAD=os.path.join(ST, 'fake_xsave.so'), FAKE_XSAVE_SIZE=xsave[0])
        tokens = [t for t in tokens if not t.startswith('xsave=')]
    params = [t for t in tokens if '/' not in t.split('=')[0]]
    knobs = ['st_knob=' + t for t in tokens if '/' in t.split('=')[0]]
    cmd = boot_command(kernel, initramfs or os.path.join(ST, 'initramfs.cpio'), timeout,
                       ['kunit.enable=0', f'st_preset={name}', f'st_timeout={PROGRAM_TIMEOUT}']
                       + params + knobs)
    start = time.time()
    with open(log, 'w') as f:
        f.write('$ ' + ''.join(f'{k}={env[k]} ' for k in ('LD_PRELOAD', 'FAKE_XSAVE_SIZE') if k in env)
                + ' '.join(cmd) + '\n')
        f.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                cwd=OUT, env=env)
        while started and not started.is_set() and proc.poll() is None:
            time.sleep(0.5)
            with open(log, errors='replace') as seen:
                if any(line.startswith('KTAP version') for line in seen):
                    started.set()
        rc = proc.wait()
    return rc, time.time() - start


def exit_desc(rc):
    return f'exit {rc}{", timed out" if rc in (124, 137) else ""}'


def no_user_process(lines, rc):
    """Why /init never ran in this boot (no KTAP from it), or None if it did."""
    kp = kunit_parser()
    if any(kp.KTAP_START.match(line) for line in lines):
        return None
    for line in lines:
        m = NO_USER.search(line)
        if m:
            return m.group(1).strip()
    return f'/init never started ({exit_desc(rc)})'


def status_word(kp, status):
    return {kp.TestStatus.SUCCESS: 'pass', kp.TestStatus.FAILURE: 'fail',
            kp.TestStatus.SKIPPED: 'skip'}.get(status, 'crashed')


# kselftest.h prints a result with a directive before its text ("ok 3 # XFAIL name", "ok 3 # SKIP
# why"), which kunit.py's parser does not read as a result line; KTAP puts the name first.
PARSER_LOCK = threading.Lock()
KSFT_DIRECTIVE = re.compile(r'^(\s*(?:not )?ok \d+) # (SKIP|XFAIL|XPASS) (.*)$')
# The console carries the kernel's messages as well as /init's KTAP, whose lines at column 0 are
# KTAP's own (its programs' output is indented). A kernel message between two of them (the
# clocksource watchdog's "Long readout interval" under TCG, after a nested "KTAP version 1") would
# end the parser's reading of that program and every one after it: such lines are left out.
INIT_LINE = re.compile(r'^(\s|$|KTAP version |1\.\.|(not )?ok |#|Bail out!)')


def read_console(lines, parsed_log=os.devnull):
    """The guest's KTAP: {program: (result, {test: result}, diagnostics)} for each program whose
    result line /init printed (result pass, fail or skip; a test's also "crashed": missing), and
    the setup line's result. kunit.py's parser prints its own view into parsed_log."""
    kp = kunit_parser()
    import kunit_printer
    lines = [KSFT_DIRECTIVE.sub(r'\1 \3 # \2', line) for line in lines if INIT_LINE.match(line)]
    # The parser prints through a module global: one boot's parse at a time.
    with PARSER_LOCK, open(parsed_log, 'w') as out:
        kp.stdout = kunit_printer.Printer(out)
        main = kp.parse_run_tests(lines)
    # Which top-level result lines /init printed: the parser counts a subtest without one as a
    # crash, which is also what a program with results missing becomes.
    printed = {}
    for line in kp.extract_tap_lines(lines):
        m = kp.TEST_RESULT.match(line)
        if m and not line[0].isspace():
            printed[m.group(4).strip()] = 'skip' if kp.TEST_RESULT_SKIP.match(line) else (
                'pass' if m.group(1) == 'ok' else 'fail')
    programs = {}
    for t in main.subtests:
        if t.name in printed:
            tests = {}
            for i, s in enumerate(t.subtests):
                # A name printed twice (upstream's madv_populate does) is told apart by its number.
                name = s.name.strip() or f'#{i + 1}'
                tests[name if name not in tests else f'{name} #{i + 1}'] = status_word(kp, s.status)
            if t.expected_count is not None and len(t.subtests) < t.expected_count:
                tests.update({f'#{i + 1}': 'crashed' for i in range(len(t.subtests), t.expected_count)})
            log = t.log + [ln for s in t.subtests for ln in s.log]
            programs[t.name] = (printed[t.name], tests, [ln.strip() for ln in log])
    return programs


def judge(exp, preset, kind, prog, result, tests, log):
    """What differs from the expectation, as a list of strings (empty: as expected), and each
    test's verdict: {test: pass, fail (not as expected) or skip}."""
    # Retry and host presets change nothing a program can see: it must do what it does plain.
    look = 'plain' if kind in ('retry', 'host') else preset
    mine = {t: o for (p, g, t), o in exp.items() if p in (look, '*') and g == prog and t != '-'}
    bails = [t for t, o in mine.items() if o == {'bail'}]
    # A bail-out message is matched by its start: some end in addresses that change every run.
    wrong = [f'expected "{b}...", not in its output' for b in bails
             if not any(line.startswith(b) for line in log)]
    wrong += [f'unexpected "{line}"' for line in log
              if line.startswith('Bail out!') and not any(line.startswith(b) for b in bails)]
    verdicts = {}
    for test, got in tests.items():
        want = mine.get(test) or {'pass'}
        verdicts[test] = 'skip' if got in ('crashed', 'skip') else 'pass'
        # Tests a program never reached because it bailed out, or skipped with the program, as
        # expected (kselftest.h's ksft_exit_skip() after the plan prints one skipped result).
        if got == 'crashed' and bails:
            continue
        if got in ('crashed', 'skip') and result == 'skip' and 'skip' in (
                expected(exp, look, prog, '-') or set()):
            continue
        if got not in want:
            verdicts[test] = 'fail'
            wrong.append(f'{test}: {"missing" if got == "crashed" else got}, '
                         f'expected {"|".join(sorted(want))}')
    for test, want in mine.items():
        if test not in tests and want != {'bail'}:
            verdicts[test] = 'fail'
            wrong.append(f'{test}: no result, expected {"|".join(sorted(want))}')
    want = expected(exp, look, prog, '-')
    if want is None:
        want = {'fail'} if bails or any(mine.get(t) == {'fail'} for t in tests) else {'pass'}
    if result not in want:
        wrong.insert(0, f'{result}, expected {"|".join(sorted(want))}')
    return wrong, verdicts


def run_boot(kernel, name, kind, tokens, programs, exp, check_log, started=None):
    """Boot once and judge every program: ({(program, preset): (shown, verdict, why),
    (program, preset, test): verdict}, notes, boot)."""
    log = os.path.join(OUT, f'{name}.log')
    rc, secs = boot(kernel, name, tokens, log, started=started)
    with open(log, errors='replace') as f:
        lines = f.read().splitlines()
    cells, notes = {}, []
    splats = check_log.splats(lines)
    why = no_user_process(lines, rc)
    if why:
        notes.append(f'{name}: the guest could not run a user process: {why}')
        cells[('(boot)', name)] = ('-', 'broken', why)
        return cells, notes, (name, secs, rc, False, len(splats), log)
    results = read_console(lines, os.path.join(OUT, f'{name}.ktap.txt'))
    finished = all(p in results for p in programs)
    if not finished:
        notes.append(f'{name}: the boot did not finish ({exit_desc(rc)})')
    setup = results.pop('setup', None)
    if not setup or setup[0] != 'pass':
        cells[('(setup)', name)] = ('fail', 'fail', 'setup: ' + ' '.join(setup[2]) if setup else 'no setup line')
        notes.append(f'{name}: /init setup failed (see {os.path.relpath(log)})')
    for first, _ in splats[:5]:
        notes.append(f'{name}: splat: {first}')
    for p in programs:
        if p not in results:
            cells[(p, name)] = ('-', 'broken', 'no result line')
            continue
        result, tests, diagnostics = results[p]
        wrong, verdicts = judge(exp, name, kind, p, result, tests, diagnostics)
        cells.update({(p, name, t): v for t, v in verdicts.items()})
        if splats:
            wrong.append('the kernel log holds a splat')
        if wrong:
            notes.extend(f'{name}: {p}: {w}' for w in wrong)
            verdict = 'fail'
        else:
            verdict = 'skip' if result == 'skip' else 'pass'
        cells[(p, name)] = (result, verdict, '; '.join(wrong))
    return cells, notes, (name, secs, rc, finished, len(splats), log)


def main():
    with open(os.path.join(ST, 'list')) as f:
        programs = [line.split()[0] for line in f if line.strip()]
    if ENGINE not in IMAGE:
        sys.exit(f'error: ENGINE={ENGINE}: want uml or qemu')
    kernel, system_map, config = snapshot_kernel()
    engine = qemu_setup(kernel) if ENGINE == 'qemu' else 'UML'
    print(f'engine: {engine}')
    check_log = load('check_log', os.path.join(TOP, 'scripts', 'check-log.py'))
    exp = read_expect()
    table, tests, notes, boots = {}, {}, [], []
    presets = read_presets()
    # Each boot is one single-threaded UML process: JOBS of them side by side, each bounded by
    # its own timeout, each with its own log. The others start once the plain boot's /init runs:
    # when it cannot start, they are not tried (they would fail the same way).
    started = threading.Event()
    runs, broken = {}, None
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        for name, kind, tokens in presets:
            missing = missing_capability(tokens, system_map, config)
            if missing:
                why, cannot = missing
                notes.append(f'{name}: {"skipped" if cannot else "FAILED"}: {why}')
                for p in programs:
                    table[(p, name)] = ('-', 'skip' if cannot else 'fail', why)
                continue
            if broken:
                for p in programs:
                    table[(p, name)] = ('-', 'n/a', broken)
                continue
            runs[name] = pool.submit(run_boot, kernel, name, kind, tokens, programs, exp, check_log,
                                     started if name == 'plain' else None)
            while name == 'plain' and not started.wait(0.5) and not runs[name].done():
                pass
            if name == 'plain' and runs[name].done() and ('(boot)', name) in runs[name].result()[0]:
                broken = 'not booted: the plain boot could not run a user process'
        for name, run in runs.items():
            cells, n, b = run.result()
            table.update({k: v for k, v in cells.items() if len(k) == 2})
            tests.update({k: v for k, v in cells.items() if len(k) == 3})
            notes.extend(n)
            boots.append(b)
    extra = sorted({p for p, _ in table if p.startswith('(')})
    print_table(programs + extra, [n for n, _, _ in presets], table)
    for n in notes:
        print('  ' + n)
    for name, secs, rc, ended, nsplats, log in boots:
        print(f'  boot {name}: {secs:.0f} s, {"finished" if ended else "DID NOT FINISH"}, '
              f'{nsplats} splats, log {os.path.relpath(log)}')
    counts = {v: sum(1 for c in table.values() if c[1] == v) for v in ('pass', 'fail', 'skip', 'broken')}
    # make test's cases: each cell, then each test result in it (as expected: ok), so that the
    # part's floor (scripts/expected-tests) misses a test a program no longer runs. A cell that
    # was never booted is no case: the floor misses it.
    status = {'pass': 'ok', 'fail': 'fail', 'skip': 'skip', 'broken': 'broken'}
    cases = []
    for (p, n), c in table.items():
        if c[1] in status:
            cases.append({'name': f'{p} {n}', 'status': status[c[1]], 'note': c[2]})
            cases += [{'name': f'{p} {n}: {t}', 'status': status[v], 'note': ''}
                      for (tp, tn, t), v in tests.items() if (tp, tn) == (p, n)]
    with open(os.path.join(OUT, 'result.json'), 'w') as f:
        json.dump({'engine': engine, 'passed': counts['pass'], 'failed': counts['fail'], 'skipped': counts['skip'],
                   'broken': counts['broken'],
                   'cells': {f'{p} {n}': c for (p, n), c in table.items()}, 'tests': cases},
                  f, indent=1)
    print(f"\n{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped, "
          f"{counts['broken']} broken")
    return 1 if counts['fail'] or counts['broken'] else 0


def print_table(programs, presets, table):
    """Cells: what the program did; "!" marks one not as expected, "?" one with no result."""
    w = max(len(p) for p in programs) + 2
    print('\n' + 'program'.ljust(w) + ''.join(n.ljust(max(len(n), 6) + 2) for n in presets))
    for p in programs:
        row = p.ljust(w)
        for n in presets:
            got, verdict, _ = table.get((p, n), ('-', 'n/a', ''))
            cell = got + {'fail': '!', 'broken': '?'}.get(verdict, '')
            row += cell.ljust(max(len(n), 6) + 2)
        print(row)
    print("(a cell is the program's own result; '!' marks one whose result or test results are not\n"
          " what selftests/expect says (default: every test passes), '?' one with no result at all\n"
          " (broken: no boot, a hang or a crash). '-' never ran: the guest could not start /init.)")


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    __import__('knobs').answer_help(__file__, __doc__)
    sys.exit(main())
