// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for one test: the capabilities of <linux/fail_populate.h> (patches 0006, 0007),
 * armed for the test's kthread only (task_filter, make_it_fail), disarmed by a cleanup action
 * whatever the outcome. A test that needs a capability the kernel lacks is skipped, with the
 * reason. The capabilities keep no counter of their own: should_fail() decrements times at each
 * injection, so every arming has a bound and what is left of it says how many were injected.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/sched.h>

/* The fault-injection capabilities, once the kernel has them. */
#if IS_ENABLED(CONFIG_FAIL_GUP_FAULT) || IS_ENABLED(CONFIG_FAIL_GUP_RETRY) || \
	IS_ENABLED(CONFIG_FAIL_FILEMAP_READ) || IS_ENABLED(CONFIG_FAIL_FILEMAP_DELAY)
#include <linux/fail_populate.h>
#define POP_HAVE_FAIL 1
#endif

#include "populate_ctx.h"

static const char *const pop_fail_names[POP_NR_FAIL] = {
	[POP_FAIL_GUP_FAULT] = "fail_gup_fault (CONFIG_FAIL_GUP_FAULT)",
	[POP_FAIL_GUP_RETRY] = "fail_gup_retry (CONFIG_FAIL_GUP_RETRY)",
	[POP_FAIL_FILEMAP_READ] = "fail_filemap_read (CONFIG_FAIL_FILEMAP_READ)",
	[POP_FAIL_FILEMAP_DELAY] = "fail_filemap_delay (CONFIG_FAIL_FILEMAP_DELAY)",
};

#ifdef POP_HAVE_FAIL
static struct fail_populate *pop_fail_attr(enum pop_fail which)
{
	switch (which) {
#ifdef CONFIG_FAIL_GUP_FAULT
	case POP_FAIL_GUP_FAULT:
		return &fail_gup_fault;
#endif
#ifdef CONFIG_FAIL_GUP_RETRY
	case POP_FAIL_GUP_RETRY:
		return &fail_gup_retry;
#endif
#ifdef CONFIG_FAIL_FILEMAP_READ
	case POP_FAIL_FILEMAP_READ:
		return &fail_filemap_read;
#endif
#ifdef CONFIG_FAIL_FILEMAP_DELAY
	case POP_FAIL_FILEMAP_DELAY:
		return &fail_filemap_delay;
#endif
	default:
		return NULL;
	}
}

static void pop_fail_reset(struct fail_populate *fp)
{
	atomic_set(&fp->attr.times, 0);
	fp->attr.probability = 0;
	fp->attr.interval = 1;
	fp->attr.count = 0;
	fp->attr.task_filter = false;
	fp->delay_us = 0;
	fp->vm_fault = 0;
	fp->ino = 0;
	fp->dev = 0;
}

static void pop_disarm_action(void *data)
{
	pop_fail_reset(data);
}
#endif

#ifdef POP_HAVE_FAIL
/* Move what the current arming injected into ctx->injected; no KUnit calls (see below). */
static void pop_fail_account(struct pop_ctx *ctx, enum pop_fail which, struct fail_populate *fp)
{
	ctx->injected[which] += ctx->times_set[which] - atomic_read(&fp->attr.times);
	ctx->times_set[which] = 0;
}
#endif

/* No KUnit calls: the observer uses it in the middle of a fault. */
void pop_fail_set(struct pop_ctx *ctx, enum pop_fail which, unsigned long nth, int times,
		  u32 arg)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);

	if (!fp)
		return;
	pop_fail_account(ctx, which, fp);
	/* should_fail_ex(): fails when ++count % interval == 0, while times != 0. */
	pop_fail_reset(fp);
	if (which == POP_FAIL_GUP_FAULT)
		fp->vm_fault = arg;
	else
		fp->delay_us = arg;
	fp->attr.verbose = 0;
	fp->attr.task_filter = true;
	current->make_it_fail = 1;
	fp->attr.interval = nth;
	fp->attr.count = 0;
	atomic_set(&fp->attr.space, 0);
	fp->attr.probability = 100;
	/* A bound even for "no limit", so that what is left tells how many were injected. */
	ctx->times_set[which] = times < 0 ? INT_MAX : times;
	atomic_set(&fp->attr.times, ctx->times_set[which]);
#endif
}

bool pop_fail_available(enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	return pop_fail_attr(which);
#else
	return false;
#endif
}

/*
 * Inject at the nth call (counted from now, in this kthread only), then at every nth call after it
 * until times injections were made (times -1: no limit). arg: vm_fault for POP_FAIL_GUP_FAULT,
 * delay_us for the others.
 */
void pop_arm(struct kunit *test, enum pop_fail which, unsigned long nth, int times, u32 arg)
{
#ifdef POP_HAVE_FAIL
	struct pop_ctx *ctx = pop_ctx(test);
	struct fail_populate *fp = pop_fail_attr(which);

	if (!fp)
		kunit_skip(test, "needs %s", pop_fail_names[which]);
	KUNIT_ASSERT_GE(test, nth, 1UL);
	if (!ctx->armed[which]) {
		/* From a known state: times 0, nothing to account. */
		pop_fail_reset(fp);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pop_disarm_action, fp), 0);
		ctx->armed[which] = true;
	}
	ctx->from_pending = false;
	pop_fail_set(ctx, which, nth, times, arg);
#else
	kunit_skip(test, "needs <linux/fail_populate.h> and %s", pop_fail_names[which]);
#endif
}

/*
 * Inject at every GUP fault from the nth on (counted from now, in this kthread), until disarmed:
 * the fault at one page keeps failing however often it is retried.
 */
void pop_arm_from(struct kunit *test, enum pop_fail which, unsigned long nth, u32 arg)
{
	struct pop_ctx *ctx = pop_ctx(test);

	if (nth == 1) {
		pop_arm(test, which, 1, -1, arg);
		return;
	}
	/* Disarmed until the observer has seen fault nth - 1. */
	pop_arm(test, which, 1, 0, arg);
	ctx->from_which = which;
	ctx->from_arg = arg;
	ctx->from_at = ctx->faults.count + nth;
	ctx->from_pending = true;
}

void pop_disarm(struct kunit *test, enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);

	if (pop_ctx(test)->from_which == which)
		pop_ctx(test)->from_pending = false;
	if (fp) {
		pop_fail_account(pop_ctx(test), which, fp);
		pop_fail_reset(fp);
	}
#endif
}

/* After pop_arm(): a page cache capability fails only the reads of file (its ino and dev). */
void pop_arm_only_file(struct kunit *test, enum pop_fail which, struct file *file)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);
	struct inode *inode = file_inode(file);

	KUNIT_ASSERT_TRUE_MSG(test, fp && pop_ctx(test)->armed[which], "pop_arm() first");
	KUNIT_ASSERT_TRUE(test, which == POP_FAIL_FILEMAP_READ || which == POP_FAIL_FILEMAP_DELAY);
	WRITE_ONCE(fp->ino, inode->i_ino);
	WRITE_ONCE(fp->dev, new_encode_dev(inode->i_sb->s_dev));
#endif
}

/* Injections of that kind since this test first armed it. */
long pop_injected(struct kunit *test, enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	struct pop_ctx *ctx = pop_ctx(test);
	struct fail_populate *fp = pop_fail_attr(which);

	if (fp && ctx->armed[which])
		return ctx->injected[which] + ctx->times_set[which] - atomic_read(&fp->attr.times);
#endif
	return 0;
}
