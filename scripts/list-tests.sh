#!/bin/bash
# `make list`: the tests of the kernel the last `make run` built, asked of the kernel itself
# (kunit.py exec --list_tests), one "suite.test" per line. SUITE=, TEST= filter as for make run;
# a filter that matches nothing says so and lists what it could have matched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_BUILD=${KUNIT_BUILD:-$BUILD_DIR/kunit}
[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
[ -x "$KUNIT_BUILD/linux" ] || die "no kernel at $KUNIT_BUILD/linux: run 'make run' first"
[ -n "${RUN_KUNIT_LOCKED:-}" ] || RUN_KUNIT_LOCKED=1 exec flock "$KUNIT_BUILD/.lock" "$0" "$@"
rel_build=$(realpath --relative-to="$LINUX_DIR" "$KUNIT_BUILD")

list() { # [glob]; only kunit.py's "suite.test" lines, not its progress
	(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py exec --arch=um --timeout=60 \
		--build_dir="$rel_build" --kernel_args="$KUNIT_KERNEL_ARGS" --list_tests "$@") | { grep -E '^[^ .]+\.[^ .]+$' || true; }
}

glob=$(kunit_glob)
tests=$(list ${glob:+"$glob"})
if [ -n "$tests" ]; then
	echo "$tests"
	exit 0
fi
[ -n "$glob" ] || die "the kernel at $KUNIT_BUILD lists no tests"
# Nothing matched: the suite's tests if the suite exists, else every suite.
suite_tests=
[ -z "${SUITE:-}" ] || suite_tests=$(list "$SUITE")
if [ -n "$suite_tests" ]; then
	echo "error: no test of SUITE=$SUITE matches TEST=${TEST:-}; its tests:" >&2
	# shellcheck disable=SC2001 # one substitution per line of a list
	echo "$suite_tests" | sed 's/^[^.]*\./  /' >&2
else
	echo "error: no test matches SUITE=${SUITE:-} TEST=${TEST:-}; the suites:" >&2
	list | cut -d. -f1 | uniq | sed 's/^/  /' >&2
fi
exit 2
