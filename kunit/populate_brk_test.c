// SPDX-License-Identifier: GPL-2.0-only
/*
 * brk(): growing the heap of an mm with mlockall(MCL_FUTURE) populates the new part after the
 * write lock is dropped; without it, nothing is populated.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16

static void brk_growth_under_mlockall_future_is_populated(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR)), POP_ADDR(base, NR));
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, base) & VM_LOCKED);
	pop_pages(test, base, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);

	/* Growing again populates the new part too. */
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, 2 * NR)),
			POP_ADDR(base, 2 * NR));
	KUNIT_EXPECT_EQ(test, pop_present(test, base, 2 * NR), 2UL * NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
}

static void brk_growth_without_mlockall_is_not_populated(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);

	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR)), POP_ADDR(base, NR));
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, base) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, base, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static void brk_growth_under_mlockall_future_onfault_is_not_populated(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE | MCL_ONFAULT), 0L);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR)), POP_ADDR(base, NR));
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, base) & VM_LOCKONFAULT);
	KUNIT_EXPECT_EQ(test, pop_present(test, base, NR), 0UL);
}

/* The break may end inside a page: that page is part of the heap, and populated with it. */
/* Exactly the first n pages of the heap at base are present, mlocked and counted in locked_vm. */
static void expect_heap_locked_up_to(struct kunit *test, unsigned long base, unsigned long n)
{
	struct pop_pages pp = {};

	pop_expect_present_run(test, base, NR, 0, n);
	pop_pages(test, base, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, n);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, n);
}

static void brk_to_an_unaligned_end_populates_the_page_holding_it(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);
	unsigned long end = POP_ADDR(base, 5) + 1;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(end), end);
	KUNIT_EXPECT_EQ(test, current->mm->brk, end);
	expect_heap_locked_up_to(test, base, 6);

	/* Growing from there starts at the next page boundary, with nothing missed. */
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, 9)), POP_ADDR(base, 9));
	pop_expect_present_run(test, base, NR, 0, 9);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 9UL);
}

/* Shrinking releases whole pages past the new break only: its own page stays locked. */
static void brk_shrink_under_mlockall_future_unlocks_only_the_released_pages(struct kunit *test)
{
	unsigned long base = pop_brk_heap(test, 4 * NR);
	unsigned long end = POP_ADDR(base, 5) + 1;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(POP_ADDR(base, NR)), POP_ADDR(base, NR));
	KUNIT_ASSERT_EQ(test, pop_present(test, base, NR), (unsigned long)NR);

	KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(end), end);
	KUNIT_EXPECT_EQ(test, current->mm->brk, end);
	expect_heap_locked_up_to(test, base, 6);
	KUNIT_EXPECT_EQ(test, pop_vma_count(base, 4 * NR), 1UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 6UL);
}

/*
 * vm_brk_flags(), the brk of the ELF loader (a binary's bss), populates under MCL_FUTURE like
 * brk() (mm/mmap.c, vm_brk_flags(): "populate = ((mm->def_flags & VM_LOCKED) != 0);" then
 * "if (populate && !ret) mm_populate(addr, len);").
 */
static void vm_brk_flags_under_mlockall_future_is_populated(struct kunit *test)
{
	unsigned long addr = pop_hole(test, NR);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, vm_brk_flags(addr, POP_LEN(NR), 0), 0);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static struct kunit_case populate_brk_cases[] = {
	KUNIT_CASE(brk_growth_under_mlockall_future_is_populated),
	KUNIT_CASE(brk_growth_without_mlockall_is_not_populated),
	KUNIT_CASE(brk_growth_under_mlockall_future_onfault_is_not_populated),
	KUNIT_CASE(brk_to_an_unaligned_end_populates_the_page_holding_it),
	KUNIT_CASE(brk_shrink_under_mlockall_future_unlocks_only_the_released_pages),
	KUNIT_CASE(vm_brk_flags_under_mlockall_future_is_populated),
	{}
};

static struct kunit_suite populate_brk_suite = {
	.name = "mm_populate_brk",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_brk_cases,
};

kunit_test_suite(populate_brk_suite);

MODULE_LICENSE("GPL");
