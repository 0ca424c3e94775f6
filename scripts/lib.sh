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
