// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock drop and retry: __mm_populate() holds mmap_lock for read only, drops it whenever a fault
 * has to wait (I/O, VM_FAULT_RETRY), retakes it, looks the vma up again and resumes at the
 * faulting address.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

static void anon_population_faults_each_page_once_never_under_the_write_lock(struct kunit *test)
{
	struct pop_faults *f;
	unsigned long addr, i;

	pop_faults_reset(test);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	f = pop_faults(test);
	KUNIT_EXPECT_EQ(test, f->count, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, f->write_locked, 0UL);
	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, pop_faults_at(test, POP_ADDR(addr, i)), 1UL,
				    "page %lu", i);
}

static void
anon_population_holds_the_write_lock_once_and_never_drops_the_read_lock(struct kunit *test)
{
	struct pop_lock_events *ev = pop_lock_events(test);
	unsigned long addr;

	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->write_acquired), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->write_released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->read_acquired), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->read_released), 1);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

static void cold_file_population_drops_the_lock_for_every_read(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_lock_events *ev = pop_lock_events(test);
	unsigned long addr;
	int reads;

	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	reads = atomic_read(&pf->reads);
	KUNIT_EXPECT_EQ(test, reads, NR);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads_locked), 0,
			    "file pages were read with mmap_lock held");
	/* One write section for the vma; one read section to start and one after each read. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->write_acquired), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->read_acquired), reads + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->read_released), atomic_read(&ev->read_acquired));
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

static void cold_file_mlock_drops_the_lock_for_every_read(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	struct pop_lock_events *ev = pop_lock_events(test);

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->write_acquired), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->read_acquired), NR + 1);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

/*
 * Forced retry at GUP fault k of an mlock() over two vmas of NR/2 pages each (private anon,
 * write-faulted, then shared anon, read-faulted): every page ends up present and mlocked, exactly
 * one retry is injected, the lock is dropped once for it, and population resumes at the faulting
 * address: that page is faulted twice, every other page once.
 */
#define HALF (NR / 2)

static unsigned long two_vmas(struct kunit *test)
{
	unsigned long base = pop_hole(test, NR);

	pop_mmap(test, NULL, base, HALF, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	pop_mmap(test, NULL, POP_ADDR(base, HALF), HALF, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 0);
	KUNIT_ASSERT_EQ(test, pop_vma_count(base, NR), 2UL);
	return base;
}

static void expect_retried_once_at(struct kunit *test, unsigned long base, unsigned long k)
{
	unsigned long i;

	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, pop_faults_at(test, POP_ADDR(base, i)),
				    i == k - 1 ? 2UL : 1UL,
				    "faults at page %lu (retry at fault %lu)", i, k);
}

static void populate_two_vmas_with_retry_at(struct kunit *test, unsigned long k)
{
	struct pop_lock_events *ev = pop_lock_events(test);
	unsigned long base;

	base = two_vmas(test);
	struct pop_pages pp = {};
	long injected;
	int read_locks;

	pop_faults_reset(test);
	atomic_set(&ev->read_acquired, 0);
	injected = pop_injected(test, POP_FAIL_GUP_RETRY);
	pop_arm(test, POP_FAIL_GUP_RETRY, k, 1, 0);
	KUNIT_ASSERT_EQ(test, sys_mlock(base, POP_LEN(NR)), 0L);
	read_locks = atomic_read(&ev->read_acquired);
	pop_disarm(test, POP_FAIL_GUP_RETRY);
	injected = pop_injected(test, POP_FAIL_GUP_RETRY) - injected;

	pop_pages(test, base, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, injected, k <= NR ? 1L : 0L);
	KUNIT_EXPECT_EQ_MSG(test, read_locks, 1 + (int)injected,
			    "read-lock sections of mlock: one, plus one per retry");
	KUNIT_EXPECT_EQ(test, pop_faults(test)->count, NR + injected);
	if (injected)
		expect_retried_once_at(test, base, k);
	KUNIT_EXPECT_EQ(test, vm_munmap(base, POP_LEN(NR)), 0);
}

