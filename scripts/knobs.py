#!/usr/bin/env python3
"""Print the knobs (environment variables) of scripts/knobs, the one table of them.

    knobs.py --script NAME     a script's knobs (each script's --help prints them)
    knobs.py --make            `make help`: each target of the Makefile, the knobs of its scripts
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(TOP, 'scripts', 'knobs')
MAKEFILE = os.path.join(TOP, 'Makefile')


def table(path=TABLE):
    """[(script, variable, default, what)] in the table's order."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip() and not line.startswith('#'):
                cells = [c.strip() for c in line.split('|')]
                if len(cells) != 4:
                    sys.exit(f'error: {path}:{n}: want "script | variable | default | what"')
                rows.append(tuple(cells))
    return rows


def knobs_of(script, rows, fixed=(), common=True):
    """The rows of a script, lib.sh's too for a shell script (common); none of the variables in
    fixed."""
    own = [r for r in rows if r[0] == script]
    if common and script.endswith('.sh'):
        names = {r[1] for r in own}
        own = [r for r in rows if r[0] == 'lib.sh' and r[1] not in names] + own
    return [r for r in own if r[1] not in fixed]


def lines(rows, indent='  '):
    return [f'{indent}{var}={default}'.ljust(len(indent) + 34) + f' {what}'
            if len(f'{var}={default}') <= 32 else f'{indent}{var}={default}\n{indent}{"":34} {what}'
            for _, var, default, what in rows]


def answer_help(path, doc):
    """For a Python script: on -h or --help, print its doc and knobs, and exit."""
    if any(a in ('-h', '--help') for a in sys.argv[1:]):
        print(doc.strip())
        print_script(os.path.basename(path))
        sys.exit(0)


def print_script(script):
    rows = knobs_of(script, table())
    if rows:
        print('\nenvironment (default after =):')
        print('\n'.join(lines(rows)))


def make_help():
    """The Makefile's "## target  what" lines, each followed by the knobs its recipe's scripts read."""
    rows = table()
    with open(MAKEFILE) as f:
        text = f.read()
    out = ['Every target reads (scripts/lib.sh):'] + lines(knobs_of('lib.sh', rows), '      ')
    out += ['', 'Targets, and what else each reads (environment variables, default after =):']
    for m in re.finditer(r'^## (\S+)(.*)\n((?:.*\n)*?)(?=\n|^## |\Z)', text, re.M):
        target, what, body = m.group(1), m.group(2), m.group(3)
        out.append(f'{target}{what}')
        recipe = '\n'.join(line for line in body.splitlines() if line.startswith('\t'))
        fixed = set(re.findall(r'\b([A-Z_]+)=', recipe))
        scripts = re.findall(r'scripts/([\w.-]+)', recipe)
        shown = set()
        for s in scripts:
            for r in knobs_of(s, rows, fixed, common=False):
                if r[1] not in shown:
                    shown.add(r[1])
                    out += lines([r], '      ')
        if 'test-all.py' in scripts:
            out.append('      (and the knobs of each part\'s scripts, listed under their targets)')
    print('\n'.join(out))


def main(argv):
    if argv == ['--make']:
        make_help()
    elif len(argv) == 2 and argv[0] == '--script':
        print_script(argv[1])
    else:
        print(__doc__.strip())
        return 0 if argv and argv[0] in ('-h', '--help') else 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
