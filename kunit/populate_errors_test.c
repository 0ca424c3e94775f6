// SPDX-License-Identifier: GPL-2.0-only
/*
 * Errors during population: mmap(MAP_POPULATE) ignores them (the mapping stays, pages before the
 * failed fault are present); mlock() reports them (-ENOMEM, or -EAGAIN for out-of-memory) and
 * leaves the range VM_LOCKED; MADV_POPULATE_* returns them.
 *
 * A page that cannot be faulted is one whose fault fails every time (pop_arm_from): GUP returns
 * the pages it did before an error, and its callers then retry from the failed page, so a fault
 * that fails only once past the first page of a call is retried and succeeds.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define K 6		/* the failing fault: page K - 1 */
#define RW (PROT_READ | PROT_WRITE)

struct fault_error {
	const char *name;
	u32 vm_fault;
	long mlock_err;
	long madvise_err;
};

static const struct fault_error fault_errors[] = {
	{ "VM_FAULT_SIGBUS", VM_FAULT_SIGBUS, -ENOMEM, -EFAULT },
	{ "VM_FAULT_OOM", VM_FAULT_OOM, -EAGAIN, -ENOMEM },
	{ "VM_FAULT_HWPOISON", VM_FAULT_HWPOISON, -ENOMEM, -EHWPOISON },
};

static void fault_error_desc(const struct fault_error *e, char *desc)
{
	strscpy(desc, e->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_error, fault_errors, fault_error_desc);

static const struct fault_error *param(struct kunit *test)
{
	return test->param_value;
}

static void mmap_populate_succeeds_with_the_pages_before_a_failed_fault(struct kunit *test)
{
	unsigned long addr;

	pop_arm_from(test, POP_FAIL_GUP_FAULT, K, param(test)->vm_fault);
	addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	pop_disarm(test, POP_FAIL_GUP_FAULT);
	/* Where it first failed, and once more when retried from that page. */
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 2L);
	pop_expect_present_run(test, addr, NR, 0, K - 1);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)K - 1);
}

static void mlock_reports_a_failed_fault_and_leaves_the_range_locked(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	pop_arm_from(test, POP_FAIL_GUP_FAULT, K, param(test)->vm_fault);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), param(test)->mlock_err);
	pop_disarm(test, POP_FAIL_GUP_FAULT);
	/* Where it first failed, and once more when retried from that page. */
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 2L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	pop_expect_present_run(test, addr, NR, 0, K - 1);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)K - 1);
}

static void madvise_populate_write_returns_a_failed_fault(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	pop_arm_from(test, POP_FAIL_GUP_FAULT, K, param(test)->vm_fault);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE),
			param(test)->madvise_err);
	pop_disarm(test, POP_FAIL_GUP_FAULT);
	/* Where it first failed, and once more when retried from that page. */
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 2L);
	pop_expect_present_run(test, addr, NR, 0, K - 1);
}

static void madvise_populate_read_of_a_file_returns_a_failed_fault(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	/* A cold file faults twice per page (read, then retry): fault 2K - 1 is page K - 1's. */
	pop_arm_from(test, POP_FAIL_GUP_FAULT, 2 * K - 1, param(test)->vm_fault);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ),
			param(test)->madvise_err);
	pop_disarm(test, POP_FAIL_GUP_FAULT);
	/* Where it first failed, and once more when retried from that page. */
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 2L);
	pop_expect_present_run(test, addr, NR, 0, K - 1);
}

static void mlock_reports_a_failed_fault_at_the_first_page(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);

	pop_arm(test, POP_FAIL_GUP_FAULT, 1, 1, VM_FAULT_SIGBUS);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), (long)-ENOMEM);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 1L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
}

static void mlock_retries_a_fault_that_failed_once_mid_range_and_succeeds(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	pop_faults_reset(test);
	pop_arm(test, POP_FAIL_GUP_FAULT, K, 1, VM_FAULT_SIGBUS);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 1L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_faults_at(test, POP_ADDR(addr, K - 1)), 2UL);
	KUNIT_EXPECT_EQ(test, pop_faults(test)->count, NR + 1UL);
}

static void mmap_populate_with_a_failed_first_fault_maps_nothing_and_succeeds(struct kunit *test)
{
	unsigned long addr;

	pop_arm(test, POP_FAIL_GUP_FAULT, 1, 1, VM_FAULT_SIGBUS);
	addr = pop_mmap(test, NULL, 0, NR, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_FAULT), 1L);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 1UL);
}

/*
 * The file's own read_folio fails once: the population retries that page once, with the lock held
 * (FOLL_TRIED, see mm_populate_read_errors), and goes on.
 */
static void mmap_populate_rereads_a_file_page_after_a_read_error(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr;

	pop_file_fail(pf, K - 1, 1);
	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_failed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 1);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

static void mlock_rereads_a_file_page_after_a_read_error_and_succeeds(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	struct pop_pages pp = {};

	pop_file_fail(pf, K - 1, 1);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_failed), 1);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
}

/* The same through the kernel's fail_filemap_read: an injected -EIO at the Kth read. */
static void mmap_populate_survives_an_injected_filemap_read_error(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr;

	pop_arm(test, POP_FAIL_FILEMAP_READ, K, 1, 0);
	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_FILEMAP_READ), 1L);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);
}

