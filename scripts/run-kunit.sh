#!/bin/bash
# Build the patched UML kernel and run the suites with the kernel's own kunit.py, then check the
# kernel log (splats fail the run even when every test passed) and print the summary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUNIT_BUILD=${KUNIT_BUILD:-$BUILD_DIR/kunit}
# One boot of all suites; a hang ends here with the log kept.
TIMEOUT=${TIMEOUT:-300}
FRAGMENTS=${FRAGMENTS-"uml checks debug fault-injection kasan"}
# The suites' kunitconfig; bisect-check passes one of its own for kernels without the suites.
KUNITCONFIG=${KUNITCONFIG:-$TOP/kunit}
# 1: the build directory's .config stands (the caller changed no Kconfig file since kunit.py last
# configured it, as a mutant does): build with make alone and boot with kunit.py exec, without the
# olddefconfig pass kunit.py's build starts with (5 of a mutant's 25 s).
KEEP_CONFIG=${KEEP_CONFIG:-0}

[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
mkdir -p "$KUNIT_BUILD"
# One run at a time per build directory: kunit.py's build and its test.log are not shareable.
[ -n "${RUN_KUNIT_LOCKED:-}" ] || RUN_KUNIT_LOCKED=1 exec flock "$KUNIT_BUILD/.lock" "$0" "$@"
rel_build=$(realpath --relative-to="$LINUX_DIR" "$KUNIT_BUILD")

case $KEEP_CONFIG in 0 | 1) ;; *) die "KEEP_CONFIG=$KEEP_CONFIG: want 0 or 1" ;; esac
[ "$KEEP_CONFIG" = 0 ] || [ -f "$KUNIT_BUILD/.config" ] ||
	die "KEEP_CONFIG=1 but $KUNIT_BUILD has no .config to keep: run it once with KEEP_CONFIG=0"
use_compiler gcc
if [ "$KEEP_CONFIG" = 1 ]; then
	# kunit.py's own make command line, less its olddefconfig.
	make=(make -C "$(realpath --relative-to="$PWD" "$LINUX_DIR")" all ARCH=um O="$rel_build"
		--jobs="$(nproc)" "CC=$CC_CMD")
	set -- exec
else
	make=()
	set -- run --jobs="$(nproc)" --make_options "CC=$CC_CMD"
fi
set -- "$@" --arch=um --timeout="$TIMEOUT" --build_dir="$rel_build" \
	--json="$KUNIT_BUILD/kunit.json" \
	--kernel_args="$KUNIT_KERNEL_ARGS" \
	--kunitconfig="$(realpath --relative-to="$LINUX_DIR" "$KUNITCONFIG")"
fragments=$(fragment_args) || exit 1
# shellcheck disable=SC2086 # one argument a line, no blanks in the paths
set -- "$@" $fragments
glob=$(kunit_glob)
[ -n "$glob" ] && set -- "$@" "$glob"

cmd="cd $(realpath --relative-to="$PWD" "$LINUX_DIR") && ./tools/testing/kunit/kunit.py$(printf " '%s'" "$@")"
[ ${#make[@]} = 0 ] || cmd="${make[*]} && $cmd"
echo "\$ $cmd"
rm -f "$KUNIT_BUILD/test.log" "$KUNIT_BUILD/kunit.json"
start=$(date +%s)
rc=0
if [ ${#make[@]} != 0 ] && ! "${make[@]}" >"$KUNIT_BUILD/make.out" 2>&1; then
	rc=1
	tail -20 "$KUNIT_BUILD/make.out" | tee "$KUNIT_BUILD/kunit.out"
else
	(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py "$@") \
		2>&1 | tee "$KUNIT_BUILD/kunit.out" || rc=$?
fi
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
