#!/bin/bash
# `make cost`: what the fix for the retry-forever bug (the series' "mm/gup: make __mm_populate()
# retry with FOLL_TRIED" patch) costs a cold-file population on a real block device.
#
# Two x86_64 SMP kernels without lockdep, DEBUG_VM or KASAN (configs/cost.config), built in a
# worktree of linux/'s HEAD (build/cost/): the series, and the series with the fix reverted (stock
# 6.12's __mm_populate(), as `make stock` does). Each boots under QEMU with 2 vCPUs, an initramfs
# (busybox, selftests/time_populate.c) and a virtio-blk disk (a host file, ext2, one file of
# MIB MiB of random data); the guest drops its page cache before each file run and times
# mmap(MAP_SHARED|MAP_POPULATE) and mlock() of the whole file, and an anonymous MAP_POPULATE as the
# control. The kernels boot alternately (ROUNDS boots each, RUNS runs of each mode per boot after a
# warm-up run, which the CSV keeps as run 0 and the report leaves out); the
# CSV is build/cost/cost.csv, the report scripts/cost-report.py's. See docs/smp.md.
#
# ICOUNT=1: QEMU's -icount (shift=0, sleep=off): the guest's clock counts instructions, one a
# nanosecond, and the vCPUs take turns on one host thread. The CPU time of a population (cpu_ns, the
# report's second table) is then the instructions it took, the same work counted alike in every
# boot, whatever else the host runs; elapsed times that wait for the disk mean less there.
#
# TRACE=1: the same with the gup:gup_fault tracepoint compiled in (configs/cost-trace.config, in
# build/cost-trace/) and enabled in the guest, which counts after each run the faults GUP took,
# those taken with FAULT_FLAG_TRIED and those that returned VM_FAULT_RETRY (faults.csv): where the
# two kernels' populations differ. Its timings include the tracing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TRACE=${TRACE:-}
ICOUNT=${ICOUNT:-0}
COST=$BUILD_DIR/cost${TRACE:+-trace}
ROUNDS=${ROUNDS:-8}
RUNS=${RUNS:-3}
MIB=${MIB:-256}
CPUS=${CPUS:-2}
# One boot: ROUNDS x 3 modes of population under TCG; a hang ends here with the log kept.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
# The largest fixed/stock ratio of a file mode that passes.
LIMIT=${LIMIT:-1.02}
FIX_PATTERN=mm-gup-make-__mm_populate-retry-with-FOLL_TRIED
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "no kernel tree: run 'make linux' first"
case $ICOUNT in 0 | 1) ;; *) die "ICOUNT=$ICOUNT: want 0 or 1" ;; esac
qemu_x86_usable || { echo "== cost: SKIPPED: $qemu_skip"; exit 77; }
[ -x "$BUSYBOX" ] || die "no $BUSYBOX: run 'make deps' (busybox-static)"
fix=
for p in "$TOP"/patches/*"$FIX_PATTERN"*.patch; do
	[ -f "$p" ] && fix=$p && break
done
[ -n "$fix" ] || die "no patch matching $FIX_PATTERN in patches/"
mkdir -p "$COST"
[ -n "${RUN_COST_LOCKED:-}" ] || RUN_COST_LOCKED=1 exec flock "$COST/.lock" "$0" "$@"

head=$(git -C "$LINUX_DIR" rev-parse HEAD)
tree=$COST/linux
kbuild=$COST/kunit
linux_worktree "$tree" "$head"
git -C "$tree" checkout -q -f --detach "$head"
trap 'git -C "$tree" checkout -q -f --detach "$head"' EXIT
use_compiler gcc
build() { # the worktree as it stands -> $COST/bzImage.$1
	start=$(date +%s)
	(cd "$tree" && python3 tools/testing/kunit/kunit.py build --arch=x86_64 --jobs="$(nproc)" \
		--build_dir="$(realpath --relative-to="$tree" "$kbuild")" \
		--kunitconfig="$(realpath --relative-to="$tree" "$TOP/configs/cost.config")" \
		${TRACE:+--kunitconfig="$(realpath --relative-to="$tree" "$TOP/configs/cost-trace.config")"} \
		--make_options "CC=$CC_CMD") >"$COST/build.$1.log" 2>&1 ||
		die "the $1 kernel did not build: see $COST/build.$1.log"
	cp "$kbuild/arch/x86/boot/bzImage" "$COST/bzImage.$1"
	note "kernel $1: built in $(($(date +%s) - start)) s"
}
# The kernels are built again only when linux/'s HEAD, the config or the fix changed.
stamp="$head $(cat "$TOP/configs/cost.config" ${TRACE:+"$TOP/configs/cost-trace.config"} "$fix" |
	sha1sum | cut -d' ' -f1)"
if [ -f "$COST/bzImage.fix" ] && [ -f "$COST/bzImage.stock" ] &&
	[ "$(cat "$COST/kernels.stamp" 2>/dev/null)" = "$stamp" ]; then
	note "kernels: built for $head already (bzImage.fix, bzImage.stock)"
else
	rm -f "$COST/kernels.stamp"
	build fix
	git -C "$tree" apply -R "$fix" || die "$(basename "$fix") does not revert cleanly from $head"
	build stock
	git -C "$tree" checkout -q -f --detach "$head"
	echo "$stamp" >"$COST/kernels.stamp"
fi

# The guest: busybox, the timing program, and an init that runs every mode RUNS times.
gcc -static -O2 -Wall -o "$COST/time_populate" "$TOP/selftests/time_populate.c"
cat >"$COST/init" <<EOF
#!/bin/sh
# A run that fails is an error, not a missing line.
set -o pipefail
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t ext2 -o ro /dev/vda /mnt || echo "cost: error: no disk"
trace=$TRACE
if [ -n "\$trace" ]; then
	t=/sys/kernel/tracing
	mount -t tracefs tracefs \$t &&
		echo 65536 >\$t/buffer_size_kb && echo 1 >\$t/events/gup/gup_fault/enable ||
		echo "cost: error: no gup:gup_fault tracepoint"
fi
# Run 0 warms up: TCG translates the kernel's paths for the first time (cost-report.py leaves it out).
for r in \$(seq 0 $RUNS); do
	for m in file-populate file-mlock anon-populate; do
		[ -z "\$trace" ] || echo >\$t/trace
		/time_populate \$m /mnt/data $MIB 1 vda | sed "s/^/cost: \$r /" || echo "cost: error: \$m"
		[ -z "\$trace" ] && continue
		# A full buffer would undercount: overruns are an error.
		grep -q '^overrun: [1-9]' \$t/per_cpu/cpu*/stats && echo "cost: error: trace overrun"
		echo "trace: \$r \$m \$(grep -c gup_fault \$t/trace) \$(grep -c 'flags=[^ ]*TRIED' \$t/trace)" \
			"\$(grep -c 'result=[^ ]*RETRY' \$t/trace)"
	done
