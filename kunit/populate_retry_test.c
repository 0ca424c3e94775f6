// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock drop and retry: __mm_populate() holds mmap_lock for read only, drops it whenever a fault
 * has to wait (I/O, VM_FAULT_RETRY), retakes it, looks the vma up again and resumes at the
 * faulting address.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/syscalls.h>
#include <trace/events/mmap_lock.h>

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

/*
 * A task killed while it waits to retake mmap_lock after a fault dropped it stops at once: at
 * fault 2 of an mlock() an injected VM_FAULT_RETRY drops the lock and sleeps; a writer, queued
 * since fault 1, takes the lock, ends the sleep and holds the lock while the population tries to
 * retake it (the mmap_lock tracepoints) and waits on the rwsem (its wait list). Then the test's
 * kthread gets SIGKILL: mlock() must return -EINTR within a second, the writer still holding the
 * lock, and its read lock attempt must have failed. A plain mmap_read_lock() would sleep until the
 * writer lets go, which it does after that second.
 */
struct relock_kill {
	struct mm_struct *mm;
	struct task_struct *populator;
	struct completion fault_1;	/* the population took fault 1, holding the lock */
	struct completion relocking;	/* relock_seen, for the writer to wait on */
	struct completion returned;	/* mlock() returned */
	bool writer_holds;
	bool relock_seen;		/* the populator started a read lock behind the writer */
	bool queued;			/* the rwsem had a waiter when the kill was sent */
	bool relock_failed;		/* the populator's read lock attempt returned without it */
	bool in_time;			/* mlock() returned while the writer held the lock */
	ktime_t killed, back;
};

static void relock_start(void *data, struct mm_struct *mm, const char *memcg_path, bool write)
{
	struct relock_kill *k = data;

	if (mm == k->mm && current == k->populator && !write && READ_ONCE(k->writer_holds)) {
		WRITE_ONCE(k->relock_seen, true);
		complete(&k->relocking);
	}
}

static void relock_returned(void *data, struct mm_struct *mm, const char *memcg_path, bool write,
			    bool success)
{
	struct relock_kill *k = data;

	if (mm == k->mm && current == k->populator && !write && !success)
		WRITE_ONCE(k->relock_failed, true);
}

static void relock_trace_stop(void *data)
{
	unregister_trace_mmap_lock_acquire_returned(relock_returned, data);
	unregister_trace_mmap_lock_start_locking(relock_start, data);
	tracepoint_synchronize_unregister();
}

/* The writer, another kthread of the mm. Each wait is bounded: a broken kernel fails, not hangs. */
static void relock_writer(void *data)
{
	struct relock_kill *k = data;
	unsigned long deadline;

	wait_for_completion(&k->fault_1);
	if (completion_done(&k->returned))
		return;
	mmap_write_lock(k->mm);
	WRITE_ONCE(k->writer_holds, true);
	deadline = jiffies + 10 * HZ;
	/* End the injected sleep; a wakeup before the populator sleeps is lost: repeat it. */
	while (!wait_for_completion_timeout(&k->relocking, 1)) {
		if (completion_done(&k->returned) || time_after(jiffies, deadline))
			goto unlock;
		wake_up_process(k->populator);
	}
	/* Nobody else uses the mm: a waiter on the rwsem is the populator. */
	while (!rwsem_is_contended(&k->mm->mmap_lock)) {
		if (completion_done(&k->returned) || time_after(jiffies, deadline))
			goto unlock;
		schedule_timeout_uninterruptible(1);
	}
	k->queued = true;
	k->killed = ktime_get();
	send_sig(SIGKILL, k->populator, 1);
	k->in_time = wait_for_completion_timeout(&k->returned, HZ);
unlock:
	WRITE_ONCE(k->writer_holds, false);
	mmap_write_unlock(k->mm);
}

static void kill_while_waiting_to_retake_the_lock_ends_mlock_with_eintr(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct relock_kill *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	struct pop_mm_thread *t;
	long ret;

	if (!pop_fail_available(POP_FAIL_GUP_RETRY))
		kunit_skip(test, "needs fail_gup_retry (CONFIG_FAIL_GUP_RETRY)");
	KUNIT_ASSERT_NOT_NULL(test, k);
	k->mm = current->mm;
	k->populator = current;
	init_completion(&k->fault_1);
	init_completion(&k->relocking);
	init_completion(&k->returned);
	KUNIT_ASSERT_EQ(test, register_trace_mmap_lock_start_locking(relock_start, k), 0);
	if (register_trace_mmap_lock_acquire_returned(relock_returned, k)) {
		unregister_trace_mmap_lock_start_locking(relock_start, k);
		tracepoint_synchronize_unregister();
		KUNIT_FAIL_AND_ABORT(test, "register_trace_mmap_lock_acquire_returned failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, relock_trace_stop, k), 0);

	/* A kthread ignores signals: let SIGKILL in. It stays pending until this kthread ends. */
	allow_signal(SIGKILL);
	pop_faults_reset(test);
	pop_faults_notify_at(test, 1, &k->fault_1);
	pop_arm(test, POP_FAIL_GUP_RETRY, 2, 1, USEC_PER_SEC);
	t = pop_start_in_mm(test, relock_writer, k);
	ret = sys_mlock(addr, POP_LEN(NR));
	k->back = ktime_get();
	complete(&k->returned);
	complete(&k->fault_1);
	pop_wait_in_mm(t);
	pop_disarm(test, POP_FAIL_GUP_RETRY);

	KUNIT_EXPECT_EQ(test, pop_injected(test, POP_FAIL_GUP_RETRY), 1L);
	KUNIT_ASSERT_TRUE_MSG(test, k->relock_seen,
			      "the population never tried to retake mmap_lock behind the writer");
	KUNIT_ASSERT_TRUE_MSG(test, k->queued, "the population was not waiting on mmap_lock");
	KUNIT_EXPECT_TRUE_MSG(test, k->in_time,
			      "mlock() still waited for mmap_lock 1 s after SIGKILL");
	KUNIT_EXPECT_TRUE_MSG(test, k->relock_failed,
			      "the killed population's lock attempt was not interrupted");
	KUNIT_EXPECT_EQ(test, ret, (long)-EINTR);
	kunit_info(test, "mlock() returned %lld us after SIGKILL\n",
		   ktime_us_delta(k->back, k->killed));
	/* Page 0, then the injected retry at page 1; nothing after the kill. */
	KUNIT_EXPECT_EQ(test, pop_faults(test)->count, 2UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 1UL);
}

static struct kunit_case populate_retry_cases[] = {
	KUNIT_CASE(anon_population_faults_each_page_once_never_under_the_write_lock),
	KUNIT_CASE(anon_population_holds_the_write_lock_once_and_never_drops_the_read_lock),
	KUNIT_CASE(cold_file_population_drops_the_lock_for_every_read),
	KUNIT_CASE(cold_file_mlock_drops_the_lock_for_every_read),
	KUNIT_CASE_PARAM(forced_retry_resumes_at_the_faulting_address, retry_fault_gen_params),
	KUNIT_CASE(mmap_populate_resumes_after_a_retry_at_every_page),
	KUNIT_CASE(mlock_resumes_after_a_retry_at_every_page),
	KUNIT_CASE(kill_while_waiting_to_retake_the_lock_ends_mlock_with_eintr),
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
