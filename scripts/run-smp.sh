#!/bin/bash
# `make smp`: linux/'s series built for x86_64 (SMP, PREEMPT_DYNAMIC) and the suites run on it under
# QEMU with 2 vCPUs, through kunit.py's own QEMU support; the log is checked and the summary printed
# as `make run` does, with the engine (QEMU and its accelerator) named. See docs/smp.md.
#
# The UML-only patches of the series ("um:" subjects) touch only arch/um and arch/x86/um, which an
# x86_64 build never compiles: linux/ is built as it is, in build/smp/kunit.
#
# Accelerator: TCG, unless ACCEL=kvm or ACCEL=auto asks for KVM and a short probe boot under KVM
# reached KUnit (on some hosts a KVM guest hangs at boot). A host where QEMU cannot run is
# reported SKIPPED with the reason (exit status 77), never as a failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SMP_BUILD=${SMP_BUILD:-$BUILD_DIR/smp/kunit}
# One boot of all suites under TCG; a hang ends here with the log kept.
TIMEOUT=${TIMEOUT:-600}
# The KVM probe: a boot that runs no test, bounded.
PROBE_TIMEOUT=${PROBE_TIMEOUT:-30}
# KASAN (configs/kasan.config) is left out by default: see docs/smp.md for what it costs.
FRAGMENTS=${FRAGMENTS-"smp checks fault-injection"}
CPUS=${CPUS:-2}
ACCEL=${ACCEL:-tcg}
# Kernel parameters of the boot, blank-separated (make bench ENGINE=qemu: null_blk's delay).
KERNEL_ARGS=${KERNEL_ARGS:-}
SKIP=77

skip() {
	echo "== smp: SKIPPED: $*"
	exit "$SKIP"
}

[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
case $ACCEL in tcg | kvm | auto) ;; *) die "ACCEL=$ACCEL: want tcg, kvm or auto" ;; esac
qemu_x86_usable || skip "$qemu_skip"

mkdir -p "$SMP_BUILD"
# One run at a time per build directory: kunit.py's build and its test.log are not shareable.
[ -n "${RUN_SMP_LOCKED:-}" ] || RUN_SMP_LOCKED=1 exec flock "$SMP_BUILD/.lock" "$0" "$@"
rel_build=$(realpath --relative-to="$LINUX_DIR" "$SMP_BUILD")

set -- --arch=x86_64 --jobs="$(nproc)" --build_dir="$rel_build" \
	--kunitconfig="$(realpath --relative-to="$LINUX_DIR" "$TOP/kunit")"
fragments=$(fragment_args) || exit 1
# shellcheck disable=SC2086 # one argument a line, no blanks in the paths
set -- "$@" $fragments
use_compiler gcc
set -- "$@" --make_options "CC=$CC_CMD"

start=$(date +%s)
rc=0
(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py build "$@") 2>&1 |
	tee "$SMP_BUILD/build.out" || rc=$?
note "build: $(($(date +%s) - start)) s"
if [ "$rc" != 0 ]; then
	python3 "$TOP/scripts/check-log.py" --status "$rc" --engine "x86_64 (not booted: the build failed)" \
		--json "$SMP_BUILD/result.json" /dev/null "$SMP_BUILD/build.out" /dev/null
	exit 1
fi

# KVM only when a boot under it reaches KUnit (scripts/lib.sh).
qemu_x86_accel "$ACCEL" "$CPUS" "$PROBE_TIMEOUT" "$SMP_BUILD/arch/x86/boot/bzImage" "$SMP_BUILD/kvm-probe.log" ||
	die "ACCEL=kvm, but KVM does not work here: ${accel_why#TCG }"
engine="x86_64 SMP under QEMU, $CPUS vCPUs, $accel_why"
note "engine: $engine"
# What make bench labels its figures with.
echo "qemu-${accel%%,*}-${CPUS}cpu" >"$SMP_BUILD/engine"

set -- exec --arch=x86_64 --build_dir="$rel_build" --timeout="$TIMEOUT" --json="$SMP_BUILD/kunit.json" \
	--qemu_args="-accel $accel -smp $CPUS"
for arg in $KERNEL_ARGS; do
	set -- "$@" --kernel_args="$arg"
done
glob=$(kunit_glob)
[ -n "$glob" ] && set -- "$@" "$glob"
cmd="cd $(realpath --relative-to="$PWD" "$LINUX_DIR") && ./tools/testing/kunit/kunit.py$(printf " '%s'" "$@")"
echo "\$ $cmd"
rm -f "$SMP_BUILD/test.log" "$SMP_BUILD/result.json" "$SMP_BUILD/kunit.json"
start=$(date +%s)
rc=0
(cd "$LINUX_DIR" && python3 tools/testing/kunit/kunit.py "$@") 2>&1 | tee "$SMP_BUILD/kunit.out" || rc=$?
python3 "$TOP/scripts/check-log.py" --status "$rc" --wall "$(($(date +%s) - start))" --repro "$cmd" \
	--engine "$engine" --json "$SMP_BUILD/result.json" "$SMP_BUILD/kunit.json" "$SMP_BUILD/kunit.out" \
	"$SMP_BUILD/test.log"
