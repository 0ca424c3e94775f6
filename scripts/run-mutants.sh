#!/bin/bash
# Self-check: build deliberately broken kernels (patches/mutants/) and run the suites on each.
# Every mutant must be killed by the test(s) that state the promise it breaks: its "Killed-by:"
# line names them (test names; "splat" and "hang" where the kernel's own checks are the oracle),
# and each test named must fail. A mutant no test catches survives; one caught only by something
# else (another test, a crash, a timeout), or not by every test it names, is "killed by the wrong
# test". Either fails the run, as does a mutant that gives no
# verdict ("broken": it does not apply, build or run) and a failure of the unmutated kernel, which
# runs first. The result, one case a mutant, is build/mutant/result.json (results.py's form).
#
# A mutant is patches/mutants/<name>.patch (applied on top of the series) or <name>.revert (a
# line: a pattern naming a series patch, which is taken back out: "the kernel without that patch").
# Both have a "Killed-by: <test> ..." line (in a .patch, above the diff).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MUTANTS_DIR=${MUTANTS_DIR:-$TOP/patches/mutants}
WORK=$BUILD_DIR/mutant
# A mutant that makes population spin is a hang; do not wait long for it.
MUTANT_TIMEOUT=${MUTANT_TIMEOUT:-30}
# A mutant's run is a compile of one file, four serial links of vmlinux and a one-CPU boot: two run
# side by side on two cores in about half the time of one after the other.
MUTANT_JOBS=${MUTANT_JOBS:-$(nproc)}

[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "no kernel tree: run 'make linux' first"
case $MUTANT_JOBS in '' | *[!0-9]* | 0) die "MUTANT_JOBS=$MUTANT_JOBS: want a number of runs side by side, 1 or more" ;; esac
# One run at a time: each worktree holds one mutant at a time.
mkdir -p "$WORK"
[ -n "${RUN_MUTANTS_LOCKED:-}" ] || RUN_MUTANTS_LOCKED=1 exec flock "$WORK/.lock" "$0" "$@"
head=$(git -C "$LINUX_DIR" rev-parse HEAD)

# shellcheck disable=SC2012 # the project's own file names: no blanks
names=${MUTANT:-$(cd "$MUTANTS_DIR" && ls | sed -n 's/\.\(patch\|revert\)$//p')}
[ -n "$names" ] || die "no mutants in $MUTANTS_DIR"
for name in $names; do
	[ -f "$MUTANTS_DIR/$name.patch" ] || [ -f "$MUTANTS_DIR/$name.revert" ] ||
		die "no mutant named $name in $MUTANTS_DIR"
