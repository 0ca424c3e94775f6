# The test bed's gdb script for the mm_populate() path, loaded by scripts/gdb.sh (make gdb, make
# gdb-check) after the kernel's lx-* helpers. `apropos pop-` lists its commands:
#
#   pop-breaks                 the named breakpoints: name, state, gdb numbers, where
#   pop-break NAME...|all      enable named breakpoints (`pop-break -off NAME...|all` disables)
#   pop-only [FUNCTION]        stop only when FUNCTION (a test case) is on the stack; none: always
#   pop-vmas [START [END]]     current->mm's vmas that intersect [START, END) (default: the range
#                              of the __mm_populate() frame on the stack, else all)
#   pop-pte [ADDR]             the page-table walk of ADDR in current->mm (pgd, pmd, pte; default:
#                              the start of that range)
#   pop-counters               the fault-injection attributes and their counters
#
# Arguments are gdb expressions without spaces: `pop-vmas start start+len`, `pop-pte 0x40000000`.
# The named breakpoints are made disabled; `pop-break` arms them. The injection sites are the
# functions named __should_fail_gup_* / __should_fail_filemap_* and the counters the globals named
# fail_gup_* / fail_filemap_*: both are looked up in the binary, so the script works without them.
import functools
import os
import re

import gdb

# UML's own signals: timer, I/O, console, child processes, pm wake, and the SIGSEGVs it takes and
# handles itself. Stopping on them would make every `continue` land in the signal machinery.
for sig in ('SIGSEGV', 'SIGBUS', 'SIGUSR1', 'SIGIO', 'SIGALRM', 'SIGVTALRM', 'SIGWINCH', 'SIGCHLD'):
    gdb.execute(f'handle {sig} nostop noprint pass', to_string=True)
gdb.execute('set pagination off')
gdb.execute('set print pretty on')

# The out-of-line parts (__should_fail_*): the inline should_fail_*() call them only when armed.
INJECT_FUNCS = r'__should_fail_(?:gup|filemap)\w*'
INJECT_VARS = r'fail_(?:gup|filemap)\w*'

# UML x86_64 (arch/um/include/asm/pgtable{,-3level}.h): 3 levels, p4d and pud folded into the pgd.
PAGE_SHIFT, PMD_SHIFT, PGDIR_SHIFT, PTRS = 12, 21, 30, 512
PAGE_MASK = ~((1 << PAGE_SHIFT) - 1) & (2**64 - 1)
PTE_BITS = ((0x001, 'present'), (0x002, 'newpage'), (0x004, 'newprot'), (0x010, 'protnone'),
            (0x020, 'rw'), (0x040, 'user'), (0x080, 'accessed'), (0x100, 'dirty'))
# include/linux/mm.h
VM_BITS = ((0x2000, 'locked'), (0x80000, 'lockonfault'), (0x4000, 'io'), (0x400, 'pfnmap'),
           (0x100, 'growsdown'), (0x100000, 'account'), (0x200000, 'noreserve'))


@functools.lru_cache(maxsize=None)
def typ(name):
    """gdb.lookup_type(), which searches the whole binary each time: ~0.1 s a call here."""
    return gdb.lookup_type(name)


def ulong(v):
    return int(v.cast(typ('unsigned long'))) & (2**64 - 1)


def expr(arg):
    return ulong(gdb.parse_and_eval(arg))


def map_build_dir():
    """ccache, shared between clones (CCACHE_NOHASHDIR), can leave another clone's build directory
    in the debug info: its objects name their sources relative to it. Map it to the directory of
    the kernel being debugged, at the same depth, so that gdb finds this clone's sources."""
    anchor = gdb.lookup_global_symbol('__mm_populate')
    if anchor is None or anchor.symtab is None:
        return
    rel, full = anchor.symtab.filename, anchor.symtab.fullname()
    here = os.path.dirname(os.path.abspath(gdb.current_progspace().filename))
    if os.path.isabs(rel) or os.path.exists(full) or not full.endswith(rel):
        return
    built_in = full[:-len(rel)].rstrip('/')
    if built_in != here and os.path.exists(os.path.join(here, rel)):
        gdb.execute(f'set substitute-path {built_in} {here}')


