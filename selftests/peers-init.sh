#!/bin/sh
# /init of the `make peers` initramfs (scripts/run-peers.py), run by busybox sh as pid 1: other
# people's mm workloads, stress-ng's mm stressors and trinity limited to the mm system calls, each
# for a bounded time, under the preset's fault injection. Prints per tool
#   PEER <tool> rc=<exit status> time=<s> [injected: <attr>=<count>...]
# with the tool's own output before it (prefixed "<tool>: "), and powers off.
# Kernel command line: pe_preset=<name>, pe_duration=<seconds per tool>,
# pe_knob=<debugfs dir>/<knob>=<value> (any number, written in order).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
preset=${pe_preset:-plain}
dur=${pe_duration:-10}
echo "PEERS-BEGIN preset=$preset kernel=$(uname -r) duration=${dur}s"

# shellcheck disable=SC2013 # words, not lines
for t in $(cat /proc/cmdline); do
	case $t in
	pe_knob=*)
		kv=${t#pe_knob=}
		echo "${kv#*=}" >"/sys/kernel/debug/${kv%%=*}" ||
			echo "PEERS-ERROR cannot set /sys/kernel/debug/${kv%%=*} to ${kv#*=}"
		;;
	esac
done
# Under a preset only the tool and what it forks are failed (task-filter=Y, testrun -f).
fail=
[ "$preset" = plain ] || fail=-f
for f in /sys/kernel/debug/fail*/times; do
	[ -f "$f" ] || continue
	d=${f%/times}
	cat "$f" >"/tmp/.times.${d##*/}"
done

# run <tool> <uid or ""> <command...>: bounded by the duration plus a grace period, then KILL.
run() {
	tool=$1
	uid=$2
	shift 2
	for s in /tmp/.times.*; do
		[ -f "$s" ] && cat "$s" >"/sys/kernel/debug/${s#/tmp/.times.}/times"
	done
	rc=0
	t0=$(awk '{ print int($1 * 100) }' /proc/uptime)
	# shellcheck disable=SC2086
	timeout -s KILL $((dur + 40)) /peers/testrun ${uid:+-u $uid} $fail "$@" >"/tmp/$tool.out" 2>&1 \
		</dev/null || rc=$?
	t1=$(awk '{ print int($1 * 100) }' /proc/uptime)
	sed "s|^|$tool: |" "/tmp/$tool.out"
	inj=
	for s in /tmp/.times.*; do
		[ -f "$s" ] || continue
		d=${s#/tmp/.times.}
		set -- "$(cat "$s")" "$(cat "/sys/kernel/debug/$d/times")"
		[ "$1" = -1 ] || [ "$2" -ge "$1" ] || inj="$inj $d=$(($1 - $2))"
	done
	echo "PEER $tool rc=$rc time=$(((t1 - t0) / 100)).$(((t1 - t0) % 100 / 10))s${inj:+ injected:$inj}"
}

cd /tmp || echo "PEERS-ERROR no /tmp"
# stress-ng 0.15's mm stressors; --vm with --vm-populate --vm-locked is mmap(MAP_POPULATE|MAP_LOCKED).
# (Its --help says --mremap-lock; the option it takes is --mremap-mlock.)
# mlockmany is "pathological" to stress-ng (it may hang the machine): here the machine is the guest.
run stress-ng "" /bin/stress-ng --temp-path /tmp --timeout "${dur}s" --verify --metrics-brief \
	--pathological \
	--mlock 1 --mlockmany 1 --mlockmany-procs 2 --mmap 1 --mmap-bytes 4M \
	--mremap 1 --mremap-bytes 4M --mremap-mlock --remap 1 --brk 1 --brk-mlock \
	--shm-sysv 1 --madvise 1 --vm 1 --vm-bytes 8M --vm-populate --vm-locked
# trinity will not fuzz as root: as nobody, 64-bit calls only (UML has no 32-bit entry), no fds
# that are not mm's or that this kernel cannot make (sockets: Unix only, no perf). Bounded by a count, about 300 calls a second
# in this guest: a timeout between testrun and trinity would be the failed process, and its
# execve of trinity would be what the preset fails.
run trinity 65534 /bin/trinity -q -l off -a 64 -C 2 -N $((dur * 300)) \
	--disable-fds=sockets,perf,pseudo -c mmap -c munmap -c mremap -c mlock -c mlock2 -c munlock \
	-c mlockall -c munlockall -c madvise -c brk -c remap_file_pages -c shmget -c shmat \
	-c shmdt -c mprotect
echo "PEERS-END preset=$preset"
poweroff -f
