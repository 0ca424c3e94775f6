// SPDX-License-Identifier: GPL-2.0-only
/*
 * Another kthread in the test's mm (kthread_use_mm): its mmap_lock calls count in the test's lock
 * events, and it has no KUnit context (it records what it saw; the test checks it).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "populate_helpers.h"

struct pop_mm_thread {
	struct mm_struct *mm;
	void (*fn)(void *data);
	void *data;
	struct completion done;
};

static int pop_mm_threadfn(void *arg)
{
	struct pop_mm_thread *t = arg;

	kthread_use_mm(t->mm);
	t->fn(t->data);
	kthread_unuse_mm(t->mm);
	complete(&t->done);
	return 0;
}

/* Run fn(data) in a new kthread of the test's mm; pop_wait_in_mm() waits for it. */
struct pop_mm_thread *pop_start_in_mm(struct kunit *test, void (*fn)(void *data), void *data)
{
	struct pop_mm_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->mm = current->mm;
	t->fn = fn;
	t->data = data;
	init_completion(&t->done);
	mmget(t->mm);
	task = kthread_run(pop_mm_threadfn, t, "pop_mm_thread");
	if (IS_ERR(task)) {
		mmput(t->mm);
		kfree(t);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run: %ld", PTR_ERR(task));
	}
	return t;
}

/* Wait for the kthread to end, and free its handle. */
void pop_wait_in_mm(struct pop_mm_thread *t)
{
	wait_for_completion(&t->done);
	mmput(t->mm);
	kfree(t);
}

/* Run fn(data) in a new kthread of the test's mm, and wait for it to end. */
void pop_run_in_mm(struct kunit *test, void (*fn)(void *data), void *data)
{
	pop_wait_in_mm(pop_start_in_mm(test, fn, data));
}
