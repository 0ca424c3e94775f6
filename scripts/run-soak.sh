#!/bin/bash
# make soak: boot the kernel the last `make run` built N times (nothing is rebuilt), run the
# suites each time and say per test how often it failed: a test that fails now and then fails
# for a reason of its own (timing luck), not the kernel's. LOAD=1 keeps every host core busy
# meanwhile (one CPU hog per core, always stopped on the way out). Every boot is bounded by
# TIMEOUT; each boot's output and kernel log are kept in build/soak/. Ends with
# "== soak: N passed, N failed" (test runs; a boot that splats or hangs is one failure more);
# the part's result, one case a test, is build/soak/result.json.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-20}
LOAD=${LOAD:-0}
TIMEOUT=${TIMEOUT:-300}
KUNIT_BUILD=${KUNIT_BUILD:-$BUILD_DIR/kunit}
OUT=$BUILD_DIR/soak

case $N in '' | *[!0-9]* | 0) die "N=$N: the number of boots, 1 or more" ;; esac
case $LOAD in 0 | 1) ;; *) die "LOAD=$LOAD: 1 (every host core busy) or 0" ;; esac
[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
[ -x "$KUNIT_BUILD/linux" ] || die "no kernel at $KUNIT_BUILD/linux: run 'make run' first"
[ -n "${RUN_KUNIT_LOCKED:-}" ] || RUN_KUNIT_LOCKED=1 exec flock "$KUNIT_BUILD/.lock" "$0" "$@"
rel_build=$(realpath --relative-to="$LINUX_DIR" "$KUNIT_BUILD")
glob=$(kunit_glob)

hogs=()
stop_hogs() {
	[ "${#hogs[@]}" = 0 ] || kill "${hogs[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM
if [ "$LOAD" = 1 ]; then
	for _ in $(seq "$(nproc)"); do
		(while :; do :; done) &
		hogs+=("$!")
	done
	note "soak: ${#hogs[@]} CPU hogs running"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)
for i in $(seq "$N"); do
	note "soak: boot $i of $N"
	rc=0
	(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py exec --arch=um --timeout="$TIMEOUT" \
		--build_dir="$rel_build" --kernel_args="$KUNIT_KERNEL_ARGS" --json="$OUT/$i.json" \
		${glob:+"$glob"}) >"$OUT/$i.out" 2>&1 || rc=$?
	cp "$KUNIT_BUILD/test.log" "$OUT/$i.log" 2>/dev/null || : >"$OUT/$i.log"
	python3 "$TOP/scripts/check-log.py" --status "$rc" --json "$OUT/$i.verdict.json" \
		"$OUT/$i.json" "$OUT/$i.out" "$OUT/$i.log" >/dev/null || true
done
stop_hogs
hogs=()
python3 "$TOP/scripts/soak-report.py" --load "$LOAD" --wall "$(($(date +%s) - start))" \
	--json "$OUT/result.json" "$OUT" "$N"
