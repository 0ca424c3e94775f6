#!/bin/sh
# /init of the `make selftests` initramfs (scripts/build-selftests.sh), run by busybox sh as pid 1.
# Mounts what the tests need, sets the preset's debugfs knobs, runs each program of
# /selftests/list ("name [uid]") through /selftests/testrun, and prints one KTAP document, as
# kselftest's runner nests it: test 1 "setup" (the knobs), then one subtest per program, whose own
# KTAP (kselftest.h, KSFT_TAP_LEVEL=1: no version line of its own) is indented two spaces below a
# "# Subtest:" header, then its result line from its exit status (kselftest's codes: 0 pass, 4
# skip, else fail; killed after st_timeout: "# TIMEOUT"). Then it powers off.
# Kernel command line (scripts/run-selftests.py): st_preset=<name>, st_timeout=<seconds per
# program>, st_knob=<debugfs dir>/<knob>=<value> (any number), and st_only=<program> (that alone).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
preset=${st_preset:-plain}
progs=$(grep -c . /selftests/list)
[ -z "${st_only:-}" ] || progs=1
echo "KTAP version 1"
echo "# selftests preset=$preset kernel=$(uname -r)"
echo "1..$((progs + 1))"

# The host's disk image, read-only, without readahead: each page is its own ->read_folio. UML
# attaches it as ubda, QEMU as virtio-blk (vda).
setup=
disk=ubda
[ -b /dev/ubda ] || [ ! -b /dev/vda ] || disk=vda
echo 0 >/sys/block/$disk/queue/read_ahead_kb 2>/dev/null &&
	mount -t ext2 -o ro /dev/$disk /mnt/disk ||
	echo "# no disk image at /dev/$disk"
# shellcheck disable=SC2013 # words, not lines
for t in $(cat /proc/cmdline); do
	case $t in
	st_knob=*)
		kv=${t#st_knob=}
		echo "${kv#*=}" >"/sys/kernel/debug/${kv%%=*}" ||
			setup="$setup cannot set /sys/kernel/debug/${kv%%=*} to ${kv#*=};"
		;;
	esac
done
cd /tmp || setup="$setup no /tmp;"
if [ -n "$setup" ]; then
	echo "not ok 1 setup #$setup"
else
	echo "ok 1 setup"
fi
# Under a preset only the test process is failed (task-filter=Y), from after its execve on.
fail=
[ "$preset" = plain ] || fail=-f
# should_fail() decrements a fault_attr's times on each injection: each program starts with the
# times the preset set, and what it used is what was injected (-1, no limit, counts nothing).
for f in /sys/kernel/debug/fail*/times; do
	[ -f "$f" ] || continue
	d=${f%/times}
	cat "$f" >"/tmp/.times.${d##*/}"
done

n=1
while read -r prog uid; do
	[ -z "${st_only:-}" ] || [ "$prog" = "$st_only" ] || continue
	n=$((n + 1))
	if [ -f "/selftests/$prog.nobuild" ]; then
		echo "not ok $n $prog # does not build: $(cat "/selftests/$prog.nobuild")"
		continue
	fi
	for s in /tmp/.times.*; do
		[ -f "$s" ] && cat "$s" >"/sys/kernel/debug/${s#/tmp/.times.}/times"
	done
	echo "  KTAP version 1"
	echo "  # Subtest: $prog"
	t0=$(awk '{ print int($1 * 100) }' /proc/uptime)
	# shellcheck disable=SC2086 # $fail: no option or one
	{
		KSFT_TAP_LEVEL=1 timeout -s KILL "${st_timeout:-60}" \
			/selftests/testrun ${uid:+-u $uid} $fail "/selftests/$prog" </dev/null 2>&1
		echo $? >/tmp/.rc
		# timeout kills testrun only: what the program left running (its children) would keep
		# the pipe open, and /init would wait for it forever. No process but this and pid 1
		# is needed any more.
		[ "$(cat /tmp/.rc)" != 137 ] || kill -9 -1
	} | sed 's/^/  /'
	rc=$(cat /tmp/.rc)
	t1=$(awk '{ print int($1 * 100) }' /proc/uptime)
	inj=
	for s in /tmp/.times.*; do
		[ -f "$s" ] || continue
		d=${s#/tmp/.times.}
		set -- "$(cat "$s")" "$(cat "/sys/kernel/debug/$d/times")"
		# A program that sets times itself (to count its own injections) is not counted here.
		[ "$1" = -1 ] || [ "$2" -ge "$1" ] || inj="$inj $d=$(($1 - $2))"
	done
	echo "# $prog: exit=$rc time=$(((t1 - t0) / 100)).$(((t1 - t0) % 100 / 10))s${inj:+ injected:$inj}"
	if [ $((t1 - t0)) -ge $((${st_timeout:-60} * 100)) ]; then
		echo "not ok $n $prog # TIMEOUT ${st_timeout:-60} seconds"
	elif [ "$rc" = 0 ]; then
		echo "ok $n $prog"
	elif [ "$rc" = 4 ]; then
		echo "ok $n $prog # SKIP"
	else
		echo "not ok $n $prog # exit=$rc"
	fi
done </selftests/list
poweroff -f
