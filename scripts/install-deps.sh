#!/bin/sh
# Install the Debian packages the test bed needs, or name the missing ones when we cannot.
set -eu
. "$(dirname "$0")/lib.sh"

# command:package pairs; a package with no command to probe uses a file path instead.
NEEDS="gcc:gcc make:make flex:flex bison:bison bc:bc python3:python3 git:git xz:xz-utils
perl:perl ccache:ccache gdb:gdb busybox:busybox-static mkfs.ext2:e2fsprogs
/usr/include/sys/capability.h:libcap-dev /usr/src/$LINUX_PACKAGE.tar.xz:$LINUX_PACKAGE"

missing=
for pair in $NEEDS; do
	probe=${pair%%:*}
	pkg=${pair#*:}
	case $probe in
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	# A user tree or tarball given with LINUX_SRC replaces the Debian source package.
	if [ "$pkg" = "$LINUX_PACKAGE" ] && [ -e "$LINUX_SRC" ]; then
		continue
	fi
	missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: missing packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi

note "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be stale or empty; refresh once if the install fails.
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing ||
	{ apt-get update && apt-get install -y --no-install-recommends $missing; }
