#!/bin/sh
# make deps, first: can this host run the test bed? One line for each problem, then exit 1; no
# output and exit 0 when all is well. Each fact can be given through the environment (HOST_OS,
# HOST_ARCH, HOST_FREE_KB, HOST_SHM_KB), which is how the scripts' tests see each check fire.
set -eu
. "$(dirname "$0")/lib.sh"

HOST_OS=${HOST_OS:-$(uname -s)}
HOST_ARCH=${HOST_ARCH:-$(uname -m)}
# Free space where build/ goes (its nearest existing parent), and the size of /dev/shm.
dir=$BUILD_DIR
while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
HOST_FREE_KB=${HOST_FREE_KB:-$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')}
HOST_SHM_KB=${HOST_SHM_KB:-$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $2 }')}
# What a cold make test used (du of build/, linux/ and ccache after a full run; docs/testing.md),
# and the memory kunit.py gives a UML guest (mem=1G), which UML backs with a file in /dev/shm.
NEED_DISK_GB=${NEED_DISK_GB:-16}
GUEST_MEM_MB=1024

bad=0
problem() {
	echo "host check: $*" >&2
	bad=1
}

[ "$HOST_OS" = Linux ] ||
	problem "this is $HOST_OS, not Linux: the test bed runs user-mode Linux, which runs on a Linux x86_64 host only"
[ "$HOST_OS" != Linux ] || [ "$HOST_ARCH" = x86_64 ] ||
	problem "this host is $HOST_ARCH, not x86_64: user-mode Linux (ARCH=um) is built for x86_64 hosts here"
# Only a cold run (no build/ yet) needs it all; a warm one reuses what is there.
if [ ! -d "$BUILD_DIR" ] && [ "$HOST_FREE_KB" -lt $((NEED_DISK_GB * 1024 * 1024)) ]; then
	problem "$((HOST_FREE_KB / 1024 / 1024)) GB free in $dir: a cold make test uses about $NEED_DISK_GB GB (build/, linux/, ccache; NEED_DISK_GB=)"
fi
if [ -z "$HOST_SHM_KB" ]; then
	problem "no /dev/shm: UML keeps the guest's memory there (a tmpfs of at least $GUEST_MEM_MB MB)"
elif [ "$HOST_SHM_KB" -lt $((GUEST_MEM_MB * 1024)) ]; then
	problem "/dev/shm is $((HOST_SHM_KB / 1024)) MB, the UML guest's memory is $GUEST_MEM_MB MB: enlarge it (docker run --shm-size=2g; mount -o remount,size=2G /dev/shm)"
fi
exit "$bad"
