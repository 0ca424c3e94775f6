#!/bin/bash
# Build the guest of `make selftests`: static test programs (the kernel tree's mm selftests and
# the test bed's own selftests/*.c) and busybox in an initramfs, build/selftests/initramfs.cpio.
# A program that does not build is listed with the compiler's first error, and the guest reports
# it failed (not skipped) in every boot.
set -eu
. "$(dirname "$0")/lib.sh"

ST=$BUILD_DIR/selftests
MM=$LINUX_DIR/tools/testing/selftests/mm
# The kernel tree's mm selftests run in the guest, with the extra sources and libraries each needs.
MM_TESTS=${MM_TESTS:-"map_populate mlock2-tests mlock-random-test:-lcap on-fault-limit
madv_populate:vm_util.c mremap_test populate_io_error"}
# These skip as root: the guest runs them as nobody.
AS_NOBODY="on-fault-limit"
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ -d "$MM" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
[ -x "$BUSYBOX" ] || die "no $BUSYBOX: run 'make deps' (busybox-static)"
mkdir -p "$ST/bin" "$ST/khdr"
rm -f "$ST"/bin/*

# The tree's own UAPI headers (the selftests need 6.12's, newer than the distribution's).
# `make headers` writes only into O=; x86 because UML exports none.
make -s -C "$LINUX_DIR" ARCH=x86 O="$ST/khdr" headers >"$ST/headers.log" 2>&1 ||
	die "make headers failed: see $ST/headers.log"
CFLAGS="-static -O2 -Wall -pthread -isystem $ST/khdr/usr/include"

: >"$ST/list"
build() { # name, then gcc arguments; a failure becomes "name.nobuild": the compiler's first error
	name=$1
	shift
	case " $AS_NOBODY " in
	*" $name "*) echo "$name 65534" >>"$ST/list" ;;
	*) echo "$name" >>"$ST/list" ;;
	esac
	# shellcheck disable=SC2086
	if ! gcc $CFLAGS -o "$ST/bin/$name" "$@" >"$ST/bin/$name.log" 2>&1; then
		grep -m1 -E 'error|undefined' "$ST/bin/$name.log" | tr '\n#' '  ' >"$ST/bin/$name.nobuild"
		note "$name does not build: $(cat "$ST/bin/$name.nobuild")"
	fi
	rm -f "$ST/bin/$name.log"
}
for t in $MM_TESTS; do
	name=${t%%:*}
	extra=
	case $t in *:*) extra=${t#*:} ;; esac
	src=
	for e in $extra; do
		case $e in *.c) src="$src $MM/$e" ;; esac
	done
	libs=${extra//*.c/}
	# shellcheck disable=SC2086
	build "$name" -I"$MM/.." -I"$MM" "$MM/$name.c" $src $libs
done
# vector_regs first: if the guest loses register state, nothing after it can be trusted.
for c in "$TOP"/selftests/vector_regs.c "$TOP"/selftests/populate_*.c; do
	build "$(basename "$c" .c)" -I"$TOP/selftests" -I"$MM/.." -I"$MM" "$c"
done
# shellcheck disable=SC2086
gcc $CFLAGS -o "$ST/bin/testrun" "$TOP/selftests/testrun.c"
# Not for the guest: preloaded into the kernel process by the "host" presets (configs/presets).
gcc -O2 -Wall -shared -fPIC -o "$ST/fake_xsave.so" "$TOP/selftests/fake_xsave.c" -ldl

# A read-only ext2 disk for the guest (UML ubd): files read through ->read_folio, unlike tmpfs.
rm -rf "$ST/disk" "$ST/disk.img"
mkdir -p "$ST/disk"
head -c $((64 * 4096)) /dev/urandom >"$ST/disk/data"
mkfs.ext2 -q -F -b 4096 -d "$ST/disk" "$ST/disk.img" 2048 >"$ST/mkfs.log" 2>&1 ||
	die "mkfs.ext2 failed: see $ST/mkfs.log"

# The initramfs, by the tree's own gen_init_cpio: no root, no device nodes on the host.
gcc -O2 -o "$ST/gen_init_cpio" "$LINUX_DIR/usr/gen_init_cpio.c"
{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	for d in bin proc sys tmp mnt mnt/disk selftests; do echo "dir /$d 755 0 0"; done
	echo "file /bin/busybox $BUSYBOX 755 0 0"
	echo "slink /bin/sh busybox 777 0 0"
	echo "file /init $TOP/selftests/init.sh 755 0 0"
	echo "file /selftests/list $ST/list 644 0 0"
	for f in "$ST"/bin/*; do echo "file /selftests/$(basename "$f") $f 755 0 0"; done
} >"$ST/initramfs.list"
"$ST/gen_init_cpio" "$ST/initramfs.list" >"$ST/initramfs.cpio"
note "initramfs: $ST/initramfs.cpio ($(($(stat -c %s "$ST/initramfs.cpio") / 1024)) KiB," \
	"$(wc -l <"$ST/list") programs)"
