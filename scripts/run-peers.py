#!/usr/bin/env python3
"""`make peers`, second half: boot the UML kernel `make run` built (build/kunit/linux) with the
initramfs of scripts/build-peers.sh, plain and under each preset of configs/presets, and run
other people's mm workloads there: stress-ng's mm stressors with --verify, then trinity limited to
the mm system calls, each for DURATION seconds (default 5).

The oracle is the test bed's own: no splat in the kernel log (scripts/check-log.py), no boot past
its bound, the guest reaches its end and powers off, stress-ng's verification reports no failure.
A tool's exit status is reported; it fails a cell only under plain and "retry" presets, where
nothing is injected that a tool could see. Prints a table per tool and preset (run time,
operations as the tool reports them, faults injected) and ends "N passed, N failed, N skipped".
Logs: build/peers/<preset>.log, results: build/peers/result.json.

The presets, their capability check and the splat detector are make selftests' own
(scripts/run-selftests.py: read_presets, missing_capability; scripts/check-log.py: splats).
"""
import fcntl
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR', os.path.join(TOP, 'build'))
KERNEL_DIR = os.environ.get('KUNIT_BUILD', os.path.join(BUILD, 'kunit'))
PE = os.path.join(BUILD, 'peers')
DURATION = int(os.environ.get('DURATION', '5'))    # seconds, each tool in each boot
# Preset names to boot (plain is one); empty: plain and every preset of configs/presets.
PRESETS = os.environ.get('PEERS_PRESETS', '').split()
GUEST_MEM = '1G'
# One whole boot: both tools, their bounds (peers-init.sh: duration + 40 s each) and the boot.
BOOT_TIMEOUT = 2 * (DURATION + 40) + 60
TOOLS = ('stress-ng', 'trinity')

PEER = re.compile(r'^PEER (\S+) rc=(\S+) time=(\S+)s(?: injected: (.*))?')
END = re.compile(r'PEERS-END')
# stress-ng --metrics-brief: "stress-ng: metrc: [pid] <stressor> <bogo ops> <real time> ..."
METRIC = re.compile(r'^stress-ng: metrc: \[\d+\] (\S+)\s+(\d+)\s+[\d.]+\s')
# stress-ng's verification and stressor failures: "stress-ng: fail: [pid] ..."
FAIL = re.compile(r'^stress-ng: fail: .*')
# trinity's summary at exit: "Ran N syscalls. Successes: S  Failures: F"
TRINITY_RAN = re.compile(r'Ran (\d+) syscalls')


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOP, 'scripts', path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def snapshot_kernel():
    """Copy the kernel out of build/kunit under its lock, so a rebuild cannot change it mid-run."""
    kdir = os.path.join(PE, 'kernel')
    os.makedirs(kdir, exist_ok=True)
    with open(os.path.join(KERNEL_DIR, '.lock'), 'a') as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        for name in ('linux', 'System.map', '.config'):
            src = os.path.join(KERNEL_DIR, name)
            if not os.path.exists(src):
                sys.exit(f'error: no {src}: build the kernel first (make run)')
            shutil.copy2(src, os.path.join(kdir, name))
    with open(os.path.join(kdir, '.config')) as f:
        config = f.read()
    for opt in ('CONFIG_BLK_DEV_INITRD=y', 'CONFIG_DEVTMPFS=y', 'CONFIG_SYSVIPC=y'):
        if opt not in config:
            sys.exit(f'error: {KERNEL_DIR} was built without {opt}: rebuild with make run')
    with open(os.path.join(kdir, 'System.map')) as f:
        return os.path.join(kdir, 'linux'), f.read(), config


def boot(kernel, name, tokens, log):
    env = dict(os.environ, TMPDIR=PE)
    xsave = [t.split('=', 1)[1] for t in tokens if t.startswith('xsave=')]
    if xsave:
        env.update(LD_PRELOAD=os.path.join(PE, 'fake_xsave.so'), FAKE_XSAVE_SIZE=xsave[0])
    params = [t for t in tokens if '/' not in t.split('=')[0] and not t.startswith('xsave=')]
    knobs = ['pe_knob=' + t for t in tokens if '/' in t.split('=')[0]]
    cmd = ['timeout', '-k', '5', str(BOOT_TIMEOUT), kernel, f'mem={GUEST_MEM}', 'console=tty',
           'kunit.enable=0', f'initrd={os.path.join(PE, "initramfs.cpio")}', 'ubd0r=/dev/null',
           f'pe_preset={name}', f'pe_duration={DURATION}'] + params + knobs
    start = time.time()
    with open(log, 'w') as f:
        f.write('$ ' + ''.join(f'{k}={env[k]} ' for k in ('LD_PRELOAD', 'FAKE_XSAVE_SIZE') if k in env)
                + ' '.join(cmd) + '\n')
        f.flush()
        rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                             cwd=PE, env=env)
    return rc, time.time() - start