done
echo "cost: done"
poweroff -f
EOF
gcc -O2 -o "$COST/gen_init_cpio" "$LINUX_DIR/usr/gen_init_cpio.c"
{
	for d in dev bin proc sys mnt; do echo "dir /$d 755 0 0"; done
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox $BUSYBOX 755 0 0"
	for l in sh mount seq sed grep poweroff; do echo "slink /bin/$l busybox 777 0 0"; done
	echo "file /init $COST/init 755 0 0"
	echo "file /time_populate $COST/time_populate 755 0 0"
} >"$COST/initramfs.list"
"$COST/gen_init_cpio" "$COST/initramfs.list" >"$COST/initramfs.cpio"
if [ ! -f "$COST/disk.img" ] || [ "$(cat "$COST/disk.mib" 2>/dev/null)" != "$MIB" ]; then
	rm -rf "$COST/disk" "$COST/disk.img"
	mkdir -p "$COST/disk"
	head -c "$((MIB << 20))" /dev/urandom >"$COST/disk/data"
	# Few inodes: the default ratio would leave no room for the file.
	mkfs.ext2 -q -F -b 4096 -N 64 -m 0 -d "$COST/disk" "$COST/disk.img" "$((MIB * 256 + 4096))" \
		>"$COST/mkfs.log" 2>&1 || die "mkfs.ext2 failed: see $COST/mkfs.log"
	rm -rf "$COST/disk"
	echo "$MIB" >"$COST/disk.mib"
