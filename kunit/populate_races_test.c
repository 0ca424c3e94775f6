// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races: while a population has dropped mmap_lock to read a file page, another kthread of the
 * same mm changes the range under it (munmap, mmap over, mprotect). The population must not
 * crash or hang, must not fault pages outside the vmas that exist when it resumes, and the other
 * kthread must get mmap_lock for write and finish while the population is still waiting.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16
#define HALF (NR / 2)
#define AT 4		/* the racer runs during the read of this page */

struct race {
	struct kunit *test;
	unsigned long addr;
	void (*change)(struct race *r);
	bool ran;
	/* The population held mmap_lock through the read: the racer could never have run. */
	bool lock_held;
	long ret;
};

static void race_in_mm(void *data)
{
	struct race *r = data;

	r->change(r);
}

/*
 * In the read of page AT, with the population waiting for it: the racer runs to its end before
 * the read completes. Only the test's kthreads use the mm, so a lock nobody holds now is one the
 * racer will get; a population that kept it would deadlock with the racer, so it is not started.
 */
static void race_hook(struct pop_file *pf, pgoff_t index)
{
	struct race *r = pf->hook_data;

	if (index != AT || r->ran)
		return;
	r->ran = true;
	if (rwsem_is_locked(&pf->mm->mmap_lock)) {
		r->lock_held = true;
		return;
	}
	pop_run_in_mm(r->test, race_in_mm, r);
}

static void unmap_upper_half(struct race *r)
{
	r->ret = vm_munmap(POP_ADDR(r->addr, HALF), POP_LEN(HALF));
}

static void map_anon_over_upper_half(struct race *r)
{
	r->ret = vm_mmap(NULL, POP_ADDR(r->addr, HALF), POP_LEN(HALF), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	if (r->ret == POP_ADDR(r->addr, HALF))
		r->ret = 0;
}

static void protect_upper_half(struct race *r)
{
	r->ret = sys_mprotect(POP_ADDR(r->addr, HALF), POP_LEN(HALF), PROT_NONE);
}

static void munlock_upper_half(struct race *r)
{
	r->ret = sys_munlock(POP_ADDR(r->addr, HALF), POP_LEN(HALF));
}

/* mmap(MAP_POPULATE) of a cold NR-page file, with change() run during the read of page AT. */
static struct pop_file *populate_racing(struct kunit *test, struct race *r, bool locked)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_lock_events *ev;

	/* Reserve the address first: the racer needs it while mmap() is still populating. */
	r->addr = pop_hole(test, NR);
	r->test = test;
	pf->hook_data = r;
	pf->read_hook = race_hook;
	ev = pop_lock_events(test);
	pop_mmap(test, pf->file, r->addr, NR, PROT_READ,
		 MAP_SHARED | MAP_FIXED | (locked ? MAP_LOCKED : MAP_POPULATE), 0);
	pf->read_hook = NULL;

	KUNIT_ASSERT_TRUE_MSG(test, r->ran, "the population never read page %d", AT);
	KUNIT_ASSERT_FALSE_MSG(test, r->lock_held,
			       "mmap_lock held during the read: the racer could not have run");
	KUNIT_EXPECT_EQ_MSG(test, r->ret, 0L, "the racer's change failed");
	/* mmap's own write section, then the racer's (in the middle of the population). */
	KUNIT_EXPECT_EQ(test, atomic_read(&ev->write_acquired), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	return pf;
}

static void munmap_during_a_read_stops_population_at_the_new_end(struct kunit *test)
{
	struct race r = { .change = unmap_upper_half };
	struct pop_file *pf = populate_racing(test, &r, false);

	KUNIT_EXPECT_EQ(test, pop_vma_count(r.addr, NR), 1UL);
	pop_expect_present_run(test, r.addr, NR, 0, HALF);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), HALF,
			    "read file pages no longer mapped");
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), (unsigned long)HALF);
}

static void mmap_over_during_a_read_never_reads_the_replaced_file_pages(struct kunit *test)
{
	struct race r = { .change = map_anon_over_upper_half };
	struct pop_file *pf = populate_racing(test, &r, false);
	struct pop_pages pp = {};

	KUNIT_EXPECT_EQ(test, pop_vma_count(r.addr, NR), 2UL);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), HALF,
			    "read file pages no longer mapped");
	pop_pages(test, r.addr, HALF, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pp.anon, 0UL);
	/*
	 * 3.9's VM_POPULATE marked the vmas the caller asked to populate; it is gone, and the
	 * resumed __mm_populate() populates whatever vma it finds in the range once it has the lock
	 * again: the replacement, mapped without MAP_POPULATE, is populated too, with its own pages
	 * (private and writable, so write-faulted anonymous pages), never the file's.
	 */
	pop_pages(test, POP_ADDR(r.addr, HALF), HALF, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), (unsigned long)HALF);
}

