// SPDX-License-Identifier: GPL-2.0-only
/*
 * Observation from tracepoints: every GUP fault of the test's kthread (gup:gup_fault, patch 0005)
 * and the mmap_lock events of the test's mm (the kernel's mmap_lock tracepoints).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <trace/events/gup.h>
#include <trace/events/mmap_lock.h>

#include "populate_ctx.h"

/*
 * After each GUP fault, lock dropped or not (result VM_FAULT_RETRY or _COMPLETED). Atomic. The
 * test's kthread took the fault, so while it holds mmap_lock nobody else can hold it for write:
 * the rwsem's writer bit says whether the fault ran under the write lock, with or without lockdep.
 */
static void pop_gup_fault(void *data, struct mm_struct *mm, unsigned long address,
			  unsigned int flags, vm_fault_t result)
{
	struct pop_ctx *ctx = data;
	struct pop_faults *f = &ctx->faults;

	if (current != ctx->task)
		return;
	f->count++;
	if (!(result & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) &&
	    (atomic_long_read(&mm->mmap_lock.count) & RWSEM_WRITER_LOCKED))
		f->write_locked++;
	if (f->logged < POP_FAULT_LOG)
		f->addr[f->logged++] = address & PAGE_MASK;
	if (ctx->from_pending && f->count + 1 == ctx->from_at) {
		ctx->from_pending = false;
		pop_fail_set(ctx, ctx->from_which, 1, -1, ctx->from_arg);
	}
	if (f->notify && f->count == f->notify_at)
		complete(f->notify);
}

static void pop_observe_stop(void *data)
{
	unregister_trace_gup_fault(pop_gup_fault, data);
	tracepoint_synchronize_unregister();
}

/* From pop_init(): observe the test kthread's faults until the test ends. */
int pop_observe_start(struct kunit *test)
{
	struct pop_ctx *ctx = pop_ctx(test);
	int ret;

	ctx->task = current;
	ret = register_trace_gup_fault(pop_gup_fault, ctx);
	if (ret)
		return ret;
	return kunit_add_action_or_reset(test, pop_observe_stop, ctx);
}

/*
 * For a benchmark of a kernel that populates under the write lock on purpose (make bench's
 * experiment): pop_exit does not fail the test for it.
 */
void pop_faults_allow_write_locked(struct kunit *test)
{
	pop_ctx(test)->write_locked_ok = true;
}

struct pop_faults *pop_faults(struct kunit *test)
{
	return &pop_ctx(test)->faults;
}

void pop_faults_reset(struct kunit *test)
{
	struct pop_faults *f = pop_faults(test);
	unsigned long write_locked = f->write_locked;

	/* Never forget a fault made under the write lock: pop_exit checks it. */
	memset(f, 0, sizeof(*f));
	f->write_locked = write_locked;
}

/* How often the test's kthread took a GUP fault at addr's page (since the last reset). */
unsigned long pop_faults_at(struct kunit *test, unsigned long addr)
{
	struct pop_faults *f = pop_faults(test);
	unsigned long i, n = 0;

	KUNIT_EXPECT_LT_MSG(test, f->logged, (unsigned long)POP_FAULT_LOG, "fault log overflowed");
	for (i = 0; i < f->logged; i++)
		n += f->addr[i] == (addr & PAGE_MASK);
	return n;
}

/*
 * Complete done, from the tracepoint, once the test's kthread has taken n more GUP faults: a
 * handshake that wakes another kthread at a chosen point of a population.
 */
void pop_faults_notify_at(struct kunit *test, unsigned long n, struct completion *done)
{
	struct pop_faults *f = pop_faults(test);

	f->notify_at = f->count + n;
	WRITE_ONCE(f->notify, done);
}

static void pop_lock_acquired(void *data, struct mm_struct *mm, const char *memcg_path,
			      bool write, bool success)
{
	struct pop_ctx *ctx = data;

	if (mm != ctx->mm || !success)
		return;
	atomic_inc(write ? &ctx->lock.write_acquired : &ctx->lock.read_acquired);
}

static void pop_lock_released(void *data, struct mm_struct *mm, const char *memcg_path,
			      bool write)
{
	struct pop_ctx *ctx = data;

	if (mm != ctx->mm)
		return;
	atomic_inc(write ? &ctx->lock.write_released : &ctx->lock.read_released);
}

static void pop_lock_trace_stop(void *data)
{
	unregister_trace_mmap_lock_released(pop_lock_released, data);
	unregister_trace_mmap_lock_acquire_returned(pop_lock_acquired, data);
	tracepoint_synchronize_unregister();
}

/* Count the test mm's mmap_lock acquisitions and releases, by any kthread, from now on. */
struct pop_lock_events *pop_lock_events(struct kunit *test)
{
	struct pop_ctx *ctx = pop_ctx(test);

	if (!ctx->tracing) {
		KUNIT_ASSERT_EQ(test, register_trace_mmap_lock_acquire_returned(pop_lock_acquired,
										ctx), 0);
		if (register_trace_mmap_lock_released(pop_lock_released, ctx)) {
			unregister_trace_mmap_lock_acquire_returned(pop_lock_acquired, ctx);
			tracepoint_synchronize_unregister();
			KUNIT_FAIL_AND_ABORT(test, "register_trace_mmap_lock_released failed");
		}
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pop_lock_trace_stop, ctx), 0);
		ctx->tracing = true;
	}
	atomic_set(&ctx->lock.read_acquired, 0);
	atomic_set(&ctx->lock.read_released, 0);
	atomic_set(&ctx->lock.write_acquired, 0);
	atomic_set(&ctx->lock.write_released, 0);
	return &ctx->lock;
}