def gup_source():
    """mm/gup.c's lines as the binary was built from them, or None when it changed since."""
    anchor = gdb.lookup_global_symbol('__mm_populate')
    path = anchor.symtab.fullname()
    if not os.path.exists(path) and not os.path.isabs(anchor.symtab.filename):
        # Built in another clone (map_build_dir()): this kernel's directory, same depth.
        here = os.path.dirname(os.path.abspath(gdb.current_progspace().filename))
        path = os.path.normpath(os.path.join(here, anchor.symtab.filename))
    try:
        with open(path) as f:
            lines = f.read().split('\n')
        changed = (os.path.getmtime(path) > os.path.getmtime(gdb.current_progspace().filename)
                   or '__mm_populate(' not in lines[anchor.line - 1])
    except (OSError, IndexError):
        lines, changed = [], True
    if changed:
        print(f'populate.py: {path} changed since this kernel was built: no line breakpoints '
              '(lock-dropped, relock, unlock) until `make run` rebuilds it')
        return None
    return lines


def source_lines(lines, func, pattern):
    """The lines of FUNC's body in mm/gup.c that match PATTERN, as gdb locations."""
    if lines is None:
        return []
    first = next((i for i, line in enumerate(lines) if re.match(rf'^\w[\w ]*\b{func}\(', line)),
                 len(lines))
    hits = []
    for n in range(first, len(lines)):
        if re.search(pattern, lines[n]):
            hits.append(f'mm/gup.c:{n + 1}')
        if lines[n].startswith('}'):
            break
    return hits


def symbols(kinds, regex):
    """The ELF symbols of KINDS (nm letters) named REGEX: `info functions` would take ~6 s here."""
    out = gdb.execute('maint print msymbols', to_string=True)
    return sorted(set(re.findall(rf'^\[\s*\d+\] [{kinds}] 0x[0-9a-f]+ ({regex})\b', out, re.M)))


class Stop(gdb.Breakpoint):
    """A breakpoint that stops only when Stop.only (a function name) is on the stack, if set."""
    only = None

    def stop(self):
        if not Stop.only:
            return True
        frame, depth = gdb.newest_frame(), 0
        # $_any_caller_matches would do, but it raises at the nameless frame that ends a kthread.
        while frame is not None and depth < 64:
            if frame.name() == Stop.only:
                return True
            frame, depth = frame.older(), depth + 1
        return False

    def where(self):
        locs = getattr(self, 'locations', None)   # gdb >= 13
        if locs:
            return ', '.join(f'{loc.source[0].split("linux/", 1)[-1]}:{loc.source[1]}'
                             if loc.source else hex(loc.address) for loc in locs)
        return self.location


class Named:
    """One named breakpoint: one or more gdb breakpoints on the locations of a spot in the code."""
    all = {}

    def __init__(self, name, what, specs):
        self.name, self.what, self.bps = name, what, []
        for spec in filter(resolves, specs):   # e.g. no should_fail_ex without FAULT_INJECTION
            bp = Stop(spec)
            bp.enabled = False
            self.bps.append(bp)
        if self.bps:
            Named.all[name] = self


def resolves(spec):
    try:
        gdb.decode_line(spec)
        return True
    except gdb.error:
        return False


