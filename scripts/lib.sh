# shellcheck shell=sh
# shellcheck disable=SC2034 # its variables are read by the scripts that source it
# Shared by every script: the one place for the kernel series, the paths and the error helpers.

# The test bed's kernel series. make repro also builds other series' stock kernels (run-repro.py
# names them), with LINUX_SERIES set for that one build.
LINUX_SERIES=${LINUX_SERIES:-6.12}
LINUX_PACKAGE=linux-source-$LINUX_SERIES

TOP=$(cd "$(dirname "$0")/.." && pwd)
LINUX_DIR=${LINUX_DIR:-$TOP/linux}
BUILD_DIR=${BUILD_DIR:-$TOP/build}
LINUX_SRC=${LINUX_SRC:-/usr/src/$LINUX_PACKAGE.tar.xz}

die() {
	echo "error: $*" >&2
	exit 1
}

note() {
	echo ">>> $*" >&2
}

# Added to every kunit.py boot: ubd0 otherwise opens ./root_fs and logs "Failed to initialize ubd
# device 0" when there is none; /dev/null, read-only, is an empty disk. (make selftests passes its own.)
KUNIT_KERNEL_ARGS="ubd0r=/dev/null"

# kunit.py's --kunitconfig= arguments for $FRAGMENTS, one a line: a fragment is a name in configs/
# or a path of your own, given relative to $LINUX_DIR (kunit.py runs there).
fragment_args() {
	for f in $FRAGMENTS; do
		case $f in
		*/*) path=$(realpath "$f") ;;
		*) path=$TOP/configs/$f.config ;;
		esac
		[ -f "$path" ] || die "no such config fragment: $f"
		echo "--kunitconfig=$(realpath --relative-to="$LINUX_DIR" "$path")"
	done
}

# kunit.py's filter glob from SUITE= and TEST= ("suite.test"; TEST alone matches any suite).
kunit_glob() {
	glob=${SUITE:-}${TEST:+.$TEST}
	case $glob in .*) glob="*$glob" ;; esac
	echo "$glob"
}

# CC_CMD: the compiler $1 through ccache, which every build needs (make deps installs it): the
# mutants, bisect and bench kernels rebuild the same objects in other trees. Hits across clones
# and build directories need paths relative to a common parent.
use_compiler() {
	command -v ccache >/dev/null 2>&1 || die "ccache is not installed: run 'make deps'"
	export CCACHE_BASEDIR="$TOP" CCACHE_NOHASHDIR=1
	CC_CMD="ccache $1"
}

# A worktree of linux/ at rev in dir, with the suites linked in. Kept below build/ at the depth of
# linux/ below the top, so that ccache (paths relative to CCACHE_BASEDIR) reuses linux/'s objects.
# A worktree whose directory is gone (make clean, rm -rf build) is still registered in linux/ until
# pruned, and git then refuses to add it again.
linux_worktree() {
	if [ ! -e "$1" ]; then
		git -C "$LINUX_DIR" worktree prune
		mkdir -p "$(dirname "$1")"
		git -C "$LINUX_DIR" worktree add -q --detach "$1" "$2"
	fi
	ln -sfn "$TOP/kunit" "$1/mm/populate_test"
}

# Every script answers --help: its header comment and its knobs (scripts/knobs). A script sources
# this file with its own arguments.
case ${1:-} in
-h | --help)
	sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" | sed '/^[^#]*[^ ]=\|^set /d'
	python3 "$TOP/scripts/knobs.py" --script "$(basename "$0")"
	exit 0
	;;
esac

# QEMU for the x86_64 kernel of make smp (run-smp.sh, ENGINE=qemu run-selftests.py). A host
# where it cannot run is skipped, never failed: qemu_x86_usable returns 1 with the reason in
# $qemu_skip.
qemu_x86_usable() {
	qemu_skip=
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
		qemu_skip="no qemu-system-x86_64 on this host (Debian: qemu-system-x86; run 'make deps')"
		return 1
	fi
	# kunit.py's x86_64 target boots with qboot, and so does the KVM probe.
	qemu_bios=$(qemu-system-x86_64 -L help 2>/dev/null | while read -r d; do
		[ -f "$d/qboot.rom" ] && echo "$d/qboot.rom" && break
	done || true)
	if [ -z "$qemu_bios" ]; then
		qemu_skip="QEMU has no qboot.rom (kunit.py's x86_64 target boots with it)"
		return 1
	fi
	# QEMU can start a machine at all here (a container may forbid what it needs): a machine that
	# waits for a monitor command is still running when the timeout ends it.
	_why=$(timeout 3 qemu-system-x86_64 -accel tcg -machine none -nodefaults -display none \
		-monitor none -S </dev/null 2>&1) && _rc=0 || _rc=$?
	if [ "$_rc" != 124 ]; then
		qemu_skip="QEMU cannot start a machine on this host (status $_rc): ${_why:-no output}"
		return 1
	fi
}

# qemu_x86_accel ACCEL CPUS PROBE_TIMEOUT BZIMAGE PROBE_LOG: sets $accel (QEMU's -accel) and
# $accel_why. TCG unless ACCEL (tcg, kvm, auto) asks for KVM and a probe boot of BZIMAGE under
# KVM reaches KUnit within PROBE_TIMEOUT s (on some hosts a KVM guest hangs at boot): the probe
# asks for a suite that does not exist. Returns 1 when ACCEL=kvm and KVM does not work.
# Multi-threaded TCG: each vCPU on a host thread of its own, so that they run at once.
qemu_x86_accel() {
	accel=tcg,thread=multi
	accel_why="TCG, one host thread per vCPU (emulated CPUs: timings comparable only with each other)"
	[ "$1" != tcg ] || return 0
	if [ ! -w /dev/kvm ]; then
		accel_why="TCG (KVM asked for, but /dev/kvm is missing or not writable)"
	elif timeout "$3" qemu-system-x86_64 -accel kvm -nodefaults -m 1024 -smp "$2" \
		-kernel "$4" -no-reboot -nographic -serial stdio -bios "$qemu_bios" \
		-append 'console=ttyS0 kunit.filter_glob=no_such_suite kunit_shutdown=poweroff' \
		</dev/null >"$5" 2>&1 && grep -q 'KTAP version' "$5"; then
		accel=kvm
		accel_why="KVM (a probe boot reached KUnit: $5)"
	else
		accel_why="TCG (the KVM probe boot did not reach KUnit within $3 s: $5)"
	fi
	[ "$1" != kvm ] || [ "$accel" = kvm ]
}