static void mprotect_none_during_a_read_leaves_the_protected_part_unpopulated(struct kunit *test)
{
	struct race r = { .change = protect_upper_half };
	struct pop_file *pf = populate_racing(test, &r, false);

	KUNIT_EXPECT_EQ(test, pop_vma_count(r.addr, NR), 2UL);
	pop_expect_present_run(test, r.addr, NR, 0, HALF);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), HALF);
}

static void munmap_during_a_locked_population_leaves_locked_vm_right(struct kunit *test)
{
	struct race r = { .change = unmap_upper_half };
	struct pop_file *pf = populate_racing(test, &r, true);
	struct pop_pages pp = {};

	pop_pages(test, r.addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), HALF);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)HALF);
}

/*
 * munlock() splits the vma; the population, which looks the vma up again after the read, goes on
 * populating the unlocked half (the range is still MAP_LOCKED's to populate) but must not mlock it:
 * populate_vma_page_range() takes VM_LOCKED from the vma it finds, not from the one it started in.
 */
static void munlock_during_a_locked_population_mlocks_only_the_locked_half(struct kunit *test)
{
	struct race r = { .change = munlock_upper_half };
	struct pop_pages pp = {};

	populate_racing(test, &r, true);
	pop_pages(test, r.addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)HALF);
	KUNIT_EXPECT_EQ(test, pop_vma_count(r.addr, NR), 2UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)HALF);
}

/*
 * The same through the kernel's own lock drop: at fault AT + 1 an injected VM_FAULT_RETRY drops
 * mmap_lock and sleeps; the racer, woken by fault AT, unmaps the upper half, which it can only do
 * once the lock is dropped, then ends the sleep. The sleep is the capability's longest, 1 s
 * (FAIL_POPULATE_MAX_DELAY_US): the racer ends it, its length only bounds a broken kernel.
 */
struct retry_race {
	struct completion before_k;	/* fault k - 1 was taken, or mmap() returned */
	struct completion populated;	/* mmap() returned */
	struct task_struct *populator;
	unsigned long addr;
	bool saw_fault;
	long ret;
};

static void unmap_upper_half_in_the_retry(void *data)
{
	struct retry_race *r = data;

	wait_for_completion(&r->before_k);
	r->saw_fault = !completion_done(&r->populated);
	if (!r->saw_fault)
		return;
	r->ret = vm_munmap(POP_ADDR(r->addr, HALF), POP_LEN(HALF));
	/* A wakeup before the populator sleeps is lost: repeat it until mmap() returns. */
	while (!wait_for_completion_timeout(&r->populated, 1))
		wake_up_process(r->populator);
}

static void
munmap_while_an_injected_retry_sleeps_stops_population_at_the_new_end(struct kunit *test)
{
	struct retry_race r = { .populator = current };
	struct pop_mm_thread *t;
	unsigned long i;

	init_completion(&r.before_k);
	init_completion(&r.populated);
	r.addr = pop_hole(test, NR);
	pop_faults_reset(test);
	pop_faults_notify_at(test, AT, &r.before_k);
	pop_arm(test, POP_FAIL_GUP_RETRY, AT + 1, 1, USEC_PER_SEC);
	t = pop_start_in_mm(test, unmap_upper_half_in_the_retry, &r);
	pop_mmap(test, NULL, r.addr, NR, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, 0);
	complete(&r.populated);
	complete(&r.before_k);
	pop_wait_in_mm(t);
	pop_disarm(test, POP_FAIL_GUP_RETRY);

	KUNIT_ASSERT_TRUE_MSG(test, r.saw_fault, "the population never reached fault %d", AT);
	KUNIT_EXPECT_EQ(test, r.ret, 0L);
	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_RETRY), 1L);
	/* Had the racer waited for the whole population, the upper half would have been faulted. */
	for (i = HALF; i < NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, pop_faults_at(test, POP_ADDR(r.addr, i)), 0UL,
				    "page %lu, unmapped during the retry, was faulted", i);
	KUNIT_EXPECT_EQ(test, pop_vma_count(r.addr, NR), 1UL);
	pop_expect_present_run(test, r.addr, NR, 0, HALF);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)HALF);
}

static struct kunit_case populate_races_cases[] = {
	KUNIT_CASE(munmap_during_a_read_stops_population_at_the_new_end),
	KUNIT_CASE(mmap_over_during_a_read_never_reads_the_replaced_file_pages),
	KUNIT_CASE(mprotect_none_during_a_read_leaves_the_protected_part_unpopulated),
	KUNIT_CASE(munmap_during_a_locked_population_leaves_locked_vm_right),
	KUNIT_CASE(munlock_during_a_locked_population_mlocks_only_the_locked_half),
	KUNIT_CASE(munmap_while_an_injected_retry_sleeps_stops_population_at_the_new_end),
	{}
};

static struct kunit_suite populate_races_suite = {
	.name = "mm_populate_races",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_races_cases,
};

kunit_test_suite(populate_races_suite);

MODULE_LICENSE("GPL");
