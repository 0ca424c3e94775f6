#!/bin/bash
# make repro, for a kernel series other than the test bed's (run-repro.py names them): build that
# series' stock UML kernel and the same with patches/<series>/ (the backports), to boot the
# guest of make selftests. The tree is Debian's linux-source-<series> tarball, made a git tree by
# prepare-linux.sh (tag "base", then patches/<series>/series) in build/stock-<series>/linux; each
# kernel is built in a worktree of it, so that linux/ and the test bed's builds stay as they are.
#
#   build-stock.sh 6.1   ->   build/stock-6.1/stock/linux, build/stock-6.1/fixed/linux
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 <series, e.g. 6.1>" >&2; exit 2; }
export LINUX_SERIES=$1
. "$(dirname "$0")/lib.sh"

WORK=$BUILD_DIR/stock-$LINUX_SERIES
export PATCHES=$TOP/patches/$LINUX_SERIES LINUX_DIR=$WORK/linux LINUX_SRC
[ -f "$PATCHES/series" ] || die "no $PATCHES/series: no backport of the fix to $LINUX_SERIES"
if [ ! -e "$LINUX_SRC" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		die "no $LINUX_SRC: install $LINUX_PACKAGE (Debian) as root"
	fi
	note "installing $LINUX_PACKAGE"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$LINUX_PACKAGE" >/dev/null ||
		die "apt-get install $LINUX_PACKAGE failed"
fi
mkdir -p "$WORK"
"$TOP/scripts/prepare-linux.sh"

# UML's defconfig, plus the fragments' options this series knows. Not kunit.py: 6.1's turns on
# virt-pci, which warns at every boot, and checks that it stays on. DEBUG_KERNEL: 6.1's
# FAULT_INJECTION depends on it.
config=$WORK/repro.config
{
	echo 'CONFIG_DEBUG_KERNEL=y'
	cat "$TOP/configs/uml.config" "$TOP/configs/fault-injection.config"
} | python3 "$TOP/scripts/kconfig-filter.py" "$LINUX_DIR" >"$config"
use_compiler gcc

for kernel in stock fixed; do
	rev=base
	[ "$kernel" = fixed ] && rev=$(git -C "$LINUX_DIR" rev-parse HEAD)
	tree=$WORK/$kernel/linux
	build=$WORK/$kernel/build
	linux_worktree "$tree" "$rev"
	git -C "$tree" checkout -q -f --detach "$rev"
	mkdir -p "$build"
	note "$LINUX_SERIES $kernel: build (log: $WORK/$kernel.out)"
	if ! (cd "$build" && make -s -C "$tree" O="$build" ARCH=um defconfig &&
		cat "$config" >>.config && make -s -C "$tree" O="$build" ARCH=um olddefconfig &&
		make -C "$tree" O="$build" ARCH=um CC="$CC_CMD" -j"$(nproc)") >"$WORK/$kernel.out" 2>&1; then
		tail -n 20 "$WORK/$kernel.out" >&2
		die "the $LINUX_SERIES $kernel kernel did not build (see $WORK/$kernel.out)"
	fi
	missing=$(grep '^CONFIG_.*=y$' "$config" | grep -vxF -f "$build/.config" || true)
	[ -z "$missing" ] || die "the $LINUX_SERIES $kernel config lost: $(echo "$missing" | paste -sd' ')"
	cp "$build/linux" "$WORK/$kernel/linux.bin"
done
note "$LINUX_SERIES kernels: $WORK/stock/linux.bin, $WORK/fixed/linux.bin"
