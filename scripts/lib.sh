# shellcheck shell=sh
# Shared by every script: the one place for the kernel series, the paths and the error helpers.

LINUX_SERIES=6.12
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