static const unsigned long retry_faults[] = { 1, HALF / 2, HALF, HALF + 1 };
static const char *const retry_fault_where[] = {
	"first page", "middle page", "last page of vma 1", "first page of vma 2",
};

static void retry_fault_desc(const unsigned long *k, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "fault %lu: %s", *k,
		 retry_fault_where[k - retry_faults]);
}

KUNIT_ARRAY_PARAM(retry_fault, retry_faults, retry_fault_desc);

static void forced_retry_resumes_at_the_faulting_address(struct kunit *test)
{
	const unsigned long *k = test->param_value;

	populate_two_vmas_with_retry_at(test, *k);
}

static void forced_retry_sweep_populates_every_page_at_every_fault(struct kunit *test)
{
	unsigned long k;

	if (!pop_fail_available(POP_FAIL_GUP_RETRY))
		kunit_skip(test, "needs fail_gup_retry (CONFIG_FAIL_GUP_RETRY)");
	for (k = 1; k <= NR + 1; k++) {
		long before = pop_injected(test, POP_FAIL_GUP_RETRY);

		populate_two_vmas_with_retry_at(test, k);
		if (pop_injected(test, POP_FAIL_GUP_RETRY) == before)
			break;
	}
	KUNIT_EXPECT_EQ_MSG(test, k, (unsigned long)NR + 1,
			    "the sweep ended before the fault after the last page");
}

/*
 * Retry at every first attempt. The retry carries FAULT_FLAG_TRIED and is taken for real, so each
 * page is retried once; a populate path that retries without FOLL_TRIED would loop forever, and
 * "times" bounds it so that it fails here instead.
 */
static void expect_one_retry_per_page(struct kunit *test, unsigned long addr)
{
	unsigned long k;

	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pop_injected(test, POP_FAIL_GUP_RETRY), (long)NR,
			    "injected retries: one per page, or the retry was not FAULT_FLAG_TRIED");
	for (k = 0; k < NR; k++)
		KUNIT_EXPECT_EQ_MSG(test, pop_faults_at(test, POP_ADDR(addr, k)), 2UL,
				    "faults at page %lu", k);
}

static void mmap_populate_resumes_after_a_retry_at_every_page(struct kunit *test)
{
	unsigned long addr;

	if (!pop_fail_available(POP_FAIL_GUP_RETRY))
		kunit_skip(test, "needs fail_gup_retry (CONFIG_FAIL_GUP_RETRY)");
	pop_faults_reset(test);
	pop_arm(test, POP_FAIL_GUP_RETRY, 1, 4 * NR, 0);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	pop_disarm(test, POP_FAIL_GUP_RETRY);
	expect_one_retry_per_page(test, addr);
}

static void mlock_resumes_after_a_retry_at_every_page(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	if (!pop_fail_available(POP_FAIL_GUP_RETRY))
		kunit_skip(test, "needs fail_gup_retry (CONFIG_FAIL_GUP_RETRY)");
	pop_faults_reset(test);
	pop_arm(test, POP_FAIL_GUP_RETRY, 1, 4 * NR, 0);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_disarm(test, POP_FAIL_GUP_RETRY);
	expect_one_retry_per_page(test, addr);
}

static struct kunit_case populate_retry_cases[] = {
	KUNIT_CASE(anon_population_faults_each_page_once_never_under_the_write_lock),
	KUNIT_CASE(anon_population_holds_the_write_lock_once_and_never_drops_the_read_lock),
	KUNIT_CASE(cold_file_population_drops_the_lock_for_every_read),
	KUNIT_CASE(cold_file_mlock_drops_the_lock_for_every_read),
	KUNIT_CASE_PARAM(forced_retry_resumes_at_the_faulting_address, retry_fault_gen_params),
	KUNIT_CASE(mmap_populate_resumes_after_a_retry_at_every_page),
	KUNIT_CASE(mlock_resumes_after_a_retry_at_every_page),
	KUNIT_CASE_SLOW(forced_retry_sweep_populates_every_page_at_every_fault),
	{}
};

static struct kunit_suite populate_retry_suite = {
	.name = "mm_populate_retry",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_retry_cases,
};

kunit_test_suite(populate_retry_suite);

MODULE_LICENSE("GPL");
