// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_file_pages(): emulated with do_mmap(MAP_FIXED | MAP_POPULATE) under the write lock, then
 * mm_populate() after it: populated unless MAP_NONBLOCK, and always when the vma is VM_LOCKED.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "populate_helpers.h"

#define NR 16
#define HALF (NR / 2)

/* The first word of each mapped page names the file page it maps (see pop_read_folio). */
static void expect_maps_file_page(struct kunit *test, unsigned long addr, unsigned long index)
{
	unsigned long v = ULONG_MAX;

	KUNIT_ASSERT_EQ(test, get_user(v, (unsigned long __user *)addr), 0);
	KUNIT_EXPECT_EQ_MSG(test, v, index, "page at %#lx", addr);
}

static void remap_file_pages_populates_the_remapped_range(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_remap_file_pages(addr, POP_LEN(HALF), 0, HALF, 0), 0L);
	pop_expect_present_run(test, addr, NR, 0, HALF);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), HALF);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), (unsigned long)HALF);
	expect_maps_file_page(test, addr, HALF);
	expect_maps_file_page(test, POP_ADDR(addr, HALF - 1), NR - 1);
}

static void remap_file_pages_with_nonblock_populates_nothing(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_remap_file_pages(addr, POP_LEN(HALF), 0, HALF, MAP_NONBLOCK), 0L);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), 0);
}

/*
 * The remapped half maps file pages no mapping had before (NR..NR + HALF - 1): what is present
 * and mlocked there, the remap populated and mlocked, not the test's own MAP_LOCKED.
 */
static void remap_file_pages_with_nonblock_of_a_locked_vma_still_populates(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR + HALF);
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_LOCKED, 0);

	KUNIT_ASSERT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_ASSERT_EQ(test, sys_remap_file_pages(addr, POP_LEN(HALF), 0, NR, MAP_NONBLOCK), 0L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR + HALF);
	pop_pages(test, addr, HALF, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	/* Read last: get_user() would fault in what the remap left out. */
	expect_maps_file_page(test, addr, NR);
	expect_maps_file_page(test, POP_ADDR(addr, HALF), HALF);
}

/*
 * A range over two adjacent vmas of the same file with the same flags (their file offsets differ,
 * so they do not merge) is remapped as one (mm/mmap.c, remap_file_pages(): the loop over the
 * following vmas, "if (start + size <= next->vm_end) break;"): one vma, populated.
 */
static void remap_file_pages_over_two_vmas_of_the_file_remaps_and_populates_both(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, 2 * NR);
	unsigned long addr = pop_hole(test, NR);

	pop_mmap(test, pf->file, addr, HALF, PROT_READ, MAP_SHARED | MAP_FIXED, 0);
	pop_mmap(test, pf->file, POP_ADDR(addr, HALF), HALF, PROT_READ, MAP_SHARED | MAP_FIXED, 0);
	KUNIT_ASSERT_EQ(test, pop_vma_count(addr, NR), 2UL);

	KUNIT_ASSERT_EQ(test, sys_remap_file_pages(addr, POP_LEN(NR), 0, NR, 0), 0L);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 1UL);
	pop_expect_present_run(test, addr, NR, 0, NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	expect_maps_file_page(test, addr, NR);
	expect_maps_file_page(test, POP_ADDR(addr, NR - 1), 2 * NR - 1);
}

static struct kunit_case populate_remap_file_pages_cases[] = {
	KUNIT_CASE(remap_file_pages_populates_the_remapped_range),
	KUNIT_CASE(remap_file_pages_with_nonblock_populates_nothing),
	KUNIT_CASE(remap_file_pages_with_nonblock_of_a_locked_vma_still_populates),
	KUNIT_CASE(remap_file_pages_over_two_vmas_of_the_file_remaps_and_populates_both),
	{}
};

static struct kunit_suite populate_remap_file_pages_suite = {
	.name = "mm_populate_remap_file_pages",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_remap_file_pages_cases,
};

kunit_test_suite(populate_remap_file_pages_suite);

MODULE_LICENSE("GPL");
