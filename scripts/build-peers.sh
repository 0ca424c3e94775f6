#!/bin/bash
# Build the guest of `make peers`: busybox, the host's stress-ng and trinity with the shared
# libraries they load (resolved by ldd, copied from the host's packages: no hostfs in the guest),
# selftests/testrun and selftests/peers-init.sh as /init, in build/peers/initramfs.cpio.
set -eu
. "$(dirname "$0")/lib.sh"

PE=$BUILD_DIR/peers
BUSYBOX=${BUSYBOX:-/bin/busybox}
TOOLS="stress-ng:stress-ng trinity:trinity"

[ -f "$LINUX_DIR/usr/gen_init_cpio.c" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
[ -x "$BUSYBOX" ] || die "no $BUSYBOX: run 'make deps' (busybox-static)"
bins=
for pair in $TOOLS; do
	path=$(command -v "${pair%%:*}") || die "no ${pair%%:*}: run 'make deps' (Debian: ${pair#*:})"
	bins="$bins $path"
done
mkdir -p "$PE"
gcc -static -O2 -Wall -o "$PE/testrun" "$TOP/selftests/testrun.c"
gcc -O2 -o "$PE/gen_init_cpio" "$LINUX_DIR/usr/gen_init_cpio.c"
# Not for the guest: preloaded into the kernel process by the "host" presets (configs/presets).
gcc -O2 -Wall -shared -fPIC -o "$PE/fake_xsave.so" "$TOP/selftests/fake_xsave.c" -ldl

# Every library path ldd names (the loader included), each directory above it once.
# shellcheck disable=SC2086
libs=$(ldd $bins | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u)
[ -n "$libs" ] || die "ldd found no libraries for$bins"
{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	for d in bin proc sys tmp peers; do echo "dir /$d 755 0 0"; done
	for l in $libs; do
		d=$(dirname "$l")
		while [ "$d" != / ]; do echo "$d"; d=$(dirname "$d"); done
	done | sort -u | sed 's/.*/dir & 755 0 0/'
	for l in $libs; do echo "file $l $(readlink -f "$l") 755 0 0"; done
	echo "file /bin/busybox $BUSYBOX 755 0 0"
	echo "slink /bin/sh busybox 777 0 0"
	for b in $bins; do echo "file /bin/$(basename "$b") $b 755 0 0"; done
	echo "file /peers/testrun $PE/testrun 755 0 0"
	echo "file /init $TOP/selftests/peers-init.sh 755 0 0"
} >"$PE/initramfs.list"
"$PE/gen_init_cpio" "$PE/initramfs.list" >"$PE/initramfs.cpio"
note "initramfs: $PE/initramfs.cpio ($(($(stat -c %s "$PE/initramfs.cpio") / 1024)) KiB," \
	"$(echo "$libs" | wc -l) libraries)"