def ops(tool, lines):
    """What the tool says it did: stress-ng's bogo ops per stressor, trinity's system calls."""
    if tool == 'stress-ng':
        found = [m.groups() for m in map(METRIC.search, lines) if m]
        return ', '.join(f'{s} {n}' for s, n in found) or 'none reported'
    runs = [int(m.group(1)) for m in map(TRINITY_RAN.search, lines) if m]
    return f'{sum(runs)} syscalls' if runs else 'none reported'


def main():
    selftests = load('run_selftests', 'run-selftests.py')
    check_log = load('check_log', 'check-log.py')
    kernel, system_map, config = snapshot_kernel()
    presets = selftests.read_presets()
    unknown = set(PRESETS) - {name for name, _, _ in presets}
    if unknown:
        sys.exit(f"error: PEERS_PRESETS={' '.join(PRESETS)}: no preset {' '.join(sorted(unknown))} "
                 f"(presets: {' '.join(name for name, _, _ in presets)})")
    if PRESETS:
        presets = [p for p in presets if p[0] in PRESETS]
    rows, notes = [], []
    for name, kind, tokens in presets:
        # A fault attribute this kernel's Kconfig cannot give skips the preset; one it could
        # have but lacks fails it (the kernel was built without what the preset needs).
        if any(t.startswith('xsave=') for t in tokens) and not os.path.exists(os.path.join(PE, 'fake_xsave.so')):
            missing = 'no fake_xsave.so (scripts/build-peers.sh builds it on x86_64 hosts)', True
        else:
            missing = selftests.missing_capability([t for t in tokens if not t.startswith('xsave=')],
                                                   system_map, config)
        if missing:
            why, cannot = missing
            rows += [(tool, name, 'skip' if cannot else 'fail', '-', '-', '-', why) for tool in TOOLS]
            continue
        log = os.path.join(PE, f'{name}.log')
        rc, secs = boot(kernel, name, tokens, log)
        with open(log, errors='replace') as f:
            lines = f.readlines()
        ended = any(END.search(line) for line in lines)
        splats = check_log.splats(lines)
        problems = []
        if not ended:
            problems.append(f'the guest did not reach its end ({selftests.exit_desc(rc)})')
        elif rc:
            problems.append(f'the guest did not shut down cleanly ({selftests.exit_desc(rc)})')
        problems += [f'splat: {first}' for first, _ in splats[:5]]
        notes.append(f'boot {name}: {secs:.0f} s, log {os.path.relpath(log)}')
        results = {m.group(1): m.groups()[1:] for m in map(PEER.search, lines) if m}
        for tool in TOOLS:
            own = [ln[len(tool) + 2:] for ln in lines if ln.startswith(tool + ': ')]
            why = list(problems)
            if tool not in results:
                why.append('no result line')
                trc, ttime, inj = '-', '-', None
            else:
                trc, ttime, inj = results[tool]
            fails = [m.group(0).strip() for m in map(FAIL.search, own) if m]
            if tool == 'stress-ng':
                why += fails[:3]
            if kind in ('plain', 'retry', 'host') and trc not in ('0', '-'):
                why.append(f'{tool} exited {trc}')
            done = ops(tool, own)
            if tool in results and done == 'none reported':
                why.append(f'{tool} reported no operation (exited {trc})')
            rows.append((tool, name, 'fail' if why else 'pass', ttime, done, inj or '0',
                         '; '.join(why) or (f'{tool} exited {trc}' if trc != '0' else '')))
    print_table(rows)
    for n in notes:
        print('  ' + n)
    counts = {v: sum(1 for r in rows if r[2] == v) for v in ('pass', 'fail', 'skip')}
    with open(os.path.join(PE, 'result.json'), 'w') as f:
        json.dump({'passed': counts['pass'], 'failed': counts['fail'], 'skipped': counts['skip'],
                   'duration': DURATION,
                   'rows': [dict(zip(('tool', 'preset', 'verdict', 'time', 'ops', 'injected', 'note'), r))
                            for r in rows]}, f, indent=1)
    print(f"\n{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts['fail'] else 0


def print_table(rows):
    print(f'\n{"tool":10} {"preset":11} {"result":6} {"time":>7}  {"injected":24} operations / note')
    for tool, preset, verdict, secs, done, inj, note in rows:
        print(f'{tool:10} {preset:11} {verdict:6} {secs + "s" if secs != "-" else "-":>7}  {inj:24} {done}')
        if note:
            print(f'{"":38}  {note}')


if __name__ == '__main__':
    __import__('knobs').answer_help(__file__, __doc__)
    sys.exit(main())
