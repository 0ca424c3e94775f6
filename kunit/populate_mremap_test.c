// SPDX-License-Identifier: GPL-2.0-only
/*
 * mremap(): growing a VM_LOCKED vma, in place or moved, populates the new part after the write
 * lock is dropped.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 8
#define RW (PROT_READ | PROT_WRITE)

static void mremap_growing_a_locked_vma_in_place_populates_the_new_part(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);
	struct pop_pages pp = {};

	pop_mmap(test, NULL, base, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, 0);
	KUNIT_ASSERT_EQ(test, pop_present(test, base, NR), (unsigned long)NR);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_mremap(base, POP_LEN(NR), POP_LEN(2 * NR), 0, 0),
			base);
	pop_pages(test, base, 2 * NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pp.anon, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 2UL * NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
}

static void mremap_moving_a_locked_vma_populates_the_new_part(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);
	struct pop_pages pp = {};
	unsigned long addr;

	pop_mmap(test, NULL, base, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, 0);
	/* A page right after it forces the move. */
	pop_mmap(test, NULL, POP_ADDR(base, NR), 1, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	addr = sys_mremap(base, POP_LEN(NR), POP_LEN(2 * NR), MREMAP_MAYMOVE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NE(test, addr, base);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, 2 * NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pop_present(test, base, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 2UL * NR);
}

static void mremap_growing_an_unlocked_vma_populates_nothing(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);

	pop_mmap(test, NULL, base, NR, RW,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, 0);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_mremap(base, POP_LEN(NR), POP_LEN(2 * NR), 0, 0),
			base);
	pop_expect_present_run(test, base, 2 * NR, 0, NR);
}

static void mremap_growing_an_onfault_locked_vma_populates_nothing(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);

	pop_mmap(test, NULL, base, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KUNIT_ASSERT_EQ(test, sys_mlock2(base, POP_LEN(NR), MLOCK_ONFAULT), 0L);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_mremap(base, POP_LEN(NR), POP_LEN(2 * NR), 0, 0),
			base);
	KUNIT_EXPECT_EQ(test, pop_present(test, base, 2 * NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
}

/* MREMAP_FIXED takes another path (mremap_to()) to the same promise: the new part is populated. */
static void mremap_moving_a_locked_vma_to_a_fixed_address_populates_the_new_part(struct kunit *test)
{
	unsigned long base = pop_hole(test, 4 * NR);
	unsigned long dst = POP_ADDR(base, 2 * NR);
	struct pop_pages pp = {};

	pop_mmap(test, NULL, base, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, 0);
	KUNIT_ASSERT_EQ(test, pop_present(test, base, NR), (unsigned long)NR);
	KUNIT_ASSERT_EQ(test, (unsigned long)sys_mremap(base, POP_LEN(NR), POP_LEN(2 * NR),
							MREMAP_MAYMOVE | MREMAP_FIXED, dst),
			dst);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, dst) & VM_LOCKED);
	pop_pages(test, dst, 2 * NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pp.anon, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pop_vma_count(base, 2 * NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 2UL * NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 2UL * NR);
}

/*
 * MREMAP_DONTUNMAP moves the pages and leaves the old range mapped but empty: it clears VM_LOCKED
 * there (mm/mremap.c, move_vma(): "vm_flags_clear(vma, VM_LOCKED_MASK);") and keeps locked_vm as
 * it was ("Because we won't unmap we don't need to touch locked_vm"): only the new range is
 * locked, with the pages, still mlocked.
 */
static void mremap_dontunmap_of_a_locked_vma_leaves_the_old_range_unlocked(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);
	struct pop_pages pp = {};
	unsigned long new;

	KUNIT_ASSERT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
	new = sys_mremap(addr, POP_LEN(NR), POP_LEN(NR), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(new), "mremap: %ld", (long)new);
	KUNIT_ASSERT_NE(test, new, addr);

	KUNIT_EXPECT_EQ(test, pop_vm_flags(test, addr) & VM_LOCKED_MASK, 0UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, new) & VM_LOCKED);
	pop_pages(test, new, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

static struct kunit_case populate_mremap_cases[] = {
	KUNIT_CASE(mremap_growing_a_locked_vma_in_place_populates_the_new_part),
	KUNIT_CASE(mremap_moving_a_locked_vma_populates_the_new_part),
	KUNIT_CASE(mremap_growing_an_unlocked_vma_populates_nothing),
	KUNIT_CASE(mremap_growing_an_onfault_locked_vma_populates_nothing),
	KUNIT_CASE(mremap_moving_a_locked_vma_to_a_fixed_address_populates_the_new_part),
	KUNIT_CASE(mremap_dontunmap_of_a_locked_vma_leaves_the_old_range_unlocked),
	{}
};

static struct kunit_suite populate_mremap_suite = {
	.name = "mm_populate_mremap",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_mremap_cases,
};

kunit_test_suite(populate_mremap_suite);

MODULE_LICENSE("GPL");
