// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap(MAP_POPULATE): the vma is set up under the write lock, then populated by mm_populate()
 * after the write lock is dropped.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>

#define NR_PAGES 64

static void anonymous_private_populate_maps_every_page(struct kunit *test)
{
	unsigned long addr;
	long before;

	addr = kunit_vm_mmap(test, NULL, 0, NR_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	before = get_mm_counter(current->mm, MM_ANONPAGES);
	vm_munmap(addr, NR_PAGES * PAGE_SIZE);

	addr = vm_mmap(NULL, 0, NR_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_EXPECT_EQ(test, get_mm_counter(current->mm, MM_ANONPAGES) - before, NR_PAGES);
	vm_munmap(addr, NR_PAGES * PAGE_SIZE);
}

static struct kunit_case populate_mmap_cases[] = {
	KUNIT_CASE(anonymous_private_populate_maps_every_page),
	{}
};

static struct kunit_suite populate_mmap_suite = {
	.name = "mm_populate_mmap",
	.test_cases = populate_mmap_cases,
};
kunit_test_suite(populate_mmap_suite);

MODULE_LICENSE("GPL");
