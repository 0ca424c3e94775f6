#!/bin/sh
# /init of the `make selftests` initramfs (scripts/build-selftests.sh), run by busybox sh as pid 1.
# Mounts what the tests need, sets the preset's debugfs knobs, runs each program of
# /selftests/list ("name [uid]") through /selftests/testrun, output captured; prints one line each:
#   SELFTEST <name> <pass|fail|skip> rc=<exit status> time=<s> [injected: <attr>=<count>...]
# and powers off. Kernel command line (scripts/run-selftests.py): st_preset=<name>,
# st_timeout=<seconds per program>, st_knob=<debugfs dir>/<knob>=<value> (any number), and
# st_only=<program> (make repro: that program alone).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# The host's disk image, read-only, without readahead: each page is its own ->read_folio.
echo 0 >/sys/block/ubda/queue/read_ahead_kb 2>/dev/null &&
	mount -t ext2 -o ro /dev/ubda /mnt/disk ||
	echo "SELFTESTS-NOTE no disk image at /dev/ubda"
preset=${st_preset:-plain}
echo "SELFTESTS-BEGIN preset=$preset kernel=$(uname -r)"

# shellcheck disable=SC2013 # words, not lines
for t in $(cat /proc/cmdline); do
	case $t in
	st_knob=*)
		kv=${t#st_knob=}
		echo "${kv#*=}" >"/sys/kernel/debug/${kv%%=*}" ||
			echo "SELFTESTS-ERROR cannot set /sys/kernel/debug/${kv%%=*} to ${kv#*=}"
		;;
	esac
done
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

cd /tmp || echo "SELFTESTS-ERROR no /tmp"
while read -r prog uid; do
	[ -z "${st_only:-}" ] || [ "$prog" = "$st_only" ] || continue
	if [ -f "/selftests/$prog.skip" ]; then
		echo "SELFTEST $prog skip rc=- $(cat "/selftests/$prog.skip")"
		continue
	fi
	for s in /tmp/.times.*; do
		[ -f "$s" ] && cat "$s" >"/sys/kernel/debug/${s#/tmp/.times.}/times"
	done
	rc=0
	t0=$(awk '{ print int($1 * 100) }' /proc/uptime)
	timeout -s KILL "${st_timeout:-60}" /selftests/testrun ${uid:+-u $uid} $fail "/selftests/$prog" \
		>"/tmp/$prog.out" 2>&1 </dev/null || rc=$?
	sed "s|^|$prog: |" "/tmp/$prog.out"
	t1=$(awk '{ print int($1 * 100) }' /proc/uptime)
	inj=
	for s in /tmp/.times.*; do
		[ -f "$s" ] || continue
		d=${s#/tmp/.times.}
		set -- "$(cat "$s")" "$(cat "/sys/kernel/debug/$d/times")"
		# A program that sets times itself (to count its own injections) is not counted here.
		[ "$1" = -1 ] || [ "$2" -ge "$1" ] || inj="$inj $d=$(($1 - $2))"
	done
	case $rc in
	0) r=pass ;;
	4) r=skip ;;
	*) r=fail ;;
	esac
	echo "SELFTEST $prog $r rc=$rc time=$(((t1 - t0) / 100)).$(((t1 - t0) % 100 / 10))s${inj:+ injected:$inj}"
done </selftests/list
echo "SELFTESTS-END preset=$preset"
poweroff -f
