#!/bin/bash
# Build the patched UML kernel and run the suites with the kernel's own kunit.py, then check the
# kernel log (splats fail the run even when every test passed) and print the summary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_BUILD=${KUNIT_BUILD:-$BUILD_DIR/kunit}
# One boot of all suites; a hang ends here with the log kept.
TIMEOUT=${TIMEOUT:-300}
FRAGMENTS=${FRAGMENTS-"uml debug fault-injection kasan"}
# The suites' kunitconfig; bisect-check passes one of its own for kernels without the suites.
KUNITCONFIG=${KUNITCONFIG:-$TOP/kunit}

[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
mkdir -p "$KUNIT_BUILD"
# One run at a time per build directory: kunit.py's build and its test.log are not shareable.
[ -n "${RUN_KUNIT_LOCKED:-}" ] || RUN_KUNIT_LOCKED=1 exec flock "$KUNIT_BUILD/.lock" "$0" "$@"
rel_build=$(realpath --relative-to="$LINUX_DIR" "$KUNIT_BUILD")

set -- run --arch=um --jobs="$(nproc)" --timeout="$TIMEOUT" --build_dir="$rel_build" \
	--json="$KUNIT_BUILD/kunit.json" \
	--kernel_args="$KUNIT_KERNEL_ARGS" \
	--kunitconfig="$(realpath --relative-to="$LINUX_DIR" "$KUNITCONFIG")"
fragments=$(fragment_args) || exit 1
# shellcheck disable=SC2086 # one argument a line, no blanks in the paths
set -- "$@" $fragments
use_compiler gcc
set -- "$@" --make_options "CC=$CC_CMD"
glob=$(kunit_glob)
[ -n "$glob" ] && set -- "$@" "$glob"

cmd="cd $(realpath --relative-to="$PWD" "$LINUX_DIR") && ./tools/testing/kunit/kunit.py$(printf " '%s'" "$@")"
echo "\$ $cmd"
rm -f "$KUNIT_BUILD/test.log" "$KUNIT_BUILD/kunit.json"
start=$(date +%s)
rc=0
(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py "$@") \
	2>&1 | tee "$KUNIT_BUILD/kunit.out" || rc=$?
verdict=0
python3 "$TOP/scripts/check-log.py" --status "$rc" --wall "$(($(date +%s) - start))" --repro "$cmd" \
	--json "$KUNIT_BUILD/result.json" "$KUNIT_BUILD/kunit.json" "$KUNIT_BUILD/kunit.out" \
	"$KUNIT_BUILD/test.log" || verdict=$?
# No suite ran under a filter: most likely it matches no test. Say so, with what it could match.
if [ "$verdict" != 0 ] && [ -n "$glob" ] && [ -x "$KUNIT_BUILD/linux" ] &&
	python3 -c 'import json, sys; sys.exit(bool(json.load(open(sys.argv[1]))["suites"]))' \
		"$KUNIT_BUILD/result.json"; then
	"$TOP/scripts/list-tests.sh" >/dev/null || true
fi
exit "$verdict"
