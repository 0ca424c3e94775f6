#!/bin/bash
# `make nommu`: build linux/'s kernel for riscv64 without an MMU (configs/nommu-riscv64.py) in a
# worktree of its own, run the suites under QEMU with kunit.py, check the log and print the
# summary as `make run` does. Without an MMU, kunit/Makefile builds only mm_populate_nommu.
#
# patches/nommu/series, fixes that only a kernel without an MMU needs, is applied to the worktree
# on top of linux/'s HEAD (the UML kernel does not build them: nothing there to test).
#
# MUTANT=name applies patches/nommu-mutants/<name>.patch to the worktree first: a kernel broken on
# purpose, which the suite must fail. The worktree is put back when the run ends, and before each.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NOMMU_BUILD=${NOMMU_BUILD:-$BUILD_DIR/nommu}
NOMMU_PATCHES=$TOP/patches/nommu
NOMMU_MUTANTS=$TOP/patches/nommu-mutants
# One boot of the suite (QEMU, TCG); a hang ends here with the log kept.
TIMEOUT=${TIMEOUT:-120}
CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}
# The kernel to build: linux/'s HEAD, never linux/ itself (its own UML builds stay as they are).
LINUX_REV=${LINUX_REV:-HEAD}

[ -f "$LINUX_DIR/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $LINUX_DIR: run 'make linux' first"
command -v "${CROSS_COMPILE}gcc" >/dev/null 2>&1 ||
	die "no ${CROSS_COMPILE}gcc: run 'make deps' (Debian: gcc-riscv64-linux-gnu)"
command -v qemu-system-riscv64 >/dev/null 2>&1 ||
	die "no qemu-system-riscv64: run 'make deps' (Debian: qemu-system-misc)"
mutant=
if [ -n "${MUTANT:-}" ]; then
	mutant=$NOMMU_MUTANTS/$MUTANT.patch
	# shellcheck disable=SC2012 # the project's own file names: no blanks
	[ -f "$mutant" ] || die "no nommu mutant named $MUTANT (have: $(cd "$NOMMU_MUTANTS" && ls | sed -n 's/\.patch$//p' | paste -sd' '))"
fi
rev=$(git -C "$LINUX_DIR" rev-parse --verify -q "$LINUX_REV^{commit}") || die "no revision $LINUX_REV in $LINUX_DIR"

mkdir -p "$NOMMU_BUILD"
# One run at a time: the worktree and kunit.py's build directory are not shareable.
[ -n "${RUN_NOMMU_LOCKED:-}" ] || RUN_NOMMU_LOCKED=1 exec flock "$NOMMU_BUILD/.lock" "$0" "$@"

tree=$NOMMU_BUILD/linux
kbuild=$NOMMU_BUILD/kunit
linux_worktree "$tree" "$rev"
git -C "$tree" checkout -q -f --detach "$rev"
trap 'git -C "$tree" checkout -q -f --detach "$rev"' EXIT
# shellcheck disable=SC2013 # words, not lines
for p in $(sed -e 's/#.*//' "$NOMMU_PATCHES/series"); do
	git -C "$tree" apply "$NOMMU_PATCHES/$p" || die "patches/nommu/$p does not apply to $rev"
	note "patches/nommu/$p applied"
done
if [ -n "$mutant" ]; then
	git -C "$tree" apply "$mutant" || die "nommu mutant $MUTANT no longer applies to $rev with patches/nommu/"
	note "nommu mutant $MUTANT applied"
fi
grep -A2 '^config MM_POPULATE_KUNIT_TEST' "$tree/mm/Kconfig.debug" | grep -q 'depends on.*MMU' &&
	die "$rev's MM_POPULATE_KUNIT_TEST depends on MMU: the glue patch must not ask for an MMU"

set -- run --jobs="$(nproc)" --timeout="$TIMEOUT" --build_dir="$(realpath --relative-to="$tree" "$kbuild")" \
	--qemu_config="$TOP/configs/nommu-riscv64.py" --cross_compile="$CROSS_COMPILE" \
	--json="$kbuild/kunit.json" \
	--kunitconfig="$(realpath --relative-to="$tree" "$TOP/kunit")"
use_compiler "${CROSS_COMPILE}gcc"
set -- "$@" --make_options "CC=$CC_CMD"
glob=$(kunit_glob)
[ -n "$glob" ] && set -- "$@" "$glob"

cmd="cd $(realpath --relative-to="$PWD" "$tree") && ./tools/testing/kunit/kunit.py$(printf " '%s'" "$@")"
echo "\$ $cmd"
mkdir -p "$kbuild"
rm -f "$kbuild/test.log" "$kbuild/result.json" "$kbuild/kunit.json"
start=$(date +%s)
rc=0
(cd "$tree" && python3 tools/testing/kunit/kunit.py "$@") 2>&1 | tee "$kbuild/kunit.out" || rc=$?
python3 "$TOP/scripts/check-log.py" --status "$rc" --wall "$(($(date +%s) - start))" --repro "$cmd" \
	--json "$kbuild/result.json" "$kbuild/kunit.json" "$kbuild/kunit.out" "$kbuild/test.log"
