// SPDX-License-Identifier: GPL-2.0-only
/*
 * mlockall() and munlockall(): MCL_CURRENT populates every vma after the write lock is dropped;
 * MCL_FUTURE makes later mappings VM_LOCKED, and mmap populates them after its write lock.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

static void mlockall_current_populates_every_vma_but_prot_none(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long anon, none, file;
	struct pop_pages pp = {};

	anon = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	none = pop_mmap(test, NULL, 0, NR, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	file = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT), 0L);
	pop_pages(test, anon, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_present(test, none, NR), 0UL);
	pop_pages(test, file, NR, &pp);
	KUNIT_EXPECT_EQ_MSG(test, pp.present, (unsigned long)NR,
			    "the vma after the PROT_NONE one was not populated");
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, anon) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, none) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, file) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 3UL * NR);
	/* Current only: a later mapping is not locked. */
	anon = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, anon) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, anon, NR), 0UL);
}

static void mlockall_future_populates_a_later_mmap(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static void mlockall_future_onfault_leaves_a_later_mmap_unpopulated(struct kunit *test)
{
	unsigned long addr;
	vm_flags_t flags;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE | MCL_ONFAULT), 0L);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	flags = pop_vm_flags(test, addr);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKONFAULT);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static void mlockall_future_after_onfault_populates_again(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE | MCL_ONFAULT), 0L);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKONFAULT);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
}

static void munlockall_unlocks_everything_and_ends_future_population(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr;

	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT | MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
	KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);

	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);

	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
}

static void mlockall_current_alone_ends_an_earlier_mlockall_future(struct kunit *test)
{
	unsigned long before, after;

	before = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	/* Linux does not stack mlockall() calls: the flags of the last one are what holds. */
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT), 0L);
	KUNIT_EXPECT_EQ(test, current->mm->def_flags & VM_LOCKED_MASK, 0UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, before, NR), (unsigned long)NR);

	after = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, after) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, after, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);

	KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static void mlockall_current_onfault_locks_every_vma_but_populates_none(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long anon, file;
	vm_flags_t flags;

	anon = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	file = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT | MCL_ONFAULT), 0L);
	flags = pop_vm_flags(test, anon);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKONFAULT);
	flags = pop_vm_flags(test, file);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKONFAULT);
	KUNIT_EXPECT_EQ(test, pop_present(test, anon, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, file, NR), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
	/* No MCL_FUTURE: it says nothing about later mappings. */
	KUNIT_EXPECT_EQ(test, current->mm->def_flags & VM_LOCKED_MASK, 0UL);

	KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, anon) & VM_LOCKED_MASK);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, file) & VM_LOCKED_MASK);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

/*
 * def_flags also carries bits that are not mlockall()'s (VM_NOHUGEPAGE, which s390 sets for KVM
 * guests and fork inherits through VM_INIT_DEF_MASK). UML has no path that sets one, so the test
 * sets it directly, as that code does, under the write lock.
 */
static void mlockall_and_munlockall_keep_the_def_flags_that_are_not_theirs(struct kunit *test)
{
	static const int calls[] = {
		MCL_FUTURE, MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT, MCL_CURRENT | MCL_FUTURE,
		MCL_CURRENT | MCL_ONFAULT, 0 /* munlockall() */,
	};
	struct mm_struct *mm = current->mm;
	unsigned long addr;
	int i;

	mmap_write_lock(mm);
	mm->def_flags |= VM_NOHUGEPAGE;
	mmap_write_unlock(mm);

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		if (calls[i])
			KUNIT_ASSERT_EQ(test, sys_mlockall(calls[i]), 0L);
		else
			KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);
		KUNIT_EXPECT_TRUE_MSG(test, mm->def_flags & VM_NOHUGEPAGE,
				      "VM_NOHUGEPAGE lost by mlockall(%#x)", calls[i]);
	}
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_NOHUGEPAGE);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED_MASK);
}

/* An invalid call must not act as munlockall(): MCL_ONFAULT alone would clear every lock bit. */
static void mlockall_with_invalid_flags_fails_and_changes_nothing(struct kunit *test)
{
	static const int invalid[] = { 0, MCL_ONFAULT, MCL_ONFAULT << 1, MCL_CURRENT | 0x100 };
	unsigned long addr;
	int i;

	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT | MCL_FUTURE), 0L);
	for (i = 0; i < ARRAY_SIZE(invalid); i++)
		KUNIT_EXPECT_EQ_MSG(test, sys_mlockall(invalid[i]), (long)-EINVAL,
				    "mlockall(%#x)", invalid[i]);

	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->def_flags & VM_LOCKED_MASK, (unsigned long)VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
}

/*
 * MCL_CURRENT mlocks what is mapped already, through mlock_fixup() like mlock() (mm/mlock.c,
 * mlock_pte_range(): "if (vma->vm_flags & VM_LOCKED) mlock_folio(folio);"), without faulting it
 * again.
 */
static void mlockall_current_mlocks_the_pages_that_were_present_before_it(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), 0L);
	pop_faults_reset(test);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_CURRENT), 0L);
	KUNIT_EXPECT_EQ_MSG(test, pop_faults(test)->count, 0UL, "present pages faulted again");
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.unevictable, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/*
 * MCL_FUTURE alone changes mm->def_flags only and leaves the vmas as they are (mm/mlock.c,
 * apply_mlockall_flags(): "if (!(flags & MCL_CURRENT)) goto out;"): a range mlock()ed before
 * stays locked, and one never locked stays unlocked.
 */
static void mlockall_future_alone_leaves_an_earlier_mlock_in_place(struct kunit *test)
{
	unsigned long locked = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	unsigned long plain = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(locked, POP_LEN(NR)), 0L);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, locked) & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, plain) & VM_LOCKED);
	pop_pages(test, locked, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_present(test, plain, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static struct kunit_case populate_mlockall_cases[] = {
	KUNIT_CASE(mlockall_current_populates_every_vma_but_prot_none),
	KUNIT_CASE(mlockall_future_populates_a_later_mmap),
	KUNIT_CASE(mlockall_future_onfault_leaves_a_later_mmap_unpopulated),
	KUNIT_CASE(mlockall_future_after_onfault_populates_again),
	KUNIT_CASE(munlockall_unlocks_everything_and_ends_future_population),
	KUNIT_CASE(mlockall_current_alone_ends_an_earlier_mlockall_future),
	KUNIT_CASE(mlockall_current_onfault_locks_every_vma_but_populates_none),
	KUNIT_CASE(mlockall_and_munlockall_keep_the_def_flags_that_are_not_theirs),
	KUNIT_CASE(mlockall_with_invalid_flags_fails_and_changes_nothing),
	KUNIT_CASE(mlockall_current_mlocks_the_pages_that_were_present_before_it),
	KUNIT_CASE(mlockall_future_alone_leaves_an_earlier_mlock_in_place),
	{}
};

static struct kunit_suite populate_mlockall_suite = {
	.name = "mm_populate_mlockall",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_mlockall_cases,
};

kunit_test_suite(populate_mlockall_suite);

MODULE_LICENSE("GPL");