/*
 * A failed readahead batch, as on a disk with a bad sector: the population faults each page of the
 * batch in with a read of its own (one lock drop each) and ends with every page present.
 */
#define RA_PAGES 16
#define RA_FILE_PAGES (4 * RA_PAGES)

static void mlock_rereads_each_page_of_a_failed_readahead_batch(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, RA_FILE_PAGES);
	unsigned long addr = pop_mmap(test, pf->file, 0, RA_FILE_PAGES, PROT_READ, MAP_SHARED, 0);
	struct pop_lock_events *ev = pop_lock_events(test);
	struct pop_pages pp = {};
	int read_locks;

	pf->file->f_ra.ra_pages = RA_PAGES;
	pop_arm(test, POP_FAIL_FILEMAP_READ, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(RA_FILE_PAGES)), 0L);
	read_locks = atomic_read(&ev->read_acquired);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_FILEMAP_READ), 1L);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), RA_FILE_PAGES,
			    "the failed batch reaches the filesystem, or a page is read twice");
	/*
	 * The first section, one more for each page of the failed batch (it drops the lock for a
	 * read of its own), then one for each readahead batch of the rest: the window stays at
	 * ra_pages (RA_PAGES). Without readahead it would be 1 + RA_FILE_PAGES, every page a drop.
	 */
	KUNIT_EXPECT_EQ_MSG(test, read_locks, 1 + RA_PAGES + (RA_FILE_PAGES - RA_PAGES) / RA_PAGES,
			    "read-lock sections of the mlock");
	pop_pages(test, addr, RA_FILE_PAGES, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)RA_FILE_PAGES);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)RA_FILE_PAGES);
}

/* fail_filemap_read's file filter: the reads of other files go on untouched. */
static void an_injected_read_error_for_another_inode_leaves_the_population_alone(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_file *other = pop_file_create(test, 1);
	unsigned long addr;

	pop_arm(test, POP_FAIL_FILEMAP_READ, 1, -1, 0);
	pop_arm_only_file(test, POP_FAIL_FILEMAP_READ, other->file);
	addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_FILEMAP_READ), 0L);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), (unsigned long)NR);

	/* Aimed at that inode's own population: its first read fails, and the retry reads it. */
	pop_arm(test, POP_FAIL_FILEMAP_READ, 1, 1, 0);
	pop_arm_only_file(test, POP_FAIL_FILEMAP_READ, other->file);
	addr = pop_mmap(test, other->file, 0, 1, PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_FILEMAP_READ), 1L);
	KUNIT_EXPECT_EQ(test, atomic_read(&other->reads), 1);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, 1), 1UL);
}

static void madvise_populate_read_returns_an_injected_filemap_read_error(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	/* Pages before K read fine; then every read fails, 8 times at most (see the known bug). */
	if (!pop_fail_available(POP_FAIL_FILEMAP_READ))
		kunit_skip(test, "needs fail_filemap_read (CONFIG_FAIL_FILEMAP_READ)");
	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(K - 1), MADV_POPULATE_READ), 0L);
	pop_arm(test, POP_FAIL_FILEMAP_READ, 1, 8, 0);
	KUNIT_EXPECT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), (long)-EFAULT);
	/*
	 * A read and its FOLL_TRIED retry in each of two calls of faultin_page_range(): the first
	 * returns the pages before K - 1, the second starts at it and returns the error.
	 */
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_FILEMAP_READ), 4L);
	pop_expect_present_run(test, addr, NR, 0, K - 1);
}

static struct kunit_case populate_errors_cases[] = {
	KUNIT_CASE_PARAM(mmap_populate_succeeds_with_the_pages_before_a_failed_fault,
			 fault_error_gen_params),
	KUNIT_CASE_PARAM(mlock_reports_a_failed_fault_and_leaves_the_range_locked,
			 fault_error_gen_params),
	KUNIT_CASE_PARAM(madvise_populate_write_returns_a_failed_fault, fault_error_gen_params),
	KUNIT_CASE_PARAM(madvise_populate_read_of_a_file_returns_a_failed_fault,
			 fault_error_gen_params),
	KUNIT_CASE(mlock_reports_a_failed_fault_at_the_first_page),
	KUNIT_CASE(mlock_retries_a_fault_that_failed_once_mid_range_and_succeeds),
	KUNIT_CASE(mmap_populate_with_a_failed_first_fault_maps_nothing_and_succeeds),
	KUNIT_CASE(mmap_populate_rereads_a_file_page_after_a_read_error),
	KUNIT_CASE(mlock_rereads_a_file_page_after_a_read_error_and_succeeds),
	KUNIT_CASE(mmap_populate_survives_an_injected_filemap_read_error),
	KUNIT_CASE(madvise_populate_read_returns_an_injected_filemap_read_error),
	KUNIT_CASE(mlock_rereads_each_page_of_a_failed_readahead_batch),
	KUNIT_CASE(an_injected_read_error_for_another_inode_leaves_the_population_alone),
	{}
};

static struct kunit_suite populate_errors_suite = {
	.name = "mm_populate_errors",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_errors_cases,
};

kunit_test_suite(populate_errors_suite);

MODULE_LICENSE("GPL");
