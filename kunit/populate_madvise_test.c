// SPDX-License-Identifier: GPL-2.0-only
/*
 * madvise(MADV_POPULATE_READ / MADV_POPULATE_WRITE): population under the read lock through the
 * same GUP path, reporting errors instead of ignoring them.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

static void populate_write_write_faults_real_anon_pages(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

static void populate_read_of_anon_maps_the_zero_page(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
}

static void populate_read_reads_file_pages_with_the_lock_dropped(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), 0L);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
}

static void populate_over_a_hole_fails_with_enomem_after_the_pages_before_it(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_ASSERT_EQ(test, vm_munmap(POP_ADDR(addr, NR / 2), PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), (long)-ENOMEM);
	pop_expect_present_run(test, addr, NR, 0, NR / 2);
}

static void populate_of_prot_none_fails_with_einval(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
}

static void populate_write_of_a_readonly_vma_fails_with_einval(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
}

static void populate_read_reports_a_file_page_that_keeps_failing(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	/*
	 * Failing 50 times, not forever: a kernel that retried without limit would still end here,
	 * having read the page at last, and fail the test instead of hanging it.
	 * Each call of faultin_page_range() reads the page twice: with the lock dropped
	 * (VM_FAULT_RETRY), then in the FOLL_TRIED retry of __get_user_pages_locked(), which holds
	 * the lock and gets the error. The first call returns the 5 pages before the bad one, so
	 * madvise_populate() calls again from it, and that call returns the error: 4 reads.
	 */
	pop_file_fail(pf, 5, 50);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), (long)-EFAULT);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads_failed), 4,
			    "failed reads: two calls of faultin_page_range(), a read and its retry each");
	pop_expect_present_run(test, addr, NR, 0, 5);
}

static void populate_read_survives_a_transient_file_read_error(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	pop_file_fail(pf, 5, 1);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_failed), 1);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

/*
 * MADV_POPULATE_WRITE over the zero pages a read population mapped: GUP must not take a read-only
 * zero-page PTE for a written one (mm/gup.c, follow_page_pte(): "if ((flags & FOLL_WRITE) &&
 * !can_follow_write_pte(pte, page, vma, flags))"), so each is write-faulted and COW is broken.
 */
static void populate_write_breaks_cow_of_the_zero_pages_a_read_population_mapped(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_ASSERT_EQ(test, pp.zero, (unsigned long)NR);

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.zero, 0UL, "zero pages left mapped after a write population");
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

/*
 * SIGKILL while the population reads page KILL_AT: __get_user_pages_locked() gives back the pages
 * before it, and the next round of madvise_populate() sees the signal at its first page (mm/gup.c,
 * __get_user_pages(): "if (fatal_signal_pending(current)) { ret = -EINTR; ...") and returns
 * -EINTR. No page after KILL_AT is read.
 */
#define KILL_AT 5
static void populate_ends_at_a_fatal_signal(struct kunit *test, int advice, unsigned long prot,
					    unsigned long flags)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, prot, flags, 0);
	long ret;

	pop_file_kill_at(test, pf, KILL_AT);
	ret = sys_madvise(addr, POP_LEN(NR), advice);
	KUNIT_ASSERT_TRUE_MSG(test, pop_take_sigkill(), "no SIGKILL at page %d", KILL_AT);
	KUNIT_EXPECT_EQ(test, ret, (long)-EINTR);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), KILL_AT + 1, "pages read after SIGKILL");
	pop_expect_present_run(test, addr, NR, 0, KILL_AT);
}

static void populate_read_ends_at_a_fatal_signal(struct kunit *test)
{
	populate_ends_at_a_fatal_signal(test, MADV_POPULATE_READ, PROT_READ, MAP_SHARED);
}

/* A private writable file mapping: each write fault reads the page, then copies it. */
static void populate_write_ends_at_a_fatal_signal(struct kunit *test)
{
	populate_ends_at_a_fatal_signal(test, MADV_POPULATE_WRITE, RW, MAP_PRIVATE);
}

static struct kunit_case populate_madvise_cases[] = {
	KUNIT_CASE(populate_write_write_faults_real_anon_pages),
	KUNIT_CASE(populate_read_of_anon_maps_the_zero_page),
	KUNIT_CASE(populate_read_reads_file_pages_with_the_lock_dropped),
	KUNIT_CASE(populate_over_a_hole_fails_with_enomem_after_the_pages_before_it),
	KUNIT_CASE(populate_of_prot_none_fails_with_einval),
	KUNIT_CASE(populate_write_of_a_readonly_vma_fails_with_einval),
	KUNIT_CASE(populate_read_reports_a_file_page_that_keeps_failing),
	KUNIT_CASE(populate_read_survives_a_transient_file_read_error),
	KUNIT_CASE(populate_write_breaks_cow_of_the_zero_pages_a_read_population_mapped),
	KUNIT_CASE(populate_read_ends_at_a_fatal_signal),
	KUNIT_CASE(populate_write_ends_at_a_fatal_signal),
	{}
};

static struct kunit_suite populate_madvise_suite = {
	.name = "mm_populate_madvise",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_madvise_cases,
};

kunit_test_suite(populate_madvise_suite);

MODULE_LICENSE("GPL");
