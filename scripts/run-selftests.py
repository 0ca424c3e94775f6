#!/usr/bin/env python3
"""`make selftests`, second half: boot the already-built UML kernel (build/kunit/linux) with the
initramfs of scripts/build-selftests.sh, once plain and once per preset of configs/presets, and
print one table, program x preset, ending "N passed, N failed, N skipped".

A cell passes when the program's result is the expected one: pass under plain and under "retry"
presets; under "error" presets what selftests/expect says, or else what it did plain.
A boot that does not reach its end (hang, crash) or whose kernel log holds a splat fails.
A boot that cannot start /init at all is one failure that names the console's reason; when that
is the plain boot, the remaining boots are not tried: they would fail the same way.
Logs: build/selftests/<preset>.log (the whole console), results: build/selftests/result.json.
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
ST = os.path.join(BUILD, 'selftests')
PRESETS = os.environ.get('PRESETS', os.path.join(TOP, 'configs', 'presets'))
EXPECT = os.path.join(TOP, 'selftests', 'expect')

# The one place for the guest's size and time limits.
GUEST_MEM = '3G'       # mremap_test maps 2 GiB (overcommit heuristic: RAM + swap); touches little
PROGRAM_TIMEOUT = 60   # seconds, one program in the guest (killed, then counted failed)
BOOT_TIMEOUT = 150     # seconds, one whole boot on the host (killed, log kept, boot failed)

RESULT = re.compile(r'SELFTEST (\S+) (pass|fail|skip) rc=(\S+)(.*)')
BEGIN = re.compile(r'SELFTESTS-BEGIN')
END = re.compile(r'SELFTESTS-END')
# What the console says when no user process could run (first match is the reason given).
NO_USER = re.compile(r'(userspace - .*|\S+\[1\]: segfault at .*|Failed to execute /init.*'
                     r'|No working init found.*|Kernel panic - not syncing: .*)')
FATAL = re.compile(r'SELFTESTS-ERROR.*')


def load_check_log():
    """check-log.py's splat detector, so that both runners judge kernel logs alike."""
    spec = importlib.util.spec_from_file_location('check_log', os.path.join(TOP, 'scripts', 'check-log.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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


def read_expect():
    """{(preset, program): result} from selftests/expect: "preset program result  # why"."""
    exp = {}
    if os.path.exists(EXPECT):
        with open(EXPECT) as f:
            for line in f:
                words = line.split('#')[0].split()
                if words:
                    exp[(words[0], words[1])] = words[2]
    return exp


def missing_capability(tokens, system_map):
    """Why the preset cannot run on this kernel, or None."""
    for t in tokens:
        name = t.split('=')[0]
        if name == 'xsave' and not os.path.exists(os.path.join(ST, 'fake_xsave.so')):
            return 'no fake_xsave.so (scripts/build-selftests.sh builds it on x86_64 hosts)'
        if '/' in name or not name.startswith('fail'):
            continue
        if not re.search(r'\bsetup_%s$' % re.escape(name), system_map, re.M):
            return f'{name}= is not in this kernel (no setup_{name} in System.map)'
    return None


def exit_desc(rc):
    return f'exit {rc}{", timed out" if rc in (124, 137) else ""}'


def no_user_process(lines, rc):
    """Why /init never ran in this boot, or None if it did."""
    if any(BEGIN.search(line) for line in lines):
        return None
    for line in lines:
        m = NO_USER.search(line)
        if m:
            return m.group(1).strip()
    return f'/init never started ({exit_desc(rc)})'


def snapshot_kernel():
    """Copy the kernel out of build/kunit under its lock, so a rebuild cannot change it mid-run."""
    kdir = os.path.join(ST, 'kernel')
    os.makedirs(kdir, exist_ok=True)
    lock = os.path.join(KERNEL_DIR, '.lock')
    with open(lock, 'a') as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        for name in ('linux', 'System.map', '.config'):
            src = os.path.join(KERNEL_DIR, name)
            if not os.path.exists(src):
                sys.exit(f'error: no {src}: build the kernel first (make run)')
            shutil.copy2(src, os.path.join(kdir, name))
    with open(os.path.join(kdir, '.config')) as f:
        config = f.read()
    for opt in ('CONFIG_BLK_DEV_INITRD=y', 'CONFIG_DEVTMPFS=y'):
        if opt not in config:
            sys.exit(f'error: {KERNEL_DIR} was built without {opt} (configs/uml.config asks for it): '
                     'rebuild with make run')
    with open(os.path.join(kdir, 'System.map')) as f:
        return os.path.join(kdir, 'linux'), f.read()


def boot(kernel, name, tokens, log):
    env = dict(os.environ, TMPDIR=ST)
    xsave = [t.split('=', 1)[1] for t in tokens if t.startswith('xsave=')]
    if xsave:
        env.update(LD_PRELOAD=os.path.join(ST, 'fake_xsave.so'), FAKE_XSAVE_SIZE=xsave[0])
        tokens = [t for t in tokens if not t.startswith('xsave=')]
    params = [t for t in tokens if '/' not in t.split('=')[0]]
    knobs = ['st_knob=' + t for t in tokens if '/' in t.split('=')[0]]
    cmd = ['timeout', '-k', '5', str(BOOT_TIMEOUT), kernel, f'mem={GUEST_MEM}', 'console=tty',
           'kunit.enable=0', f'initrd={os.path.join(ST, "initramfs.cpio")}', f'ubd0r={os.path.join(ST, "disk.img")}', f'st_preset={name}',
           f'st_timeout={PROGRAM_TIMEOUT}'] + params + knobs
    start = time.time()
    with open(log, 'w') as f:
        f.write('$ ' + ''.join(f'{k}={env[k]} ' for k in ('LD_PRELOAD', 'FAKE_XSAVE_SIZE') if k in env)
                + ' '.join(cmd) + '\n')
        f.flush()
        rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                             cwd=ST, env=env)
    return rc, time.time() - start


def main():
    with open(os.path.join(ST, 'list')) as f:
        programs = [line.split()[0] for line in f if line.strip()]
    kernel, system_map = snapshot_kernel()
    check_log = load_check_log()
    expect = read_expect()
    table, notes, boots = {}, [], []
    plain = {}
    broken = None
    for name, kind, tokens in read_presets():
        if broken:
            for p in programs:
                table[(p, name)] = ('-', 'n/a', broken)
            continue
        why = missing_capability(tokens, system_map)
        if why:
            notes.append(f'{name}: skipped: {why}')
            for p in programs:
                table[(p, name)] = ('skip', 'skip', why)
            continue
        log = os.path.join(ST, f'{name}.log')
        rc, secs = boot(kernel, name, tokens, log)
        with open(log, errors='replace') as f:
            lines = f.readlines()
        results = {}
        for line in lines:
            m = RESULT.search(line)
            if m:
                results[m.group(1)] = (m.group(2), m.group(3), m.group(4).strip())
        ended = any(END.search(line) for line in lines)
        splats = check_log.splats(lines)
        boots.append((name, secs, rc, ended, len(splats), log))
        why = no_user_process(lines, rc)
        if why:
            if name == 'plain':
                broken = 'not booted: the plain boot could not run a user process'
            notes.append(f'{name}: the guest could not run a user process: {why}')
            table[('(boot)', name)] = ('-', 'fail', why)
            for p in programs:
                table[(p, name)] = ('-', 'n/a', why)
            continue
        if not ended:
            notes.append(f'{name}: the boot did not finish ({exit_desc(rc)})')
        for first, _ in splats[:5]:
            notes.append(f'{name}: splat: {first}')
        notes.extend(f'{name}: {m.group(0)}' for m in map(FATAL.search, lines) if m)
        for p in programs:
            got, rcode, extra = results.get(p, ('fail', '-', 'no result line'))
            if got == 'skip':
                reason = extra or next((ln.split('SKIP', 1)[1].strip(' :#\n') for ln in lines
                                        if ln.startswith(p + ':') and 'SKIP' in ln), '')
                table[(p, name)] = ('skip', 'skip', reason)
                if name == 'plain':
                    notes.append(f'{p}: skipped: {reason}')
                continue
            if name == 'plain':
                plain[p] = got
                want = expect.get((name, p), 'pass')
            elif kind in ('retry', 'host'):
                want = expect.get(('plain', p), 'pass')
            else:
                want = expect.get((name, p), plain.get(p, 'pass'))
            ok = got == want and ended and not splats
            table[(p, name)] = (got, 'pass' if ok else 'fail', extra)
            if not ok and got != want:
                notes.append(f'{name}: {p}: {got} (rc={rcode}), expected {want}')
    failed_boots = ['(boot)'] if any(p == '(boot)' for p, _ in table) else []
    print_table(programs + failed_boots, [n for n, _, _ in read_presets()], table)
    for n in notes:
        print('  ' + n)
    for name, secs, rc, ended, nsplats, log in boots:
        print(f'  boot {name}: {secs:.0f} s, {"finished" if ended else "DID NOT FINISH"}, '
              f'{nsplats} splats, log {os.path.relpath(log)}')
    counts = {v: sum(1 for c in table.values() if c[1] == v) for v in ('pass', 'fail', 'skip')}
    with open(os.path.join(ST, 'result.json'), 'w') as f:
        json.dump({'passed': counts['pass'], 'failed': counts['fail'], 'skipped': counts['skip'],
                   'cells': {f'{p} {n}': c for (p, n), c in table.items()}}, f, indent=1)
    print(f"\n{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts['fail'] else 0


def print_table(programs, presets, table):
    """Cells: what the program did; "!" marks one that is not what was expected."""
    w = max(len(p) for p in programs) + 2
    print('\n' + 'program'.ljust(w) + ''.join(n.ljust(max(len(n), 6) + 2) for n in presets))
    for p in programs:
        row = p.ljust(w)
        for n in presets:
            got, verdict, _ = table.get((p, n), ('-', 'n/a', ''))
            cell = got + ('!' if verdict == 'fail' else '')
            row += cell.ljust(max(len(n), 6) + 2)
        print(row)
    print("(a cell is what the program did; '!' marks one that is not what was expected: pass, or under an\n"
          " error preset what selftests/expect says. A cell without '!' counts passed, skip skipped;\n"
          " '-' is a program that never ran because the guest could not start /init: not counted.)")


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    __import__('knobs').answer_help(__file__, __doc__)
    sys.exit(main())