fi

if [ "$ICOUNT" = 1 ]; then
	accel=(-accel tcg -icount "shift=0,sleep=off")
	engine="qemu-tcg-icount-${CPUS}cpu"
	accel_text="TCG with -icount shift=0,sleep=off (one host thread, guest time = instructions)"
else
	accel=(-accel "tcg,thread=multi")
	engine="qemu-tcg-${CPUS}cpu"
	accel_text="TCG (multi-threaded)"
fi
csv=$COST/cost.csv
# The conditions every figure was measured under, beside the figures.
{
	echo "date: $(date -u '+%F %T UTC')"
	echo "host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
	echo "kernel: $(make -s -C "$tree" kernelversion), linux/ HEAD $head (stock: without $(basename "$fix"))"
	echo "engine: QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version //p'), $accel_text, $CPUS vCPUs, 1 GiB"
	echo "runs: $ROUNDS rounds x $RUNS runs (and a warm-up run 0 per boot, not counted), $MIB MiB file on virtio-blk (ext2), page cache dropped before each file run"
} >"$COST/conditions.txt"
echo "engine,kernel,boot,mode,run,ns,reads,sectors,majfaults,cpu_ns" >"$csv"
[ -z "$TRACE" ] || echo "kernel,boot,mode,run,faults,tried,retries" >"$COST/faults.csv"
boot() { # kernel, round
	log=$COST/boot.$1.$2.log
	# -mem-prealloc: the host backs all guest RAM before the guest starts, so that no run pays
	# for the host's first touch of the pages it allocates (a first run took twice as long).
	timeout "$BOOT_TIMEOUT" qemu-system-x86_64 "${accel[@]}" -smp "$CPUS" -m 1024 -mem-prealloc \
		-nodefaults -nographic -serial stdio -no-reboot -bios "$qemu_bios" \
		-kernel "$COST/bzImage.$1" -initrd "$COST/initramfs.cpio" \
		-drive "file=$COST/disk.img,if=virtio,format=raw,readonly=on" \
		-append "console=ttyS0 quiet panic=-1" </dev/null >"$log" 2>&1 || true
	if ! grep -q '^cost: done' "$log" || grep -q '^cost: error' "$log"; then
		die "boot $2 of the $1 kernel did not finish its runs: see $log"
	fi
	awk -v e="$engine" -v k="$1" -v b="$2" '
		/^cost: [0-9]+ [a-z-]+ 0 [0-9]+ -?[0-9]+ -?[0-9]+ [0-9]+ [0-9]+/ {
			printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", e, k, b, $3, $2, $5, $6, $7, $8, $9 }' \
		"$log" | tr -d '\r' >>"$csv"
	[ -z "$TRACE" ] || awk -v k="$1" -v b="$2" '/^trace: [0-9]+ [a-z-]+ [0-9]+ [0-9]+ [0-9]+/ {
		printf "%s,%s,%s,%s,%s,%s,%s\n", k, b, $3, $2, $4, $5, $6 }' "$log" | tr -d '\r' >>"$COST/faults.csv"
}
echo "round,kernel,load1,load5,load15" >"$COST/load.csv"
# Alternate, and swap which goes first every round: drift in the host's load hits both alike.
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then order="stock fix"; else order="fix stock"; fi
	for k in $order; do
		note "round $round/$ROUNDS: $k (load $(cut -d' ' -f1-3 /proc/loadavg))"
		echo "$round,$k,$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >>"$COST/load.csv"
		boot "$k" "$round"
	done
done
if [ -n "$TRACE" ]; then
	note "faults GUP took per run (TRIED: with FAULT_FLAG_TRIED; RETRY: returned VM_FAULT_RETRY), $COST/faults.csv:"
	tr , "\t" <"$COST/faults.csv"
fi
python3 "$TOP/scripts/cost-report.py" "$csv" "$LIMIT"
