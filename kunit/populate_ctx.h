/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The helpers' state of one test (test->priv), shared by the helper files only: tests go through
 * the functions of populate_helpers.h.
 */
#ifndef MM_POPULATE_TEST_CTX_H
#define MM_POPULATE_TEST_CTX_H

#include "populate_helpers.h"

struct pop_ctx {
	struct mm_struct *mm;
	struct task_struct *task;	/* the test's kthread: only its faults are observed */
	struct pop_faults faults;
	bool write_locked_ok;		/* pop_faults_allow_write_locked() */
	bool tracing;
	struct pop_lock_events lock;
	bool armed[POP_NR_FAIL];
	/* should_fail() decrements times per injection: times as set, what earlier arms used. */
	int times_set[POP_NR_FAIL];
	long injected[POP_NR_FAIL];
	/* pop_arm_from(): the observer arms which after fault number from_at - 1. */
	bool from_pending;
	enum pop_fail from_which;
	unsigned long from_at;
	u32 from_arg;
	/* The test's files, whose failed reads count as injected faults. */
	struct pop_file *files[8];
	unsigned int nfiles;
};

static inline struct pop_ctx *pop_ctx(struct kunit *test)
{
	return test->priv;
}

/* populate_observe.c */
int pop_observe_start(struct kunit *test);

/* populate_inject.c: arm which now; no KUnit calls, the observer calls it inside a fault. */
void pop_fail_set(struct pop_ctx *ctx, enum pop_fail which, unsigned long nth, int times,
		  u32 arg);

#endif
