// SPDX-License-Identifier: GPL-2.0-only
/*
 * A writer gets in before the population ends: the experiment
 * patches/experiments/populate-yield-on-contention.patch, where __mm_populate() populates
 * MM_POPULATE_BATCH_PAGES pages at a time and, between two batches, lets a task waiting for
 * mmap_lock in (drops the read lock, gives up the CPU, retakes it and looks the vma up again).
 *
 * Another kthread of the same mm waits for the write lock from the population's first fault on.
 * A handshake, no timing: the writer is a SCHED_FIFO task, so that the gup:gup_fault tracepoint's
 * complete() at the first fault makes it preempt the population at its next cond_resched(), and the
 * unlock at the end of a batch makes it preempt the population again (UML has one CPU and does not
 * preempt; a SCHED_NORMAL task that is merely runnable may wait until the populator's time slice
 * ends: make bench measures that case). When the writer holds the lock it records how many faults
 * the population had taken: fewer than all, and at most one batch more than when the probe first
 * saw it queued (let in at the first look at the lock after that). Being RT, the writer also sets
 * rwsem's handoff bit as soon as it queues, so the population's relock cannot steal the lock back:
 * this checks that the population lets a writer in, not how the scheduler serves one.
 * Without the experiment the writer waits for the whole population (anonymous pages never drop
 * the lock): the suite is skipped on kernels without MM_POPULATE_BATCH_PAGES (mm/internal.h).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/syscalls.h>
#include <trace/events/gup.h>

#include "internal.h"		/* mm/internal.h: MM_POPULATE_BATCH_PAGES */
#include "populate_helpers.h"

#ifdef MM_POPULATE_BATCH_PAGES
#define PW_BATCH	((unsigned long)MM_POPULATE_BATCH_PAGES)
#else
#define PW_BATCH	64UL
#endif
/* Enough batches that a writer let in at the first look cannot be mistaken for the end. */
#define PW_NPAGES	(8 * PW_BATCH)

enum pw_entry { PW_MMAP_POPULATE, PW_MLOCK, PW_BRK_MCL_FUTURE };

struct pw_writer {
	struct task_struct *populator;
	unsigned long faults;		/* the populator's GUP faults, counted by the probe */
	unsigned long queued_at;	/* faults when the probe first saw the writer queued */
	struct completion ready;	/* the writer is a SCHED_FIFO task */
	struct completion go;		/* at the population's first fault */
	bool populated;			/* the populating call has returned */
	/* What the writer saw while holding the write lock. */
	bool got_lock;
	unsigned long faults_at_lock;
	bool populated_at_lock;
};

static void pw_fault(void *data, struct mm_struct *mm, unsigned long address,
		     unsigned int flags, vm_fault_t result)
{
	struct pw_writer *w = data;

	if (current != w->populator)
		return;
	w->faults++;
	if (w->queued_at)
		return;
	if (mmap_lock_is_contended(mm)) {
		w->queued_at = w->faults;
		return;
	}
	/* The writer, SCHED_FIFO, takes the CPU at the population's next cond_resched(). */
	if (w->faults == 1)
		complete(&w->go);
}

static void pw_probe_off(void *data)
{
	unregister_trace_gup_fault(pw_fault, data);
	tracepoint_synchronize_unregister();
}

/* Another thread of the mm: an mmap, munmap or mprotect would take the lock for write. */
static void pw_writer_fn(void *data)
{
	struct pw_writer *w = data;
	struct mm_struct *mm = current->mm;

	sched_set_fifo_low(current);
	complete(&w->ready);
	wait_for_completion(&w->go);
	mmap_write_lock(mm);
	/* The populator cannot run a fault now: it waits for the lock, or is done. */
	w->faults_at_lock = READ_ONCE(w->faults);
	w->populated_at_lock = READ_ONCE(w->populated);
	w->got_lock = true;
	mmap_write_unlock(mm);
}

