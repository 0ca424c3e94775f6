#!/usr/bin/env python3
"""Keep the lines of a Kconfig fragment (stdin) whose option the kernel tree (argv[1]) defines.

bisect-check builds earlier prefixes of the series, which do not have the options later patches
add; kunit.py would stop on each of them ("Missing: CONFIG_..."). Comments and blank lines go.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
__import__('knobs').answer_help(__file__, __doc__)
if len(sys.argv) != 2:
    sys.exit('usage: kconfig-filter.py TREE <FRAGMENT')
tree = sys.argv[1]
defined = set(re.findall(r'^\s*(?:menu)?config\s+(\w+)', subprocess.run(
    ['git', '-C', tree, 'grep', '-h', '-E', r'^\s*(menu)?config\s+\w+', '--', '*Kconfig*'],
    capture_output=True, text=True, check=True).stdout, re.M))
for line in sys.stdin:
    m = re.match(r'^(?:# )?CONFIG_(\w+)(?:=| is not set)', line)
    if m and m.group(1) in defined:
        sys.stdout.write(line)
