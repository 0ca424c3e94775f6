# The test bed's front door: a thin layer over scripts/ and the kernel's own kunit.py.
# `make` installs what is missing, prepares linux/, builds the patched UML kernel and runs the
# mm_populate suites; `make test` runs everything the project tests.

SHELL := /bin/bash
.DEFAULT_GOAL := all

# Passed through to kunit.py: SUITE is a suite glob, TEST a test glob inside it.
SUITE ?=
TEST ?=
export SUITE TEST
# make repro: which kernel series (6.12, 6.1; default both).
export KERNEL

.PHONY: all deps linux run smp cost nommu list selftests selftests-smp peers gdb gdb-check test test-scripts checkpatch record-tests mutants bisect-check soak repro stock bench bench-cost patches clean help

all: deps linux run

# Each target, then the environment variables its scripts read, with their defaults (scripts/knobs).
help:
	@scripts/knobs.py --make

## deps          check the host, then install the Debian packages the test bed needs (or name them)
deps:
	@scripts/check-host.sh
	@scripts/install-deps.sh

## linux         make linux/ the pristine tree (tag "base") plus patches/series, one commit each
linux:
	@scripts/prepare-linux.sh

## run           build the UML kernel and run the suites (SUITE=, TEST= filter; nothing else rebuilt)
run:
	@scripts/run-kunit.sh

## smp           the suites on an x86_64 SMP kernel under QEMU, 2 vCPUs, TCG (ACCEL=auto: KVM if a probe boot works; build/smp/)
smp: deps
	@scripts/run-smp.sh

## cost          the fix's cost on cold-file MAP_POPULATE/mlock: x86_64 SMP kernels with and without it, virtio-blk (build/cost/)
cost: deps
	@scripts/run-cost.sh

## nommu         the no-MMU suite: riscv64 without an MMU under QEMU (build/nommu/; MUTANT= a nommu mutant)
nommu: deps
	@scripts/run-nommu.sh

## soak          the suites N times (N=20) on the kernel `make run` built, failures per test; LOAD=1 busies every core
soak:
	@scripts/run-soak.sh

## list          the suites' tests, asked of the kernel the last `make run` built (SUITE=, TEST= filter)
list:
	@scripts/list-tests.sh

## selftests     boot the built kernel with busybox + userspace mm tests, plain and per configs/presets
selftests:
	@scripts/build-selftests.sh && scripts/run-selftests.py

## selftests-smp the same guest and checks on make smp's x86_64 SMP kernel under QEMU, 2 vCPUs, TCG (build it with make smp first; build/selftests/qemu/)
selftests-smp: deps
	@scripts/build-selftests.sh && ENGINE=qemu scripts/run-selftests.py

## peers         stress-ng's mm stressors and trinity's mm calls in the guest, plain and per configs/presets (DURATION= s each)
peers: deps
	@scripts/build-peers.sh && scripts/run-peers.py

## gdb           gdb on the kernel the last `make run` built, with its kunit.py command line (SUITE=, TEST=)
gdb:
	@scripts/gdb.sh

## gdb-check     self-check: gdb stops in __mm_populate during a test and reads it; the suite still passes
gdb-check:
	@scripts/gdb-check.py

## mutants       self-check: run the suites on each broken kernel in patches/mutants/ (MUTANT=name)
mutants:
	@scripts/run-mutants.sh

## bisect-check  every prefix of the series builds and boots (KUnit's example suite)
bisect-check:
	@scripts/bisect-check.sh

## repro         the retry-forever bug on stock 6.12 and 6.1 with the block layer's own fault injection, and the fix (KERNEL=6.12|6.1)
repro:
	@scripts/run-repro.py

## stock         the suites on stock 6.12, without the fix for the retry-forever bug: watch it fail
stock:
	@MUTANT=stock-6.12 SHOW=1 scripts/run-mutants.sh

## bench         mmap_lock write-hold benchmark: the series vs population under the write lock (build/bench/; ENGINE=qemu: SMP, real sleeping reads)
bench:
	@scripts/run-bench.sh

## bench-cost    what disarmed fault injection costs: population wall time, capabilities compiled in / out
bench-cost:
	@MODE=cost scripts/run-bench.sh

## patches       export linux/'s commits since "base" back to patches/ (git format-patch)
patches:
	@scripts/export-patches.sh

## test          everything: lint, suites, gdb-check, selftests, scripts' tests, checkpatch, mutants (docs/testing.md); writes build/test.ktap and build/test-results.json
test: deps linux
	@scripts/test-all.py

## record-tests  write the tests of the last make test (or test-all.py PART...) to scripts/expected-tests: each part's floor
record-tests:
	@scripts/test-all.py --record

## test-scripts  only the scripts' own tests
test-scripts:
	@scripts/test-all.py scripts

## checkpatch    checkpatch --strict on every patch of the series and every kunit/ source
checkpatch:
	@scripts/test-all.py checkpatch

## clean         remove build/ (linux/ and ccache stay), and linux/'s worktrees that were in it
# BUILD_DIR= and LINUX_DIR= as the scripts read them (scripts/lib.sh).
clean:
	rm -rf "$${BUILD_DIR:-build}"
	@if [ -e "$${LINUX_DIR:-linux}/.git" ]; then git -C "$${LINUX_DIR:-linux}" worktree prune; fi