def make_breakpoints():
    gup = gup_source()
    Named('populate', '__mm_populate(): populate [start, start+len) of current->mm',
          ['__mm_populate'])
    # With the series' retry fix, populate_vma_page_range() wraps __populate_vma_page_range().
    inner = '__populate_vma_page_range'
    vma_range = inner if resolves(inner) else 'populate_vma_page_range'
    Named('vma-range', f'{vma_range}(): fault in one vma\'s part of the range', [vma_range])
    Named('faultin', 'faultin_page() (inlined in __get_user_pages): calls handle_mm_fault()',
          ['faultin_page'])
    Named('lock-dropped', 'faultin_page(): the fault handler dropped mmap_lock (*locked = 0)',
          source_lines(gup, 'faultin_page', r'\*locked = 0;'))
    Named('relock', '__mm_populate(): has (re)taken mmap_read_lock(), looks the vma up again',
          source_lines(gup, '__mm_populate', r'mmap_read_lock(_killable)?\(mm\)'))
    # The unlock itself is inlined code of mmap_lock.h: stop at `if (locked)` just before it.
    Named('unlock', '__mm_populate(): done; `if (locked)` before its last mmap_read_unlock()',
          source_lines(gup, '__mm_populate', r'if \(locked\)'))
    Named('injected', 'should_fail_ex(): a fault is being injected (any fault_attr)',
          ['should_fail_ex:fail'])
    for func in symbols('Tt', INJECT_FUNCS):
        Named('inject-' + func[len('__should_fail_'):].replace('_', '-'),
              f'{func}(): a fault-injection site (every call while it is armed)', [func])


