#!/bin/bash
# Self-check: build deliberately broken kernels (patches/mutants/) and run the suites on each.
# Every mutant must be killed by the test(s) that state the promise it breaks: its "Killed-by:"
# line names them (test names; "splat" and "hang" where the kernel's own checks are the oracle).
# A mutant no test catches survives; one caught only by something else (another test, a crash, a
# timeout) is "killed by the wrong test". Either fails the run, as does a mutant that gives no
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

[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "no kernel tree: run 'make linux' first"
# One run at a time: the worktree holds one mutant at a time.
mkdir -p "$WORK"
[ -n "${RUN_MUTANTS_LOCKED:-}" ] || RUN_MUTANTS_LOCKED=1 exec flock "$WORK/.lock" "$0" "$@"
head=$(git -C "$LINUX_DIR" rev-parse HEAD)

linux_worktree "$WORK/linux" "$head"

# shellcheck disable=SC2012 # the project's own file names: no blanks
names=${MUTANT:-$(cd "$MUTANTS_DIR" && ls | sed -n 's/\.\(patch\|revert\)$//p')}
[ -n "$names" ] || die "no mutants in $MUTANTS_DIR"

# Run the worktree as it stands; echo what killed it ("splat", "hang", the failing tests, read from
# check-log.py's result.json), "survived", or "broken" when it gave no verdict (did not build or run).
run_one() {
	rm -f "$WORK/build/kunit/result.json"
	LINUX_DIR=$WORK/linux KUNIT_BUILD=$WORK/build/kunit TIMEOUT=$MUTANT_TIMEOUT \
		"$TOP/scripts/run-kunit.sh" >"$WORK/$1.out" 2>&1 || true
	cp "$WORK/build/kunit/test.log" "$WORK/$1.log" 2>/dev/null || true
	cp "$WORK/build/kunit/kunit.json" "$WORK/$1.json" 2>/dev/null || true
	[ -z "${SHOW:-}" ] || cat "$WORK/$1.out"
	python3 "$TOP/scripts/check-log.py" --mutant-verdict "$WORK/build/kunit/result.json"
}

# The part's result, one line a mutant: name, status (ok: killed by its test; fail: survived or
# killed by the wrong test; broken: no verdict), and what was seen.
RESULTS=$WORK/results.tsv
: >"$RESULTS"
record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"
}
write_result() {
	python3 -c 'import sys
sys.path.insert(0, sys.argv[1])
import results
cases = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
results.write_script_result(sys.argv[3], cases)' "$TOP/scripts" "$RESULTS" "$WORK/result.json"
}
rm -f "$WORK/result.json"

git -C "$WORK/linux" checkout -q -f --detach "$head"
note "the unmutated kernel"
case $(run_one unmutated) in
survived) ;;
broken)
	record unmutated broken "did not build or run (see $WORK/unmutated.out)"
	write_result
	die "the unmutated kernel did not build or run (see $WORK/unmutated.out)"
	;;
*)
	record unmutated broken "fails (see $WORK/unmutated.out)"
	write_result
	die "the unmutated kernel fails (see $WORK/unmutated.out): no mutant result would mean anything"
	;;
esac

killed=0
wrong=0
survived=0
broken=0
table=
for name in $names; do
	git -C "$WORK/linux" checkout -q -f --detach "$head"
	if [ -f "$MUTANTS_DIR/$name.patch" ]; then
		file=$MUTANTS_DIR/$name.patch
		apply=("$file")
	elif [ -f "$MUTANTS_DIR/$name.revert" ]; then
		file=$MUTANTS_DIR/$name.revert
		pattern=$(sed -n '/^[^#]/{p;q}' "$file")
		# shellcheck disable=SC2012 # the first match, by name
		target=$(ls "$TOP/patches/"*"$pattern"*.patch 2>/dev/null | head -1)
		[ -n "$target" ] || die "mutant $name: no patch in patches/ matches '$pattern'"
		apply=(-R "$target")
	else
		die "no mutant named $name in $MUTANTS_DIR"
	fi
	expected=$(sed -n 's/^Killed-by: //p' "$file")
	[ -n "$expected" ] || die "mutant $name: no 'Killed-by: <test> ...' line in $file"
	if ! git -C "$WORK/linux" apply "${apply[@]}"; then
		broken=$((broken + 1))
		record "$name" broken "no longer applies to linux/"
		table+=$(printf '%-40s BROKEN: no longer applies to linux/' "$name")$'\n'
		continue
	fi

	note "mutant $name"
	by=$(run_one "$name")
	case $by in
	survived)
		survived=$((survived + 1))
		record "$name" fail "survived (expected: $expected)"
		table+=$(printf '%-40s SURVIVED (expected: %s)' "$name" "$expected")$'\n'
		continue
		;;
	broken)
		broken=$((broken + 1))
		record "$name" broken "did not build or run (see $WORK/$name.out)"
		table+=$(printf '%-40s BROKEN: did not build or run (%s)' "$name" "$WORK/$name.out")$'\n'
		continue
		;;
	esac
	right=
	for t in $by; do
		case " $expected " in *" $t "*) right="$right $t" ;; esac
	done
	if [ -n "$right" ]; then
		killed=$((killed + 1))
		record "$name" ok "killed by:$right (all it failed: $by)"
		table+=$(printf '%-40s killed by:%s' "$name" "$right")
		[ "$right" = " $by" ] || table+=" (all it failed: $by)"
		table+=$'\n'
	else
		wrong=$((wrong + 1))
		record "$name" fail "killed by the wrong test: $by (expected: $expected)"
		table+=$(printf '%-40s KILLED BY THE WRONG TEST: %s (expected: %s)' "$name" "$by" "$expected")$'\n'
	fi
done
git -C "$WORK/linux" checkout -q -f --detach "$head"
write_result

echo
echo "== mutants: $killed killed, $wrong killed by the wrong test, $survived survived, $broken broken (logs in $WORK/, result $WORK/result.json) =="
printf '%s' "$table"
[ "$survived" = 0 ] && [ "$wrong" = 0 ] && [ "$broken" = 0 ]
