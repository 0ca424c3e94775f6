// SPDX-License-Identifier: GPL-2.0-only
/*
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK: mlock(), mlockall(), mmap(MAP_LOCKED), mmap and brk under
 * mlockall(MCL_FUTURE) and mremap growing a locked vma check the limit under the write lock, before
 * anything is locked or populated. A call over the limit fails and populates nothing; one within it
 * works.
 */
#include <kunit/test.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

/*
 * Make the test kthread an unprivileged task with a RLIMIT_MEMLOCK of npages. Nothing needs
 * restoring: kthreadd clones every kthread without CLONE_THREAD, so the credentials and the
 * signal_struct (where the rlimits are) are the test kthread's own, and end with it. KUnit runs the
 * cleanup of a test in another kthread, where a restore would change the wrong task.
 */
static void rl_unprivileged(struct kunit *test, unsigned long npages)
{
	struct cred *new;

	KUNIT_ASSERT_EQ_MSG(test, current->signal->nr_threads, 1,
			    "the test kthread shares its signal_struct");
	new = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, new);
	cap_lower(new->cap_effective, CAP_IPC_LOCK);
	commit_creds(new);
	KUNIT_ASSERT_FALSE(test, capable(CAP_IPC_LOCK));

	task_lock(current->group_leader);
	current->signal->rlim[RLIMIT_MEMLOCK].rlim_cur = POP_LEN(npages);
	task_unlock(current->group_leader);
	KUNIT_ASSERT_EQ(test, rlimit(RLIMIT_MEMLOCK), POP_LEN(npages));
}

static void mlock_beyond_the_memlock_limit_fails_and_populates_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	rl_unprivileged(test, NR / 2);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), (long)-ENOMEM);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 1UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static void mlock_of_exactly_the_memlock_limit_populates_the_range(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	rl_unprivileged(test, NR);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/* The pages of the range that are locked already are in locked_vm: they must not count twice. */
static void mlock_over_a_locked_part_counts_that_part_once(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	rl_unprivileged(test, NR);
	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR - 4)), 0L);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, NR - 1)) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/* What is locked already counts: two MAP_LOCKED mappings of 6 pages do not fit in 8. */
static void map_locked_beyond_the_memlock_limit_fails_and_maps_nothing(struct kunit *test)
{
	unsigned long addr, total_vm;

	rl_unprivileged(test, 8);
	addr = pop_mmap(test, NULL, 0, 6, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, 6), 6UL);
	total_vm = current->mm->total_vm;

	addr = vm_mmap(NULL, 0, POP_LEN(6), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);
	KUNIT_EXPECT_EQ(test, (long)addr, (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, current->mm->total_vm, total_vm);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 6UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 6UL);
}

/* MCL_FUTURE makes every mapping a locked one, checked against the limit like MAP_LOCKED. */
static void mmap_under_mlockall_future_beyond_the_memlock_limit_fails(struct kunit *test)
{
	unsigned long addr;

	rl_unprivileged(test, NR / 2);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = vm_mmap(NULL, 0, POP_LEN(NR), RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_EQ(test, (long)addr, (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, current->mm->total_vm, 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);

	addr = pop_mmap(test, NULL, 0, NR / 2, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR / 2), NR / 2UL);
}

/* MCL_CURRENT checks the whole address space (total_vm), not only what is locked. */
static void mlockall_current_beyond_the_memlock_limit_fails_and_locks_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	rl_unprivileged(test, NR / 2);
	KUNIT_EXPECT_EQ(test, sys_mlockall(MCL_CURRENT), (long)-ENOMEM);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

/* brk() under MCL_FUTURE locks what it maps: a failed growth leaves the break where it was. */
static void brk_under_mlockall_future_beyond_the_memlock_limit_fails(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);

	rl_unprivileged(test, NR / 2);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_EXPECT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR)), base);
	KUNIT_EXPECT_EQ(test, current->mm->brk, base);
	KUNIT_EXPECT_EQ(test, pop_vma_count(base, 4 * NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);

	KUNIT_EXPECT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR / 2)),
			POP_ADDR(base, NR / 2));
	KUNIT_EXPECT_EQ(test, pop_present(test, base, NR / 2), NR / 2UL);
}

static void mremap_growing_a_locked_vma_beyond_the_memlock_limit_fails(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);

	rl_unprivileged(test, NR);
	pop_mmap(test, NULL, base, NR / 2, RW,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, 0);
	KUNIT_EXPECT_EQ(test, sys_mremap(base, POP_LEN(NR / 2), POP_LEN(2 * NR), 0, 0),
			(long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, pop_vma_count(base, 4 * NR), 1UL);
	pop_expect_present_run(test, base, 4 * NR, 0, NR / 2);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, NR / 2UL);

	/* Within the limit, the same call works and populates the new part. */
	KUNIT_EXPECT_EQ(test, sys_mremap(base, POP_LEN(NR / 2), POP_LEN(NR), 0, 0), (long)base);
	pop_expect_present_run(test, base, 4 * NR, 0, NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/*
 * A RLIMIT_MEMLOCK of 0 without CAP_IPC_LOCK is "may not lock at all", an EPERM before any limit
 * arithmetic (mm/mlock.c, can_do_mlock(): "if (rlimit(RLIMIT_MEMLOCK) != 0) return true;", and
 * do_mlock() / mlockall(): "if (!can_do_mlock()) return -EPERM;"), where a limit too small gives
 * ENOMEM.
 */
static void mlock_and_mlockall_with_a_memlock_limit_of_0_fail_with_eperm(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	rl_unprivileged(test, 0);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(1)), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, sys_mlock2(addr, POP_LEN(1), MLOCK_ONFAULT), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, sys_mlockall(MCL_CURRENT), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, sys_mlockall(MCL_FUTURE), (long)-EPERM);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED_MASK);
	KUNIT_EXPECT_FALSE(test, current->mm->def_flags & VM_LOCKED_MASK);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static struct kunit_case populate_rlimit_cases[] = {
	KUNIT_CASE(mlock_beyond_the_memlock_limit_fails_and_populates_nothing),
	KUNIT_CASE(mlock_of_exactly_the_memlock_limit_populates_the_range),
	KUNIT_CASE(mlock_over_a_locked_part_counts_that_part_once),
	KUNIT_CASE(map_locked_beyond_the_memlock_limit_fails_and_maps_nothing),
	KUNIT_CASE(mmap_under_mlockall_future_beyond_the_memlock_limit_fails),
	KUNIT_CASE(mlockall_current_beyond_the_memlock_limit_fails_and_locks_nothing),
	KUNIT_CASE(brk_under_mlockall_future_beyond_the_memlock_limit_fails),
	KUNIT_CASE(mremap_growing_a_locked_vma_beyond_the_memlock_limit_fails),
	KUNIT_CASE(mlock_and_mlockall_with_a_memlock_limit_of_0_fail_with_eperm),
	{}
};

static struct kunit_suite populate_rlimit_suite = {
	.name = "mm_populate_rlimit",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_rlimit_cases,
};

kunit_test_suite(populate_rlimit_suite);

MODULE_LICENSE("GPL");
