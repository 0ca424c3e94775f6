// SPDX-License-Identifier: GPL-2.0-only
/*
 * A file page whose read keeps failing, through every entry point of mm_populate().
 *
 * filemap_fault() drops mmap_lock to read a page and then asks for a retry whether or not the read
 * succeeded. The promise, kept by the page fault handler and __get_user_pages_locked(): the retry
 * comes once, with FAULT_FLAG_TRIED, which reads again with the lock held and reports the error.
 * So the failing page is read exactly twice, once without the lock and once with it, and the error
 * surfaces the way the entry point reports errors. Stock 6.12's __mm_populate() retries without
 * FOLL_TRIED and reads the page until the read succeeds: READ_FAILURES failures, then success.
 * READ_FAILURES is finite so that such a kernel fails these tests instead of hanging in them.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define BAD 5			/* the page whose read fails */
#define READ_FAILURES 50

struct bad_page {
	atomic_t reads;
};

static void count_bad_page_reads(struct pop_file *pf, pgoff_t index)
{
	struct bad_page *bp = pf->hook_data;

	if (index == BAD)
		atomic_inc(&bp->reads);
}

/* A file of npages whose page BAD fails READ_FAILURES reads; bp counts that page's reads. */
static struct pop_file *file_with_bad_page(struct kunit *test, unsigned long npages,
					   struct bad_page *bp)
{
	struct pop_file *pf = pop_file_create(test, npages);

	pf->hook_data = bp;
	pf->read_hook = count_bad_page_reads;
	pop_file_fail(pf, BAD, READ_FAILURES);
	return pf;
}

static void expect_read_twice(struct kunit *test, struct bad_page *bp)
{
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&bp->reads), 2,
			    "reads of the failing page (at most %d without a retry limit)",
			    READ_FAILURES + 1);
}

static void
mmap_populate_reads_a_failing_page_twice_and_keeps_the_pages_before_it(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	unsigned long addr;

	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	expect_read_twice(test, &bp);
	/* MAP_POPULATE ignores the error and goes on at the next vma: the rest of it stays */
	pop_expect_present_run(test, addr, NR, 0, BAD);
}

static void mmap_populate_still_reads_the_failing_page_without_the_lock_first(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);

	pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	expect_read_twice(test, &bp);
	/* Every first read runs with the lock dropped; only the failed one's retry holds it. */
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), BAD + 2);
}

static void map_locked_reads_a_failing_page_twice_and_mlocks_the_pages_before_it(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	struct pop_pages pp = {};
	unsigned long addr;

	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_LOCKED, 0);
	expect_read_twice(test, &bp);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)BAD);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)BAD);
}

static void mlock_reads_a_failing_page_twice_and_returns_enomem(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	/* The fault's -EFAULT becomes POSIX's -ENOMEM; the range stays VM_LOCKED. */
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), (long)-ENOMEM);
	expect_read_twice(test, &bp);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_expect_present_run(test, addr, NR, 0, BAD);
}

static void
mlockall_current_reads_a_failing_page_twice_and_populates_the_next_vma(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	unsigned long hole = pop_hole(test, 2 * NR);
	unsigned long file, anon;

	file = pop_mmap(test, pf->file, hole, NR, PROT_READ, MAP_SHARED | MAP_FIXED, 0);
	anon = pop_mmap(test, NULL, POP_ADDR(hole, NR), NR, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	/* mlockall() populates like MAP_POPULATE: it ignores the error and goes on. */
	KUNIT_EXPECT_EQ(test, sys_mlockall(MCL_CURRENT), 0L);
	expect_read_twice(test, &bp);
	pop_expect_present_run(test, file, NR, 0, BAD);
	KUNIT_EXPECT_EQ(test, pop_present(test, anon, NR), (unsigned long)NR);
}

static void mlockall_future_mmap_reads_a_failing_page_twice(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	expect_read_twice(test, &bp);
	pop_expect_present_run(test, addr, NR, 0, BAD);
}

static void mremap_growing_a_locked_vma_reads_a_failing_page_twice(struct kunit *test)
{
	struct bad_page bp = {};
	struct pop_file *pf = file_with_bad_page(test, NR, &bp);
	unsigned long hole = pop_hole(test, 2 * NR);
	unsigned long addr;

	/* The first BAD pages are locked and read; growing to NR pages populates the rest. */
	addr = pop_mmap(test, pf->file, hole, BAD, PROT_READ,
			MAP_SHARED | MAP_FIXED | MAP_LOCKED, 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&bp.reads), 0);
	KUNIT_EXPECT_EQ(test, sys_mremap(addr, POP_LEN(BAD), POP_LEN(NR), 0, 0), addr);
	expect_read_twice(test, &bp);
	pop_expect_present_run(test, addr, NR, 0, BAD);
}

static struct kunit_case populate_read_errors_cases[] = {
	KUNIT_CASE(mmap_populate_reads_a_failing_page_twice_and_keeps_the_pages_before_it),
	KUNIT_CASE(mmap_populate_still_reads_the_failing_page_without_the_lock_first),
	KUNIT_CASE(map_locked_reads_a_failing_page_twice_and_mlocks_the_pages_before_it),
	KUNIT_CASE(mlock_reads_a_failing_page_twice_and_returns_enomem),
	KUNIT_CASE(mlockall_current_reads_a_failing_page_twice_and_populates_the_next_vma),
	KUNIT_CASE(mlockall_future_mmap_reads_a_failing_page_twice),
	KUNIT_CASE(mremap_growing_a_locked_vma_reads_a_failing_page_twice),
	{}
};

static struct kunit_suite populate_read_errors_suite = {
	.name = "mm_populate_read_errors",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_read_errors_cases,
};

kunit_test_suite(populate_read_errors_suite);

MODULE_LICENSE("GPL");
