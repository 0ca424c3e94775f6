#!/bin/bash
# Self-check: build deliberately broken kernels (patches/mutants/) and run the suites on each.
# Every mutant must be killed: a failing test, a crash, a hang or a splat. Prints which tests
# killed each one, and fails if any survives.
#
# A mutant is patches/mutants/<name>.patch (applied on top of the series) or <name>.revert (one
# line: a pattern naming a series patch, which is taken back out: "the kernel without that patch").
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

killed=0
survived=0
table=
for name in $names; do
	git -C "$WORK/linux" checkout -q -f --detach "$head"
	if [ -f "$MUTANTS_DIR/$name.patch" ]; then
		apply=("$MUTANTS_DIR/$name.patch")
	elif [ -f "$MUTANTS_DIR/$name.revert" ]; then
		pattern=$(sed -n '/^[^#]/{p;q}' "$MUTANTS_DIR/$name.revert")
		target=$(ls "$TOP/patches/"*"$pattern"*.patch 2>/dev/null | head -1)
		[ -n "$target" ] || die "mutant $name: no patch in patches/ matches '$pattern'"
		apply=(-R "$target")
	else
		die "no mutant named $name in $MUTANTS_DIR"
	fi
	git -C "$WORK/linux" apply "${apply[@]}" || die "mutant $name no longer applies to linux/"

	note "mutant $name"
	rm -f "$WORK/build/kunit/result.json"
	LINUX_DIR=$WORK/linux KUNIT_BUILD=$WORK/build/kunit TIMEOUT=$MUTANT_TIMEOUT \
		"$TOP/scripts/run-kunit.sh" >"$WORK/$name.out" 2>&1 || true
	cp "$WORK/build/kunit/test.log" "$WORK/$name.log" 2>/dev/null || true
	[ -z "${SHOW:-}" ] || cat "$WORK/$name.out"
	verdict=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("survived" if r["ok"] else "killed" if r["failed"] or r["timed_out"] or r["splats"] else "broken")' \
		"$WORK/build/kunit/result.json" 2>/dev/null || echo broken)
	case $verdict in
	survived)
		survived=$((survived + 1))
		table+=$(printf '%-40s SURVIVED' "$name")$'\n'
		continue
		;;
	broken) die "mutant $name did not build or run (see $WORK/$name.out)" ;;
	esac
	killed=$((killed + 1))
	by=$(sed -n 's/.*\[\(FAILED\|CRASHED\)\] \([a-z0-9_]*\)$/\2/p' "$WORK/$name.out" | sort -u | paste -sd' ')
	grep -q '^hang:' "$WORK/$name.out" && by="hang $by"
	grep -q '^splats:  [1-9]' "$WORK/$name.out" && by="splat $by"
	table+=$(printf '%-40s killed by: %s' "$name" "$by")$'\n'
done
git -C "$WORK/linux" checkout -q -f --detach "$head"

echo
echo "== mutants: $killed killed, $survived survived (logs in $WORK/) =="
printf '%s' "$table"
[ "$survived" = 0 ]