done
# shellcheck disable=SC2086 # one word a name
set -- $names
[ "$MUTANT_JOBS" -le $# ] || MUTANT_JOBS=$#

# Lane j works in its own worktree and build directory: $WORK/linux and $WORK/build/kunit for the
# first, $WORK/lane-<j>/... for the others, laid out as linux/ and build/kunit so that ccache's
# relative paths hit the objects of the first build.
lane_dir() {
	if [ "$1" = 1 ]; then echo "$WORK"; else echo "$WORK/lane-$1"; fi
}

# Run lane $1's worktree as it stands as run $2, keeping the lane's .config if $3 is 1; echo what
# killed it ("splat", "hang", the failing tests, read from check-log.py's result.json), "survived",
# or "broken" when it gave no verdict (did not build or run).
run_one() {
	local dir
	dir=$(lane_dir "$1")
	rm -f "$dir/build/kunit/result.json"
	LINUX_DIR=$dir/linux KUNIT_BUILD=$dir/build/kunit TIMEOUT=$MUTANT_TIMEOUT KEEP_CONFIG=$3 \
		"$TOP/scripts/run-kunit.sh" >"$WORK/$2.out" 2>&1 || true
	cp "$dir/build/kunit/test.log" "$WORK/$2.log" 2>/dev/null || true
	cp "$dir/build/kunit/kunit.json" "$WORK/$2.json" 2>/dev/null || true
	[ -z "${SHOW:-}" ] || cat "$WORK/$2.out"
	python3 "$TOP/scripts/check-log.py" --mutant-verdict "$dir/build/kunit/result.json"
}

# One line a run in $WORK/lane-<j>.tsv: name, status (ok: killed by its test; fail: survived or
# killed by the wrong test; broken: no verdict), and what was seen.
lane() {
	local j=$1 dir tsv name file expected pattern target by t right keep kconfig
	shift
	dir=$(lane_dir "$j")
	tsv=$WORK/lane-$j.tsv
	: >"$tsv"
	linux_worktree "$dir/linux" "$head"
	git -C "$dir/linux" checkout -q -f --detach "$head"
	note "lane $j: the unmutated kernel"
	by=$(run_one "$j" "unmutated-$j" 0)
	case $by in
	survived) ;;
	broken)
		printf 'unmutated\tbroken\tdid not build or run (see %s)\n' "$WORK/unmutated-$j.out" >>"$tsv"
		return
		;;
	*)
		printf 'unmutated\tbroken\tfails %s (see %s): no mutant result would mean anything\n' \
			"$by" "$WORK/unmutated-$j.out" >>"$tsv"
		return
		;;
	esac
	# The .config kunit.py made stands as long as no Kconfig file differs from the unmutated tree's:
	# a mutant that changes one, and the one after it, are configured again.
	kconfig=0
	for name in "$@"; do
		git -C "$dir/linux" checkout -q -f --detach "$head"
		if [ -f "$MUTANTS_DIR/$name.patch" ]; then
			file=$MUTANTS_DIR/$name.patch
			apply=("$file")
		else
			file=$MUTANTS_DIR/$name.revert
			pattern=$(sed -n '/^[^#]/{p;q}' "$file")
			# shellcheck disable=SC2012 # the first match, by name
			target=$(ls "$TOP/patches/"*"$pattern"*.patch 2>/dev/null | head -1)
			if [ -z "$target" ]; then
				printf '%s\tbroken\tno patch in patches/ matches %s\n' "$name" "$pattern" >>"$tsv"
				continue
			fi
			apply=(-R "$target")
		fi
		expected=$(sed -n 's/^Killed-by: //p' "$file")
		if [ -z "$expected" ]; then
			printf '%s\tbroken\tno "Killed-by: <test> ..." line in %s\n' "$name" "$file" >>"$tsv"
			continue
		fi
		if ! git -C "$dir/linux" apply "${apply[@]}"; then
			printf '%s\tbroken\tno longer applies to linux/\n' "$name" >>"$tsv"
			continue
		fi
		keep=$((1 - kconfig))
		kconfig=0
		if git -C "$dir/linux" diff --name-only | grep -q '\(^\|/\)Kconfig'; then
			kconfig=1
			keep=0
		fi
		note "lane $j: mutant $name"
		by=$(run_one "$j" "$name" "$keep")
		case $by in
		survived)
			printf '%s\tfail\tsurvived (expected: %s)\n' "$name" "$expected" >>"$tsv"
			continue
			;;
		broken)
			printf '%s\tbroken\tdid not build or run (see %s)\n' "$name" "$WORK/$name.out" >>"$tsv"
			continue
			;;
		esac
		right=
		for t in $by; do
			case " $expected " in *" $t "*) right="$right $t" ;; esac
		done
		# Every test named must fail: a test that claims the promise and does not see it broken is
		# as wrong as a mutant no test sees. "splat" and "hang" are alternatives: either will do.
		missed=
		for t in $expected; do
			case "$t" in splat | hang) continue ;; esac
			case " $by " in *" $t "*) ;; *) missed="$missed $t" ;; esac
		done
		if [ -z "$right" ]; then
			printf '%s\tfail\tkilled by the wrong test: %s (expected: %s)\n' "$name" "$by" "$expected" >>"$tsv"
		elif [ -n "$missed" ]; then
			printf '%s\tfail\tnot killed by every test it names: did not fail:%s (all it failed: %s)\n' \
				"$name" "$missed" "$by" >>"$tsv"
		elif [ "$right" = " $by" ]; then
			printf '%s\tok\tkilled by:%s\n' "$name" "$right" >>"$tsv"
		else
			printf '%s\tok\tkilled by:%s (all it failed: %s)\n' "$name" "$right" "$by" >>"$tsv"
		fi
	done
	git -C "$dir/linux" checkout -q -f --detach "$head"
}

rm -f "$WORK/result.json" "$WORK"/lane-*.tsv
# Deal the mutants round-robin to the lanes; each lane runs the unmutated kernel first.
pids=
for j in $(seq "$MUTANT_JOBS"); do
	# shellcheck disable=SC2046 # the names have no blanks
	lane "$j" $(printf '%s\n' "$@" | sed -n "$j~${MUTANT_JOBS}p") &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid" || die "a lane of mutants stopped early (see $WORK/)"
done

# The part's result: the lanes' lines, the unmutated kernel first, then the mutants by name.
RESULTS=$WORK/results.tsv
sort -t "$(printf '\t')" -k1,1 "$WORK"/lane-*.tsv | awk -F'\t' '$1 == "unmutated" { print; next } { rest = rest $0 "\n" }
	END { printf "%s", rest }' >"$RESULTS"
python3 -c 'import sys
sys.path.insert(0, sys.argv[1])
import results
cases = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
results.write_script_result(sys.argv[3], cases)' "$TOP/scripts" "$RESULTS" "$WORK/result.json"
if grep -q '^unmutated	' "$RESULTS"; then
	grep '^unmutated	' "$RESULTS" | cut -f3 >&2
	die "the unmutated kernel did not pass: no mutant result would mean anything"
fi

killed=$(grep -c '	ok	' "$RESULTS" || true)
wrong=$(grep -c '	fail	\(killed by the wrong test\|not killed by every test\)' "$RESULTS" || true)
survived=$(grep -c '	fail	survived' "$RESULTS" || true)
broken=$(grep -c '	broken	' "$RESULTS" || true)
echo
echo "== mutants: $killed killed, $wrong killed by the wrong test, $survived survived, $broken broken ($MUTANT_JOBS side by side; logs in $WORK/, result $WORK/result.json) =="
awk -F'\t' '{ printf "%-40s %s%s\n", $1, $2 == "ok" ? "" : toupper($2) ": ", $3 }' "$RESULTS"
[ "$survived" = 0 ] && [ "$wrong" = 0 ] && [ "$broken" = 0 ]
