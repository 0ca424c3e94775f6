#!/bin/bash
# make bench: the mmap_lock hold-time benchmark (kunit/populate_bench.c) on two kernels, built one
# after the other, then the table, the plot and the shape check (scripts/bench-report.py).
#
#   series      linux/'s HEAD: population after the write lock is dropped (the 3.9 series)
#   experiment  the same plus patches/experiments/populate-under-write-lock.patch: population
#               under the write lock, as before 3.9
#   yield       the series plus patches/experiments/populate-yield-on-contention.patch: between two
#               batches of MM_POPULATE_BATCH_PAGES pages, __mm_populate() lets a waiting writer in
#
# KERNELS= picks others (boots alternate, ROUNDS times each): yield-N is yield with a batch of N
# pages (the patch's MM_POPULATE_BATCH_PAGES rewritten); any other name K is series plus
# patches/experiments/K.patch: yield-fair (the yield with a relock that queues behind the writer
# instead of stealing the lock back), rwsem-wait-timeout-5-jiffies (rwsem's writer handoff later).
#
# ENGINE=qemu: the same kernels built for x86_64 (configs/smp.config, without checks.config) and
# booted under QEMU with CPUS vCPUs (TCG; ACCEL=auto: KVM if a probe boot works, run-smp.sh), with
# a null_blk device whose reads complete after BLK_DELAY_US µs: the block-device workload
# (bench_blk) sleeps in its reads, as on a real disk. Output in build/bench/qemu/. A host where QEMU
# cannot run is skipped with the reason (exit status 77).
#
# MODE=cost (make bench-cost): what the fault-injection capabilities cost when compiled in but
# disarmed. Kernels series and noinject (the same tree and fragments, with the test bed's four
# capabilities turned off: failslab and fail_page_alloc stay on in both), booted in turn ROUNDS times each for the anon and brk workloads; the report compares wall times.
#
# Each kernel has a worktree of linux/ (build/bench/<kernel>/linux; linux/ itself is never
# touched) and a build directory beside it (build/bench/<kernel>/kunit): the same relative paths
# for both, so that ccache (paths relative to CCACHE_BASEDIR) shares the objects between them.
# Built without the debug and KASAN fragments: lockdep and KASAN distort the timings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WORK=$BUILD_DIR/bench
EXPERIMENT=${EXPERIMENT:-$TOP/patches/experiments/populate-under-write-lock.patch}
YIELD=${YIELD:-$TOP/patches/experiments/populate-yield-on-contention.patch}
# One boot runs every repetition of every workload; a hang ends here.
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
MODE=${MODE:-shape}
ENGINE=${ENGINE:-uml}
CPUS=${CPUS:-2}
BLK_DELAY_US=${BLK_DELAY_US:-100}
case $MODE in
shape) KERNELS=${KERNELS:-series experiment yield} ROUNDS=${ROUNDS:-3} TESTS=${TESTS:-} ;;
cost) KERNELS="series noinject" ROUNDS=${ROUNDS:-3} TESTS="bench_[ab]*" ;;
*) die "MODE=$MODE: shape (make bench) or cost (make bench-cost)" ;;
esac

[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "no kernel tree: run 'make linux' first"
case $ENGINE in
uml) OUT=$WORK ;;
qemu)
	OUT=$WORK/qemu
	[ "$MODE" = shape ] || die "MODE=$MODE: ENGINE=qemu runs make bench only"
	qemu_x86_usable || { echo "== bench: SKIPPED: $qemu_skip"; exit 77; }
	;;
*) die "ENGINE=$ENGINE: want uml or qemu" ;;
esac
mkdir -p "$WORK" "$OUT"
# One run at a time: the worktrees and build directories are not shareable.
[ -n "${RUN_BENCH_LOCKED:-}" ] || RUN_BENCH_LOCKED=1 exec flock "$WORK/.lock" "$0" "$@"
head=$(git -C "$LINUX_DIR" rev-parse HEAD)

if ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	note "installing gnuplot-nox (for the plot)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >/dev/null ||
		note "gnuplot-nox not installed: no plot"
fi

