#!/bin/bash
# Every prefix of the series builds and boots: for k = N-1 down to 1 patches of patches/series
# (N, the whole series, is what `make run` builds), build the UML kernel with the suites' config
# fragments and boot it with KUnit's example suite. Options a prefix does not have yet are left out
# of its config. One worktree and one build directory, so that each step rebuilds only what the
# patch it takes off touched: those of the mutants' first lane (run-mutants.sh), so that in make
# test, where the mutants run first, the first prefix too is a rebuild rather than a whole build.
# Each prefix's kernel is kept (build/bisect/prefix-<k>/linux): make repro boots the first two,
# stock 6.12 for UML and the same with the fix. The result, one case a prefix, is
# build/bisect/result.json (results.py's form).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WORK=$BUILD_DIR/bisect
TREE=$BUILD_DIR/mutant
TIMEOUT=${TIMEOUT:-120}
FRAGMENTS=${FRAGMENTS:-"uml checks debug fault-injection kasan"}

[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "no kernel tree: run 'make linux' first"
git -C "$LINUX_DIR" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "linux/ has no tag 'base': run 'make linux' first"
mkdir -p "$WORK" "$TREE"
# The mutants' lock: one of the two at a time in the worktree.
[ -n "${BISECT_LOCKED:-}" ] || BISECT_LOCKED=1 exec flock "$TREE/.lock" "$0" "$@"

commits=$(git -C "$LINUX_DIR" rev-list base..HEAD)	# newest first
n=$(echo "$commits" | wc -l)
[ "$n" -ge 2 ] || die "the series has $n patch(es): nothing to bisect"
linux_worktree "$TREE/linux" HEAD

passed=0
failed=0
table=
results=$WORK/results.tsv
: >"$results"
rm -f "$WORK/result.json"
k=$n
for c in $commits; do
	subject=$(git -C "$LINUX_DIR" log -1 --format=%s "$c")
	if [ "$k" = "$n" ]; then
		k=$((k - 1))
		continue	# the whole series: make run's kernel
	fi
	git -C "$TREE/linux" checkout -q -f --detach "$c"
	# The fragments' options that this prefix's Kconfig defines, and the example suite to boot.
	config=$WORK/prefix.config
	{
		echo 'CONFIG_KUNIT=y'
		echo 'CONFIG_KUNIT_EXAMPLE_TEST=y'
		for f in $FRAGMENTS; do cat "$TOP/configs/$f.config"; done
	} | python3 "$TOP/scripts/kconfig-filter.py" "$TREE/linux" >"$config"
	note "prefix $k/$n: $subject"
	rm -f "$TREE/build/kunit/result.json"
	out=$WORK/prefix-$k.out
	if LINUX_DIR=$TREE/linux KUNIT_BUILD=$TREE/build/kunit KUNITCONFIG=$config FRAGMENTS='' \
		TIMEOUT=$TIMEOUT SUITE=example "$TOP/scripts/run-kunit.sh" >"$out" 2>&1; then
		passed=$((passed + 1))
		mkdir -p "$WORK/prefix-$k"
		cp "$TREE/build/kunit/linux" "$TREE/build/kunit/.config" "$WORK/prefix-$k/"
		table+=$(printf '  ok    %d/%d %s' "$k" "$n" "$subject")$'\n'
		printf 'prefix %s: %s\tok\t\n' "$k" "$subject" >>"$results"
	else
		failed=$((failed + 1))
		table+=$(printf '  FAIL  %d/%d %s (%s)' "$k" "$n" "$subject" "$out")$'\n'
		printf 'prefix %s: %s\tfail\tsee %s\n' "$k" "$subject" "$out" >>"$results"
		tail -20 "$out" >&2
	fi
	k=$((k - 1))
done
git -C "$TREE/linux" checkout -q -f --detach "$(git -C "$LINUX_DIR" rev-parse HEAD)"
python3 -c 'import sys
sys.path.insert(0, sys.argv[1])
import results
results.write_script_result(sys.argv[3], [l.rstrip("\n").split("\t") for l in open(sys.argv[2])])' \
	"$TOP/scripts" "$results" "$WORK/result.json"

echo
echo "== bisect-check: $passed passed, $failed failed (prefixes 1..$((n - 1)) of $n) =="
printf '%s' "$table"
[ "$failed" = 0 ]