static void pw_writer_gets_in(struct kunit *test, enum pw_entry entry)
{
	struct pop_mm_thread *t;
	struct pw_writer *w;
	unsigned long addr = 0;

#ifndef MM_POPULATE_BATCH_PAGES
	kunit_skip(test, "needs the yield experiment (MM_POPULATE_BATCH_PAGES in mm/internal.h)");
#endif
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&w->ready);
	init_completion(&w->go);
	w->populator = current;

	/* Everything but the populating call itself. */
	switch (entry) {
	case PW_MMAP_POPULATE:
		break;
	case PW_MLOCK:
		addr = pop_mmap(test, NULL, 0, PW_NPAGES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, 0);
		break;
	case PW_BRK_MCL_FUTURE:
		addr = pop_brk_heap(test, PW_NPAGES);
		KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
		break;
	}

	KUNIT_ASSERT_EQ(test, register_trace_gup_fault(pw_fault, w), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pw_probe_off, w), 0);
	t = pop_start_in_mm(test, pw_writer_fn, w);
	wait_for_completion(&w->ready);

	switch (entry) {
	case PW_MMAP_POPULATE:
		addr = pop_mmap(test, NULL, 0, PW_NPAGES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
		break;
	case PW_MLOCK:
		KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(PW_NPAGES)), 0L);
		break;
	case PW_BRK_MCL_FUTURE:
		KUNIT_EXPECT_EQ(test, (unsigned long)sys_brk(POP_ADDR(addr, PW_NPAGES)),
				POP_ADDR(addr, PW_NPAGES));
		break;
	}
	WRITE_ONCE(w->populated, true);
	if (!completion_done(&w->go))
		complete(&w->go);	/* no fault at all: the checks below say so */
	pop_wait_in_mm(t);

	KUNIT_EXPECT_EQ(test, pop_present(test, addr, PW_NPAGES), PW_NPAGES);
	KUNIT_EXPECT_EQ(test, w->faults, PW_NPAGES);
	KUNIT_ASSERT_TRUE(test, w->got_lock);
	KUNIT_ASSERT_GT_MSG(test, w->queued_at, 0UL, "the writer never queued in the population");
	kunit_info(test, "writer queued at fault %lu, got the lock after %lu of %lu faults (batch %lu)",
		   w->queued_at, w->faults_at_lock, PW_NPAGES, PW_BATCH);
	KUNIT_EXPECT_FALSE_MSG(test, w->populated_at_lock,
			       "the writer waited for the whole population");
	KUNIT_EXPECT_LT(test, w->faults_at_lock, PW_NPAGES);
	/* Let in at the end of the batch it queued in. */
	KUNIT_EXPECT_LE(test, w->faults_at_lock, w->queued_at + PW_BATCH);

	if (entry == PW_BRK_MCL_FUTURE)
		KUNIT_EXPECT_EQ(test, sys_munlockall(), 0L);
}

static void mmap_populate_lets_a_waiting_writer_in(struct kunit *test)
{
	pw_writer_gets_in(test, PW_MMAP_POPULATE);
}

static void mlock_lets_a_waiting_writer_in(struct kunit *test)
{
	pw_writer_gets_in(test, PW_MLOCK);
}

static void brk_under_mcl_future_lets_a_waiting_writer_in(struct kunit *test)
{
	pw_writer_gets_in(test, PW_BRK_MCL_FUTURE);
}

static struct kunit_case populate_writer_cases[] = {
	KUNIT_CASE(mmap_populate_lets_a_waiting_writer_in),
	KUNIT_CASE(mlock_lets_a_waiting_writer_in),
	KUNIT_CASE(brk_under_mcl_future_lets_a_waiting_writer_in),
	{}
};

static struct kunit_suite populate_writer_suite = {
	.name = "mm_populate_writer",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_writer_cases,
};

kunit_test_suite(populate_writer_suite);
