#!/bin/bash
# Self-check: build deliberately broken kernels (patches/mutants/) and run the suites on each.
# Every mutant must be killed by the test(s) that state the promise it breaks: its "Killed-by:"
# line names them (test names; "splat" and "hang" where the kernel's own checks are the oracle).
# A mutant no test catches survives; one caught only by something else (another test, a crash, a
# timeout) is "killed by the wrong test". Either fails the run, as does a failure of the unmutated
# kernel, which runs first.
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

names=${MUTANT:-$(cd "$MUTANTS_DIR" && ls | sed -n 's/\.\(patch\|revert\)$//p')}
[ -n "$names" ] || die "no mutants in $MUTANTS_DIR"

# Run the worktree as it stands; echo what killed it ("splat", "hang", failed tests), "survived",
# or "broken" when it did not build or run.
run_one() {
	rm -f "$WORK/build/kunit/result.json"
	LINUX_DIR=$WORK/linux KUNIT_BUILD=$WORK/build/kunit TIMEOUT=$MUTANT_TIMEOUT \
		"$TOP/scripts/run-kunit.sh" >"$WORK/$1.out" 2>&1 || true
	cp "$WORK/build/kunit/test.log" "$WORK/$1.log" 2>/dev/null || true
	[ -z "${SHOW:-}" ] || cat "$WORK/$1.out"
	case $(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("survived" if r["ok"] else "killed" if r["failed"] or r["timed_out"] or r["splats"] else "broken")' \
		"$WORK/build/kunit/result.json" 2>/dev/null || echo broken) in
	survived) echo survived ;;
	broken) echo broken ;;
	*)
		by=$(sed -n 's/.*\[\(FAILED\|CRASHED\)\] \([a-z0-9_]*\)$/\2/p' "$WORK/$1.out" | sort -u | paste -sd' ')
		grep -q '^hang:' "$WORK/$1.out" && by="hang $by"
		grep -q '^splats:  [1-9]' "$WORK/$1.out" && by="splat $by"
		echo "$by" | xargs
		;;
	esac
}

git -C "$WORK/linux" checkout -q -f --detach "$head"
note "the unmutated kernel"
case $(run_one unmutated) in
survived) ;;
broken) die "the unmutated kernel did not build or run (see $WORK/unmutated.out)" ;;
*) die "the unmutated kernel fails (see $WORK/unmutated.out): no mutant result would mean anything" ;;
esac

killed=0
wrong=0
survived=0
table=
for name in $names; do
	git -C "$WORK/linux" checkout -q -f --detach "$head"
	if [ -f "$MUTANTS_DIR/$name.patch" ]; then
		file=$MUTANTS_DIR/$name.patch
		apply=("$file")
	elif [ -f "$MUTANTS_DIR/$name.revert" ]; then
		file=$MUTANTS_DIR/$name.revert
		pattern=$(sed -n '/^[^#]/{p;q}' "$file")
		target=$(ls "$TOP/patches/"*"$pattern"*.patch 2>/dev/null | head -1)
		[ -n "$target" ] || die "mutant $name: no patch in patches/ matches '$pattern'"
		apply=(-R "$target")
	else
		die "no mutant named $name in $MUTANTS_DIR"
	fi
	expected=$(sed -n 's/^Killed-by: //p' "$file")
	[ -n "$expected" ] || die "mutant $name: no 'Killed-by: <test> ...' line in $file"
	git -C "$WORK/linux" apply "${apply[@]}" || die "mutant $name no longer applies to linux/"

	note "mutant $name"
	by=$(run_one "$name")
	case $by in
	survived)
		survived=$((survived + 1))
		table+=$(printf '%-40s SURVIVED (expected: %s)' "$name" "$expected")$'\n'
		continue
		;;
	broken) die "mutant $name did not build or run (see $WORK/$name.out)" ;;
	esac
	right=
	for t in $by; do
		case " $expected " in *" $t "*) right="$right $t" ;; esac
	done
	if [ -n "$right" ]; then
		killed=$((killed + 1))
		table+=$(printf '%-40s killed by:%s' "$name" "$right")
		[ "$right" = " $by" ] || table+=" (all it failed: $by)"
		table+=$'\n'
	else
		wrong=$((wrong + 1))
		table+=$(printf '%-40s KILLED BY THE WRONG TEST: %s (expected: %s)' "$name" "$by" "$expected")$'\n'
	fi
done
git -C "$WORK/linux" checkout -q -f --detach "$head"

echo
echo "== mutants: $killed killed, $wrong killed by the wrong test, $survived survived (logs in $WORK/) =="
printf '%s' "$table"
[ "$survived" = 0 ] && [ "$wrong" = 0 ]