class PopBreaks(gdb.Command):
    """List the named breakpoints of the populate path: pop-breaks."""

    def __init__(self):
        super().__init__('pop-breaks', gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        for n in Named.all.values():
            state = 'on ' if n.bps[0].enabled else 'off'
            where = ', '.join(bp.where() for bp in n.bps)
            nums = ','.join(str(bp.number) for bp in n.bps)
            print(f'{n.name:<21} {state} #{nums:<6} {where}\n{"":<25} {n.what}')


class PopBreak(gdb.Command):
    """Enable named breakpoints: pop-break NAME...|all; disable: pop-break -off NAME...|all."""

    def __init__(self):
        super().__init__('pop-break', gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        names = gdb.string_to_argv(arg)
        on = not (names and names[0] == '-off')
        names = names[0 if on else 1:]
        if names == ['all']:
            names = list(Named.all)
        unknown = [n for n in names if n not in Named.all]
        if not names or unknown:
            raise gdb.GdbError(f'no such breakpoint: {" ".join(unknown)} '
                               f'(named: {" ".join(Named.all)})')
        for n in names:
            for bp in Named.all[n].bps:
                bp.enabled = on
            print(f'{n}: {"on" if on else "off"}')


class PopOnly(gdb.Command):
    """Stop at named breakpoints only when FUNCTION is a caller: pop-only [FUNCTION]."""

    def __init__(self):
        super().__init__('pop-only', gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        Stop.only = arg.strip() or None
        print(f'named breakpoints stop only under {Stop.only}()' if Stop.only else
              'named breakpoints stop wherever they are hit')


def current_mm():
    if not gdb.selected_inferior().pid:
        raise gdb.GdbError('the kernel is not running: `run` it, stop at a breakpoint')
    # UML keeps current in cpu_tasks[0].task, where $lx_current() reads it too; but its cast, parsed
    # by gdb, takes ~3 s the first time, and gdb.Value.cast() does not.
    task = gdb.parse_and_eval('cpu_tasks[0].task').cast(typ('struct task_struct').pointer())
    mm = task['mm']
    if not ulong(mm):
        raise gdb.GdbError(f'{task["comm"].string()} (pid {int(task["pid"])}) has no mm')
    return mm


def populating_range():
    """[start, start + len) of the __mm_populate() call on the stack, or None.

    Read from its own frame, not from the frames of code inlined into it (populate_vma_page_range),
    where start and len are optimized out."""
    try:
        f = gdb.newest_frame()
    except gdb.error:
        return None
    while f:
        if f.name() == '__mm_populate' and f.type() != gdb.INLINE_FRAME:
            try:
                start, length = ulong(f.read_var('start')), ulong(f.read_var('len'))
            except gdb.error:
                return None
            return start, start + length
        f = f.older()
    return None


def maple_walk(enode, lo, hi, root=True):
    """The (first, last, entry) of a maple tree node, in order (lib/maple_tree.c's encoding)."""
    e = ulong(enode)
    if not e:
        return
    if root and (e & 3 != 2 or e <= 4096):   # not xa_is_node(): one entry, for index 0
        yield 0, 0, e
        return
    kind = (e >> 3) & 0xf                # maple_dense, leaf_64, range_64, arange_64
    node = gdb.Value(e & ~0xff).cast(typ('struct maple_node').pointer())
    part = node['ma64'] if kind == 3 else node['mr64']
    slots, pivots = part['slot'], part['pivot']
    npivots = pivots.type.range()[1] + 1
    # ma_data_end(): the last used slot; an unfull node keeps it in its metadata.
    if kind == 3 or not ulong(pivots[npivots - 1]):
        end = int(part['meta']['end'])
    elif ulong(pivots[npivots - 1]) == hi:
        end = npivots - 1
    else:
        end = npivots
    first = lo
    for i in range(end + 1):
        last = ulong(pivots[i]) if i < npivots else hi
        slot = ulong(slots[i])
        if slot:
            if kind in (2, 3):
                yield from maple_walk(slots[i], first, last, False)
            elif slot & 3 != 2:          # skip internal entries (XA_ZERO_ENTRY, retry)
                yield first, last, slot
        if last >= hi:
            break
        first = last + 1


def vmas(mm):
    vma_t = typ('struct vm_area_struct').pointer()
    for _, _, entry in maple_walk(mm['mm_mt']['ma_root'], 0, 2**64 - 1):
        yield gdb.Value(entry).cast(vma_t)


def describe_vma(vma):
    flags = ulong(vma['vm_flags'])
    perms = ''.join(c if flags & bit else '-' for bit, c in ((1, 'r'), (2, 'w'), (4, 'x')))
    perms += 's' if flags & 8 else 'p'
    extra = [name for bit, name in VM_BITS if flags & bit]
    if ulong(vma['vm_file']):
        what = 'file ' + vma['vm_file']['f_path']['dentry']['d_name']['name'].string()
    else:
        what = 'anon' + ('' if ulong(vma['anon_vma']) else ' (no anon_vma yet)')
    pages = (ulong(vma['vm_end']) - ulong(vma['vm_start'])) >> PAGE_SHIFT
    return (f'vma 0x{ulong(vma["vm_start"]):x}-0x{ulong(vma["vm_end"]):x} {perms} '
            f'{pages} pages pgoff {ulong(vma["vm_pgoff"])} {what} flags 0x{flags:x} '
            f'{" ".join(extra)} ({vma})')


class PopVmas(gdb.Command):
    """List current->mm's vmas that intersect [START, END): pop-vmas [START [END]]."""

    def __init__(self):
        super().__init__('pop-vmas', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        start = expr(argv[0]) if argv else 0
        end = expr(argv[1]) if len(argv) > 1 else (start + 1 if argv else 2**64 - 1)
        if not argv and populating_range():
            start, end = populating_range()
        shown = 0
        for vma in vmas(current_mm()):
            if ulong(vma['vm_start']) < end and ulong(vma['vm_end']) > start:
                print(describe_vma(vma))
                shown += 1
        if not shown:
            print(f'no vma in [0x{start:x}, 0x{end:x})')


def read_ulong(addr):
    return ulong(gdb.Value(addr).cast(typ('unsigned long').pointer()).dereference())


def bits(val, table):
    return ' '.join(name for bit, name in table if val & bit) or '-'


class PopPte(gdb.Command):
    """The page-table walk of ADDR in current->mm (UML x86_64, 3 levels): pop-pte [ADDR].

    Without ADDR: the first address __mm_populate() on the stack populates."""

    def __init__(self):
        super().__init__('pop-pte', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            if not populating_range():
                raise gdb.GdbError('usage: pop-pte ADDR (no __mm_populate() frame to take it from)')
            arg = str(populating_range()[0])
        if 'pmd' not in [f.name for f in typ('pmd_t').fields()]:
            raise gdb.GdbError('pop-pte knows 3-level page tables only (CONFIG_3_LEVEL_PGTABLES)')
        addr = expr(arg)
        physmem = ulong(gdb.parse_and_eval('uml_physmem'))
        pgd = ulong(current_mm()['pgd'])
        pgd_e = read_ulong(pgd + ((addr >> PGDIR_SHIFT) % PTRS) * 8)
        print(f'0x{addr:x}: pgd 0x{pgd_e:x} {bits(pgd_e, PTE_BITS)}')
        if not pgd_e & 1:
            print('  pte: none (no pmd table)')
            return
        pmd_e = read_ulong(physmem + (pgd_e & PAGE_MASK) + ((addr >> PMD_SHIFT) % PTRS) * 8)
        print(f'  pmd 0x{pmd_e:x} {bits(pmd_e, PTE_BITS)}')
        if not pmd_e & 1:
            print('  pte: none (no pte table)')
            return
        pte = read_ulong(physmem + (pmd_e & PAGE_MASK) + ((addr >> PAGE_SHIFT) % PTRS) * 8)
        if not pte & ~0x002:
            print(f'  pte: none (0x{pte:x})')
            return
        present = pte & (0x001 | 0x010)
        pfn = (pte & PAGE_MASK) >> PAGE_SHIFT
        desc = f'  pte 0x{pte:x} {bits(pte, PTE_BITS)}: '
        if not present:
            print(desc + 'not present (swap or migration entry)')
            return
        page = gdb.parse_and_eval(f'&mem_map[{pfn}]')
        zero = pfn == (ulong(gdb.parse_and_eval('&empty_zero_page')) - physmem) >> PAGE_SHIFT
        print(desc + f'present pfn 0x{pfn:x} page {page}' + (' (the zero page)' if zero else ''))


class PopCounters(gdb.Command):
    """The fault-injection globals fail_gup_*, fail_filemap_* and their knobs: pop-counters.

    times counts down with each injection (from what the test or preset set it to)."""

    def __init__(self):
        super().__init__('pop-counters', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        shown = 0
        for name in symbols('DdBb', INJECT_VARS):
            val = gdb.parse_and_eval(name)
            attr = fault_attr(val)
            if attr is None:
                continue
            out = [f'{name}:']
            out += [f'probability {int(attr["probability"])}', f'interval {int(attr["interval"])}',
                    f'times {counter(attr["times"])}', f'space {counter(attr["space"])}']
            out += [f'{f} {int(val[f])}' for f in ('delay_us', 'vm_fault', 'ino', 'dev')
                    if has_field(val, f)]
            print(' '.join(out))
            shown += 1
        if not shown:
            print('no fault-injection globals (fail_gup_*, fail_filemap_*) in this kernel')


def has_field(val, name):
    t = val.type.strip_typedefs()
    return t.code == gdb.TYPE_CODE_STRUCT and name in [f.name for f in t.fields()]


def counter(val):
    """An atomic_t, atomic_long_t or a plain integer."""
    return int(val['counter']) if has_field(val, 'counter') else int(val)


def fault_attr(val):
    """VAL if it is a struct fault_attr, its first struct fault_attr member, or None."""
    t = val.type.strip_typedefs()
    if t.code != gdb.TYPE_CODE_STRUCT:
        return None
    if t.tag == 'fault_attr':
        return val
    for f in t.fields():
        if f.type.strip_typedefs().tag == 'fault_attr':
            return val[f.name]
    return None


map_build_dir()
make_breakpoints()
for cmd in (PopBreaks, PopBreak, PopOnly, PopVmas, PopPte, PopCounters):
    cmd()
print(f'populate.py: {len(Named.all)} named breakpoints (off; pop-breaks lists them); commands: '
      'pop-breaks pop-break pop-only pop-vmas pop-pte pop-counters')