# The worktree of one kernel at linux/'s HEAD, with its patch (if any) applied. A tree already in
# that state is left alone: rewriting its files would rebuild them.
prepare_tree() {
	local kernel=$1 patch=${2:-} dir=$WORK/$1/linux want have
	linux_worktree "$dir" "$head"
	want="$head $([ -z "$patch" ] || sha256sum <"$patch")"
	have="$(git -C "$dir" rev-parse HEAD) $(git -C "$dir" diff | sha256sum)"
	if [ "$(cat "$WORK/$kernel/tree.stamp" 2>/dev/null)" = "$want $have" ]; then
		return
	fi
	git -C "$dir" checkout -q -f --detach "$head"
	[ -z "$patch" ] || git -C "$dir" apply "$patch" || die "$patch no longer applies to linux/"
	echo "$want $(git -C "$dir" rev-parse HEAD) $(git -C "$dir" diff | sha256sum)" >"$WORK/$kernel/tree.stamp"
}

# The patch of one kernel (none for series and noinject).
kernel_patch() {
	local kernel=$1 n
	case $kernel in
	series | noinject) ;;
	experiment) echo "$EXPERIMENT" ;;
	yield) echo "$YIELD" ;;
	yield-[0-9]*)
		n=${kernel#yield-}
		mkdir -p "$WORK/$kernel"
		sed -E "s/^(\+#define MM_POPULATE_BATCH_PAGES[[:space:]]+)[0-9]+$/\1$n/" "$YIELD" \
			>"$WORK/$kernel/experiment.patch"
		grep -q "^+#define MM_POPULATE_BATCH_PAGES[[:space:]]*$n\$" "$WORK/$kernel/experiment.patch" ||
			die "$kernel: no MM_POPULATE_BATCH_PAGES in $YIELD"
		echo "$WORK/$kernel/experiment.patch"
		;;
	*) echo "$TOP/patches/experiments/$kernel.patch" ;;
	esac
}

start=$(date +%s)
for kernel in $KERNELS; do
	patch=$(kernel_patch "$kernel")
	[ -z "$patch" ] || [ -f "$patch" ] || die "no patch for kernel $kernel: $patch"
	prepare_tree "$kernel" "$patch"
	rm -f "$OUT/$kernel.log"
done
for round in $(seq "$ROUNDS"); do
	for kernel in $KERNELS; do
		fragments="uml fault-injection bench"
		if [ "$kernel" = noinject ]; then
			sed -E 's/^CONFIG_(FAIL_GUP_[A-Z_]+|FAIL_FILEMAP_[A-Z_]+)=y$/# CONFIG_\1 is not set/' \
				"$TOP/configs/fault-injection.config" >"$WORK/noinject.config"
			fragments="uml $WORK/noinject.config bench"
		fi
		note "bench kernel $kernel: build (if needed) and run $round/$ROUNDS (log: $OUT/$kernel.out)"
		t0=$(date +%s) rc=0
		if [ "$ENGINE" = qemu ]; then
			build=$WORK/$kernel/smp
			LINUX_DIR=$WORK/$kernel/linux SMP_BUILD=$build CPUS=$CPUS \
				FRAGMENTS="smp fault-injection bench" SUITE=mm_populate_bench TEST="$TESTS" \
				KERNEL_ARGS="null_blk.irqmode=2 null_blk.completion_nsec=${BLK_DELAY_US}000" \
				TIMEOUT=$BENCH_TIMEOUT "$TOP/scripts/run-smp.sh" >"$OUT/$kernel.out" 2>&1 || rc=$?
		else
			build=$WORK/$kernel/kunit
			LINUX_DIR=$WORK/$kernel/linux KUNIT_BUILD=$build \
				FRAGMENTS="$fragments" SUITE=mm_populate_bench TEST="$TESTS" \
				TIMEOUT=$BENCH_TIMEOUT "$TOP/scripts/run-kunit.sh" >"$OUT/$kernel.out" 2>&1 || rc=$?
			echo uml-1cpu >"$build/engine"
		fi
		if [ "${rc:-0}" != 0 ]; then
			tail -n 25 "$OUT/$kernel.out" >&2
			die "bench kernel $kernel failed (see $OUT/$kernel.out)"
		fi
		cat "$build/test.log" >>"$OUT/$kernel.log"
		engine=$(cat "$build/engine")
		note "bench kernel $kernel: $(($(date +%s) - t0)) s ($engine)"
	done
done

set --
for kernel in $KERNELS; do
	set -- "$@" "$kernel=$OUT/$kernel.log"
done
[ "$MODE" = cost ] && set -- --cost "$@"
[ "$ENGINE" = qemu ] && set -- --blk-delay-us "$BLK_DELAY_US" "$@"
python3 "$TOP/scripts/bench-report.py" --out "$OUT" --engine "$engine" "$@"
note "make bench: $(($(date +%s) - start)) s"
