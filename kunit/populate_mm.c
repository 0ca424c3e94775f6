// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test's mm, shared by the suites with an MMU (populate_suite.c) and without one
 * (populate_nommu_test.c): kunit_vm_mmap()'s kunit_attach_mm() is static, and returns -EINVAL
 * without an MMU.
 */
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "populate_helpers.h"

struct mm_struct *pop_attach_fresh_mm(void)
{
	struct mm_struct *mm;

	if (WARN_ON_ONCE(current->mm))
		return ERR_PTR(-EBUSY);
	mm = mm_alloc();
	if (!mm)
		return ERR_PTR(-ENOMEM);
	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	kthread_use_mm(mm);
	/* The kthread drops its reference when it exits; the suite's exit still needs the mm. */
	mmget(mm);
	return mm;
}
