#!/bin/bash
# `make gdb` and `make gdb-check`: gdb on the UML kernel that the last `make run` built, started with
# the kernel command line kunit.py uses, the kernel's lx-* helpers and gdb/populate.py loaded.
#   scripts/gdb.sh [GDB OPTION...]     e.g. --batch -ex 'pop-break populate' -ex run
# SUITE=, TEST= filter the suites as for `make run`; GDB_TIMEOUT=seconds bounds gdb (batch use).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_BUILD=${KUNIT_BUILD:-$BUILD_DIR/kunit}
GDB_BUILD=${GDB_BUILD:-$BUILD_DIR/gdb}
KUNIT_PY_DIR=$LINUX_DIR/tools/testing/kunit

command -v gdb >/dev/null 2>&1 || die "gdb is not installed: run 'make deps'"
[ -f "$KUNIT_BUILD/vmlinux" ] || die "no kernel at $KUNIT_BUILD/vmlinux: run 'make run' first"
[ -f "$KUNIT_PY_DIR/kunit_kernel.py" ] || die "no kunit.py at $KUNIT_PY_DIR: run 'make linux' first"

glob=$(kunit_glob)
# A filter that matches no test would boot, run nothing and never stop at a breakpoint.
if [ -n "$glob" ]; then
	"${LIST_TESTS:-$TOP/scripts/list-tests.sh}" >/dev/null ||
		die "SUITE=${SUITE:-} TEST=${TEST:-} matches no test (above): no breakpoint could be hit"
fi

# The kernel command line, read from kunit.py itself: LinuxSourceTree.run_kernel() adds the filter
# and kunit.enable=1, LinuxSourceTreeOperationsUml.start() adds mem=1G console=tty
# kunit_shutdown=halt and starts the binary. Run them with Popen replaced, keep what they would run.
cmdline=$(GLOB=$glob ARGS=$KUNIT_KERNEL_ARGS PYTHONDONTWRITEBYTECODE=1 python3 - "$KUNIT_PY_DIR" <<'EOF'
import contextlib, io, os, sys, types
sys.path.insert(0, sys.argv[1])
import kunit_kernel

class Started(Exception):
    pass

def popen(argv, **kw):
    raise Started(argv)

kunit_kernel.subprocess.Popen = popen
fake = types.SimpleNamespace(_ops=kunit_kernel.LinuxSourceTreeOperationsUml())
try:
    with contextlib.redirect_stdout(io.StringIO()):
        next(kunit_kernel.LinuxSourceTree.run_kernel(fake, args=os.environ['ARGS'].split(),
                                                     build_dir='.', filter_glob=os.environ['GLOB']))
except Started as e:
    print('\n'.join(e.args[0][1:]))
else:
    sys.exit('kunit.py started no kernel')
EOF
) || die "could not read the UML command line from $KUNIT_PY_DIR/kunit_kernel.py"
mapfile -t args <<<"$cmdline"

# A private hard link of vmlinux, made under the run lock: a later `make run` relinks vmlinux as a
# new file (ld unlinks the old one), so this session keeps the binary it started with. The lx-*
# helpers are auto-loaded from vmlinux-gdb.py beside it, which reads scripts/gdb/ beside itself.
mkdir -p "$GDB_BUILD"
rc=0
flock -n -E 75 "$KUNIT_BUILD/.lock" ln -f "$KUNIT_BUILD/vmlinux" "$GDB_BUILD/vmlinux" || rc=$?
if [ "$rc" = 75 ]; then
	note "waiting for the 'make run' that holds $KUNIT_BUILD/.lock"
	flock "$KUNIT_BUILD/.lock" ln -f "$KUNIT_BUILD/vmlinux" "$GDB_BUILD/vmlinux"
elif [ "$rc" != 0 ]; then
	exit "$rc"
fi
ln -sfn "$(realpath "$KUNIT_BUILD/scripts")" "$GDB_BUILD/scripts"
ln -sfn "$(realpath "$LINUX_DIR/scripts/gdb/vmlinux-gdb.py")" "$GDB_BUILD/vmlinux-gdb.py"

set -- gdb -q -iex "add-auto-load-safe-path $GDB_BUILD" -x "$TOP/gdb/populate.py" "$@" \
	--args "$GDB_BUILD/vmlinux" "${args[@]}"
echo "\$ $(printf "%q " "$@")" >&2
if [ -n "${GDB_TIMEOUT:-}" ]; then
	# timeout signals its whole process group: gdb and the UML processes it started.
	exec timeout -k 10 "$GDB_TIMEOUT" "$@"
fi
exec "$@"
